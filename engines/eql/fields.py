"""Fields as an Elasticsearch index sees them: mapped type, and the values indexed for a document.

A document is the `_source` (nested dicts; dotted keys are accepted too). A field's values are every
leaf reached by its dotted path, through lists and arrays of objects alike, with nulls and empty
lists dropped: that is what term, wildcard, regexp, range and exists queries look at, and why a
predicate on a multi-valued field is true when any value satisfies it.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engines.base import QueryError

__all__ = ["KEYWORD_TYPES", "NUMERIC_TYPES", "FieldInfo", "FieldResolver"]

KEYWORD_TYPES = frozenset({"keyword", "constant_keyword", "wildcard"})
NUMERIC_TYPES = frozenset(
    {"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long"}
)
# Types EQL refuses outright (the EQL docs list text and nested; flattened is elastic/elasticsearch#101985).
_REJECTED = {
    "text": "EQL cannot search text fields",
    "match_only_text": "EQL cannot search text fields",
    "nested": "EQL does not support nested fields",
    "object": "an object is not a value EQL can compare",
}
FLATTENED_ISSUE = "elastic/elasticsearch#101985"

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Getter = Callable[[Mapping[str, Any]], list[Any]]


@dataclass(frozen=True)
class FieldInfo:
    """A mapped field; `values(doc)` gives its indexed values, already converted to the field's type."""

    name: str
    type: str
    values: Getter


def _leaves(node: Any) -> Iterator[Any]:
    if isinstance(node, list):
        for item in node:
            yield from _leaves(item)
    elif node is not None:
        yield node


def _walk(node: Any, parts: tuple[str, ...], index: int) -> Iterator[Any]:
    if index == len(parts):
        yield from _leaves(node)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, parts, index)
    elif isinstance(node, Mapping):
        # A key may itself contain dots ({"event.action": ...}); Elasticsearch expands them.
        for end in range(index + 1, len(parts) + 1):
            key = ".".join(parts[index:end])
            if key in node:
                yield from _walk(node[key], parts, end)


def _as_keyword(value: Any, ignore_above: int | None) -> str | None:
    # A JSON number or boolean in a keyword field is indexed as its text.
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        text = repr(value)
    elif isinstance(value, str):
        text = value
    else:
        return None  # an object where a keyword is mapped: Elasticsearch would reject the document
    if ignore_above is not None and len(text) > ignore_above:
        return None  # stored in _source but not indexed
    return text


def _as_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):  # numeric fields coerce numeric strings by default
        for convert in (int, float):
            try:
                number = convert(value.strip())
            except ValueError:
                continue
            return number if math.isfinite(number) else None
    return None


def _as_boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("true", "false", ""):
        return value == "true"
    return None


def as_ip(value: Any) -> IpAddress | None:
    """An ip field's value; an IPv4-mapped IPv6 address is the IPv4 address (as Java parses it)."""
    if not isinstance(value, str):
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _converter(field_type: str, ignore_above: int | None) -> Callable[[Any], Any]:
    if field_type in KEYWORD_TYPES:
        return lambda value: _as_keyword(value, ignore_above)
    if field_type in NUMERIC_TYPES:
        return _as_number
    if field_type == "boolean":
        return _as_boolean
    if field_type == "ip":
        return as_ip
    return lambda value: value  # date and others: only existence is modelled


class FieldResolver:
    """Resolves query field names against a mapping (dotted name -> Elasticsearch type)."""

    def __init__(self, field_types: Mapping[str, str], ignore_above: Mapping[str, int] | None = None) -> None:
        self._types = dict(field_types)
        self._ignore_above = dict(ignore_above or {})
        self._prefixes = {name.rsplit(".", i)[0] for name in self._types for i in range(1, name.count(".") + 1)}

    def resolve(self, name: str, *, optional: bool) -> FieldInfo | None:
        """The field, or None for an optional field absent from the mapping (it reads as null).

        QueryError when Elasticsearch would reject the query: unknown field, object field, or a
        type EQL cannot use.
        """
        field_type = self._types.get(name)
        parts = name.split(".")
        for end in range(1, len(parts)):
            parent = ".".join(parts[:end])
            if self._types.get(parent) == "flattened":
                field_type = "flattened"
        if field_type is None:
            if name in self._prefixes:
                raise QueryError(f"field [{name}] is an object, not a value EQL can compare")
            if optional:
                return None
            raise QueryError(f"Unknown column [{name}]: not in the index mapping (use ?{name} if optional)")
        if field_type == "flattened":
            raise QueryError(
                f"Cannot use field [{name}] with unsupported type [flattened] (EQL, see {FLATTENED_ISSUE})"
            )
        if field_type in _REJECTED:
            raise QueryError(f"Cannot use field [{name}] of type [{field_type}]: {_REJECTED[field_type]}")
        convert = _converter(field_type, self._ignore_above.get(name))
        path = tuple(parts)

        def values(doc: Mapping[str, Any]) -> list[Any]:
            converted = (convert(raw) for raw in _walk(doc, path, 0))
            return [value for value in converted if value is not None]

        return FieldInfo(name=name, type=field_type, values=values)
