"""Splunk SPL over the Splunk Add-on for AWS (sourcetype aws:cloudtrail), semantics.md A.2 and B.2.

The ``search`` command matches whole values case-insensitively with ``*`` only: no single-character
wildcard and no way to search a literal ``*``. A rule whose every leaf fits is emitted as one
``search``; otherwise the whole condition becomes a ``where`` expression whose leaves are two-valued
(never null), so NOT keeps Sigma's meaning on events that lack the field.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sigma.conditions import ConditionFieldEqualsValueExpression, ConditionOR
from sigma.conversion.state import ConversionState
from sigma.rule import SigmaRule
from sigma.types import SigmaExpansion

from backends import regex as rx
from backends.base import SiemcBackend
from backends.cloudtrail import OPEN_OBJECTS, splunk_pipeline
from backends.pattern import Pattern, Wild, ascii_escape

ERRORCODE_NOTE = ("the Splunk Add-on for AWS sets errorCode to \"success\" when the record has none "
                  "(\"failure\" for a failed console login): \"no errorCode\" is errorCode=\"success\"")


# Names the search command reads as modifiers, not fields (Search Reference: the search command's time
# and knowledge-object modifiers); a CloudTrail field such as eventType must be compared in where.
SEARCH_MODIFIERS = frozenset({
    "earliest", "latest", "_index_earliest", "_index_latest", "eventtype", "tag", "savedsearch",
    "savedsplunk", "host", "source", "sourcetype", "index", "splunk_server", "splunk_server_group",
    "starttime", "endtime", "timeformat", "daysago", "hoursago", "minutesago", "monthsago",
})


class _NeedsWhere(Exception):
    """A leaf the search command cannot say exactly: the rule is emitted as a where expression."""


def spl_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def where_field(name: str) -> str:
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


class SplBackend(SiemcBackend):
    name: ClassVar[str] = "siemc Splunk SPL"
    target: ClassVar[str] = "spl"
    formats: ClassVar[dict[str, str]] = {"default": "SPL search"}
    or_token = "OR"
    and_token = "AND"
    not_expression = "NOT {expr}"
    keyword_reason = ("Splunk matches bare terms against indexed tokens of _raw, not Sigma's "
                      "case-insensitive substring of any field value")

    def __init__(self) -> None:
        super().__init__(processing_pipeline=splunk_pipeline())
        self.where = False
        self._depth = 0
        self._root_or = False

    def convert_condition(self, cond: Any, state: ConversionState) -> Any:
        if self._depth:
            return super().convert_condition(cond, state)
        self._depth += 1
        self._root_or = isinstance(cond, ConditionOR) or (
            isinstance(cond, ConditionFieldEqualsValueExpression) and isinstance(cond.value, SigmaExpansion)
        )
        try:
            self.where = False
            try:
                return super().convert_condition(cond, state)
            except _NeedsWhere:
                self.where = True
                return super().convert_condition(cond, state)
        finally:
            self._depth -= 1

    def field(self, name: str) -> str:
        return name

    def _names(self, field: str) -> list[str]:
        """The field's names in Splunk: below requestParameters and the like a value may be a JSON
        array, which KV_MODE=json names with {} (one JSON path holds a value or an array, never both)."""
        if self.cloudtrail and field.split(".", 1)[0] in OPEN_OBJECTS and "." in field and not field.endswith("{}"):
            return [field, field + "{}"]
        return [field]

    def _ref(self, field: str) -> str:
        names = self._names(field)
        if len(names) == 1:
            return where_field(field)
        return f"coalesce({', '.join(where_field(n) for n in names)})"

    def _search_any(self, leaves: list[str]) -> str:
        return leaves[0] if len(leaves) == 1 else "(" + " OR ".join(leaves) + ")"

    def _regex_leaf(self, field: str, pcre: str) -> str:
        return f"isnotnull(mvfind({self._ref(field)}, {spl_string(pcre)}))"

    def match(self, field: str, pattern: Pattern, cased: bool) -> str:
        searchable = (
            field.lower() not in SEARCH_MODIFIERS
            and not cased
            and not pattern.has_one
            and all("*" not in p and p.isprintable() for p in pattern.parts if isinstance(p, str))
        )
        if not self.where:
            if not searchable:
                raise _NeedsWhere
            glob = "".join(p.value if isinstance(p, Wild) else p for p in pattern.parts)
            return self._search_any([f"{name}={spl_string(glob)}" for name in self._names(field)])
        body = pattern.to_regex(ascii_escape, any_=".*", one=".")
        return self._regex_leaf(field, ("(?s)" if cased else "(?is)") + "\\A" + body + "\\z")

    def regex(self, field: str, regex: rx.Regex) -> str:
        if not self.where:
            raise _NeedsWhere
        return self._regex_leaf(field, rx.render_standard(regex, "pcre"))

    def cidr(self, field: str, network: str) -> str:
        if not self.where:
            raise _NeedsWhere
        ref = self._ref(field)
        return f"(isnotnull({ref}) AND cidrmatch({spl_string(network)}, {ref}))"

    def compare(self, field: str, op: str, number: int | float) -> str:
        if not self.where:
            raise _NeedsWhere
        f = self._ref(field)
        return f"(isnum(tonumber({f})) AND tonumber({f}) {op} {number})"

    def exists(self, field: str, exists: bool) -> str:
        if field == "errorCode" and self.cloudtrail:
            self.note(ERRORCODE_NOTE)
            if self.where:
                return f"{where_field(field)}{'!=' if exists else '='}\"success\""
            return f'{"NOT " if exists else ""}errorCode="success"'
        if self.where:
            return f"{'isnotnull' if exists else 'isnull'}({self._ref(field)})"
        if field.lower() in SEARCH_MODIFIERS:
            raise _NeedsWhere
        names = self._names(field)
        if exists:
            return self._search_any([f"{n}=*" for n in names])
        return " AND ".join(f"NOT {n}=*" for n in names) if len(names) == 1 else (
            "(" + " AND ".join(f"NOT {n}=*" for n in names) + ")")

    def finish(self, expr: str, rule: SigmaRule) -> str:
        if not self.cloudtrail:
            return f"search * | where {expr}" if self.where else (f"({expr})" if self._root_or else expr)
        if self.where:
            return f'sourcetype="aws:cloudtrail" | where {expr}'
        if self._root_or:
            expr = f"({expr})"  # search binds OR tighter than AND; make the reading obvious
        return f'sourcetype="aws:cloudtrail" {expr}'
