"""Parse EQL with Elastic's `eql` package, keeping what its AST throws away.

The `eql` package (Elasticsearch syntax mode) parses `like` and `like~` both into
`wildcard(...)`, `regex`/`regex~` both into `match(...)`, `in~` into a plain `InSet`, drops the `~`
of `startsWith~(...)`, and keeps no trace of the `?` of an optional field. Those distinctions
decide case sensitivity and the unmapped-field rule in Elasticsearch, so they are recovered here.

How: the package builds its AST with a lark `Interpreter` (`eql.parser.LarkToEQL`) over the lark
parse tree, and the tokens are still on that tree when each rule's visitor runs:
`STRING_PREDICATE` (":", "like", "like~", "regex", "regex~") in `string_predicate`, `IN`
("in" or "in~") in `in_set`, an `INSENSITIVE_NAME` token ("startsWith~") in `function_call`, and
the field text (starting with "?") in `field`. `_EsWalker` subclasses that interpreter, lets the
parent build each node, and re-labels it: string predicates and `in~` become calls to reserved
names (`siemc:like~` ...; a colon cannot occur in an EQL function name), insensitive functions
keep their `~`, and optional fields become `OptionalField`. The query is first parsed by the
unmodified `eql.parse_query` (the validator the rest of the project uses, for its error messages),
then walked again by `_EsWalker` with the package's optimizer off: the optimizer folds case and
rewrites `not` in ways that are not Elasticsearch's.
"""

from __future__ import annotations

from dataclasses import dataclass

import eql
from eql import ast
from eql.errors import EqlError
from eql.parser import (
    LarkToEQL,
    elasticsearch_syntax,
    ignore_missing_functions,
    lark_parser,
    skip_optimizations,
)
from eql.schema import EVENT_TYPE_ANY
from lark.exceptions import LarkError

from engines.base import QueryError

__all__ = ["PREDICATE_PREFIX", "OptionalField", "ParsedQuery", "parse_es_eql"]

#: Function-name prefix of the re-labelled predicates: `siemc::`, `siemc:like`, `siemc:like~`,
#: `siemc:regex`, `siemc:regex~`, `siemc:in~`.
PREDICATE_PREFIX = "siemc:"


class OptionalField(ast.Field):
    """A field written `?name`: null instead of an error when the mapping lacks it."""

    __slots__ = ()


@dataclass(frozen=True)
class ParsedQuery:
    """An event query: its category (None for `any`) and its condition."""

    category: str | None
    condition: ast.Expression


class _EsWalker(LarkToEQL):
    """LarkToEQL that records `~`, the string-predicate operator and `?` (see module doc)."""

    def string_predicate(self, node):  # type: ignore[no-untyped-def]
        info = super().string_predicate(node)
        operator = str(node["STRING_PREDICATE"])
        info.node = ast.FunctionCall(PREDICATE_PREFIX + operator, info.node.arguments)
        return info

    def in_set(self, node):  # type: ignore[no-untyped-def]
        info = super().in_set(node)
        if str(node["IN"]) == "in~":
            in_set = info.node
            info.node = ast.FunctionCall(PREDICATE_PREFIX + "in~", [in_set.expression, *in_set.container])
        return info

    def function_call(self, node, prev_node=None, prev_arg=None):  # type: ignore[no-untyped-def]
        info = super().function_call(node, prev_node, prev_arg)
        name_token = node.children[0] if node.data != "method" else None
        if getattr(name_token, "type", None) == "INSENSITIVE_NAME" and isinstance(info.node, ast.FunctionCall):
            call = info.node
            info.node = ast.FunctionCall(call.name + "~", call.arguments, call.as_method)
        return info

    def field(self, node):  # type: ignore[no-untyped-def]
        info = super().field(node)
        if str(node.children[-1]).startswith("?") and type(info.node) is ast.Field:
            info.node = OptionalField(info.node.base, info.node.path)
        return info


def _syntax_error(exc: Exception) -> QueryError:
    return QueryError(f"EQL syntax error: {exc}")


def parse_es_eql(text: str) -> ParsedQuery:
    """Parse `text` as Elasticsearch EQL; QueryError for anything Elasticsearch would refuse here."""
    if not text.strip():
        raise QueryError("empty EQL query")
    with elasticsearch_syntax, ignore_missing_functions, skip_optimizations:
        try:
            eql.parse_query(text)
            source = text if text.endswith("\n") else text + "\n"
            tree = lark_parser.parse(source, start="piped_query")
            root = _EsWalker(source).visit(tree)
        except (EqlError, LarkError) as exc:
            raise _syntax_error(exc) from None
    if not isinstance(root, ast.PipedQuery) or root.pipes:
        raise QueryError("only a single event query is supported (no pipes)")
    query = root.first
    if not isinstance(query, ast.EventQuery):
        raise QueryError(f"only event queries are supported, not {type(query).__name__.lower()}")
    category = None if query.event_type == EVENT_TYPE_ANY else query.event_type
    return ParsedQuery(category=category, condition=query.query)
