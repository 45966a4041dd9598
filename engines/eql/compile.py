"""Compile an EQL condition to a closure `doc -> bool` with Elasticsearch's semantics.

Elasticsearch does not evaluate EQL row by row: it translates the condition to Query DSL and lets
the index answer. The closures reproduce that translation:

- `==` is a term query, `in` a terms query, `:`/`like`/`like~` wildcard queries, `regex`/`regex~`
  regexp queries, `< <= > >=` range queries, `?f == null` a negated exists query;
- each is true when any indexed value of the field satisfies it, false when there is none;
- `!=` is `not ==`; `not` is a `must_not`, except that the optimizer first pushes `not` through
  `and`/`or` and flips range comparisons (`not f < 5` is `f >= 5`: false without a value);
- an optional field missing from the mapping is null: every comparison on it is null (no match,
  negated or not) except the null checks.

The compiler works on the negation normal form: `compile(node, negated)` gives the closure of
`not node` when `negated` is set, so each leaf knows its polarity.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from eql import ast

from engines.base import QueryError
from engines.eql import assumptions
from engines.eql.fields import KEYWORD_TYPES, NUMERIC_TYPES, FieldInfo, FieldResolver, as_ip
from engines.eql.lucene_regex import LuceneRegexError, LuceneRegexUnsupported, compile_lucene_regex
from engines.eql.parse import PREDICATE_PREFIX, OptionalField, ParsedQuery
from engines.eql.patterns import ascii_fold, eql_like_matcher, lucene_wildcard_matcher, prefix_matcher

__all__ = ["Matcher", "compile_query"]

Matcher = Callable[[Mapping[str, Any]], bool]
ValueTest = Callable[[Any], bool]

_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_FLIP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_RANGE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_STRING_FUNCTIONS = {"startsWith", "endsWith", "stringContains"}


def _never(doc: Mapping[str, Any]) -> bool:
    return False


def _always(doc: Mapping[str, Any]) -> bool:
    return True


def _all_of(matchers: Sequence[Matcher]) -> Matcher:
    return lambda doc: all(m(doc) for m in matchers)


def _any_of(matchers: Sequence[Matcher]) -> Matcher:
    return lambda doc: any(m(doc) for m in matchers)


def _literal(node: Any) -> Any:
    if isinstance(node, ast.Null):
        return None
    if isinstance(node, ast.String | ast.Number | ast.Boolean):
        return node.value
    raise QueryError(f"expected a literal, found {node}: comparisons need a field and a constant")


def _describe(value: Any) -> str:
    return "null" if value is None else type(value).__name__


class _Compiler:
    def __init__(self, resolver: FieldResolver) -> None:
        self.resolver = resolver

    # -- operands --
    def field(self, node: Any) -> FieldInfo | None:
        if isinstance(node, ast.FunctionCall | ast.MathOperation):
            raise QueryError(f"{node} as an operand runs as a script in Elasticsearch: not modelled")
        if not isinstance(node, ast.Field):
            raise QueryError(f"expected a field, found {node} (only field-against-literal predicates run here)")
        if any(not isinstance(part, str) for part in node.path):
            raise QueryError(f"array index in field {node} is not supported by Elasticsearch EQL")
        name = ".".join([node.base, *node.path])
        return self.resolver.resolve(name, optional=isinstance(node, OptionalField))

    @staticmethod
    def keyword(field: FieldInfo, what: str) -> None:
        if field.type not in KEYWORD_TYPES:
            raise QueryError(f"{what} needs a string field; [{field.name}] is of type [{field.type}]")

    # -- leaves --
    @staticmethod
    def leaf(field: FieldInfo | None, test: ValueTest, negated: bool) -> Matcher:
        if field is None:
            return _never  # null: neither the predicate nor its negation holds
        values = field.values
        if negated:
            return lambda doc: not any(test(v) for v in values(doc))
        return lambda doc: any(test(v) for v in values(doc))

    def equality(self, field: FieldInfo, value: Any, insensitive: bool) -> ValueTest:
        kind = field.type
        if kind in KEYWORD_TYPES:
            if not isinstance(value, str):
                raise QueryError(f"cannot compare [{field.name}] of type [{kind}] with a {_describe(value)}")
            if insensitive:
                folded = ascii_fold(value)
                return lambda v: ascii_fold(v) == folded
            return lambda v: v == value
        if insensitive:
            raise QueryError(f"case-insensitive comparison on [{field.name}] of type [{kind}] is not allowed")
        if kind in NUMERIC_TYPES:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise QueryError(f"cannot compare [{field.name}] of type [{kind}] with a {_describe(value)}")
            return lambda v: v == value
        if kind == "boolean":
            if not isinstance(value, bool):
                raise QueryError(f"cannot compare [{field.name}] of type [boolean] with a {_describe(value)}")
            return lambda v: v is value
        if kind == "ip":
            address = as_ip(value)
            if address is None:
                raise QueryError(f"'{value}' is not an IP string literal (field [{field.name}] is of type [ip])")
            return lambda v: v == address
        raise QueryError(f"comparisons on [{field.name}] of type [{kind}] are not modelled")

    def range_test(self, field: FieldInfo, operator: str, value: Any) -> ValueTest:
        compare = _RANGE[operator]
        if field.type in KEYWORD_TYPES and isinstance(value, str):
            return lambda v: compare(v, value)  # code point order = UTF-8 byte order of the terms
        if field.type in NUMERIC_TYPES and isinstance(value, int | float) and not isinstance(value, bool):
            return lambda v: compare(v, value)
        raise QueryError(
            f"range comparison of [{field.name}] of type [{field.type}] with a {_describe(value)} is not modelled"
        )

    # -- nodes --
    def compile(self, node: Any, negated: bool) -> Matcher:
        if isinstance(node, ast.And | ast.Or):
            conjunction = isinstance(node, ast.And) != negated  # De Morgan under negation
            parts = [self.compile(term, negated) for term in node.terms]
            return _all_of(parts) if conjunction else _any_of(parts)
        if isinstance(node, ast.Not):
            return self.compile(node.term, not negated)
        if isinstance(node, ast.Boolean):
            return _always if node.value != negated else _never
        if isinstance(node, ast.Comparison):
            return self.comparison(node, negated)
        if isinstance(node, ast.IsNull | ast.IsNotNull):
            return self.null_check(node, negated)
        if isinstance(node, ast.InSet):
            return self.in_set(node.expression, node.container, negated, insensitive=False)
        if isinstance(node, ast.FunctionCall):
            return self.function(node, negated)
        raise QueryError(f"unsupported EQL expression: {node}")

    def comparison(self, node: ast.Comparison, negated: bool) -> Matcher:
        left, operator, right = node.left, node.comparator, node.right
        if isinstance(left, ast.Literal) and not isinstance(right, ast.Literal):
            left, right, operator = right, left, _MIRROR[operator]
        field = self.field(left)
        value = _literal(right)
        if operator in ("==", "!="):
            if field is None:
                return _never
            return self.leaf(field, self.equality(field, value, insensitive=False), negated != (operator == "!="))
        if field is None:
            return _never
        if negated and assumptions.RANGE_NEGATION_FLIPS:
            return self.leaf(field, self.range_test(field, _FLIP[operator], value), negated=False)
        return self.leaf(field, self.range_test(field, operator, value), negated)

    def null_check(self, node: ast.IsNull | ast.IsNotNull, negated: bool) -> Matcher:
        wants_null = isinstance(node, ast.IsNull) != negated
        field = self.field(node.expr)
        if field is None:
            return _always if wants_null else _never
        values = field.values
        if wants_null:
            return lambda doc: not values(doc)
        return lambda doc: bool(values(doc))

    def in_set(self, expression: Any, container: Sequence[Any], negated: bool, insensitive: bool) -> Matcher:
        field = self.field(expression)
        literals = [_literal(item) for item in container]
        if field is None:
            return _never
        tests = [self.equality(field, value, insensitive) for value in literals if value is not None]
        if not tests:
            return _never if not negated else _always
        if field.type in KEYWORD_TYPES:
            # One set lookup instead of a test per literal: same answer, much faster on long lists.
            if insensitive:
                folded = frozenset(ascii_fold(v) for v in literals if v is not None)
                return self.leaf(field, lambda v: ascii_fold(v) in folded, negated)
            exact = frozenset(v for v in literals if v is not None)
            return self.leaf(field, lambda v: v in exact, negated)
        return self.leaf(field, lambda v: any(test(v) for test in tests), negated)

    def function(self, node: ast.FunctionCall, negated: bool) -> Matcher:
        name, args = node.name, node.arguments
        if node.as_method:
            raise QueryError(f"method syntax :{name}() is not Elasticsearch EQL")
        if name.startswith(PREDICATE_PREFIX):
            operator = name[len(PREDICATE_PREFIX) :]
            if operator == "in~":
                return self.in_set(args[0], args[1:], negated, insensitive=True)
            return self.string_predicate(operator, args, negated)
        base = name.rstrip("~")
        if base in _STRING_FUNCTIONS:
            return self.string_function(base, name.endswith("~"), args, negated)
        if name == "cidrMatch":
            return self.cidr_match(args, negated)
        raise QueryError(f"function {name}() is not supported by the EQL executor")

    def string_predicate(self, operator: str, args: Sequence[Any], negated: bool) -> Matcher:
        field = self.field(args[0])
        patterns = [_literal(arg) for arg in args[1:]]
        if any(not isinstance(p, str) for p in patterns):
            raise QueryError(f"`{operator}` compares strings only")
        if field is None:
            return _never
        self.keyword(field, f"`{operator}`")
        if operator in (":", "like", "like~"):
            insensitive = operator != "like"
            tests = [eql_like_matcher(p, insensitive=insensitive) for p in patterns]
        elif operator in ("regex", "regex~"):
            # Elasticsearch joins the alternatives with `|` into one Lucene regexp.
            try:
                compiled = compile_lucene_regex("|".join(patterns), case_insensitive=operator == "regex~")
            except LuceneRegexError as exc:
                raise QueryError(f"invalid Lucene regexp {patterns!r}: {exc}") from None
            except LuceneRegexUnsupported as exc:
                raise QueryError(f"Lucene regexp {patterns!r} uses {exc}: not modelled") from None
            tests = [lambda v, c=compiled: c.fullmatch(v) is not None]
        else:
            raise QueryError(f"unknown string predicate {operator}")
        if len(tests) == 1:
            return self.leaf(field, tests[0], negated)
        return self.leaf(field, lambda v: any(t(v) for t in tests), negated)

    def string_function(self, base: str, insensitive: bool, args: Sequence[Any], negated: bool) -> Matcher:
        if len(args) != 2 or not isinstance(args[0], ast.Field) or not isinstance(args[1], ast.String):
            raise QueryError(f"{base}() runs here only as {base}(field, \"literal\") (otherwise a script)")
        field = self.field(args[0])
        text = args[1].value
        if field is None:
            return _never
        self.keyword(field, f"{base}()")
        try:
            if base == "startsWith":
                test = prefix_matcher(text, insensitive=insensitive)
            elif base == "endsWith":
                test = lucene_wildcard_matcher("*" + text, insensitive=insensitive)
            else:
                test = lucene_wildcard_matcher("*" + text + "*", insensitive=insensitive)
        except ValueError as exc:
            raise QueryError(f"{base}~({text!r}): {exc}") from None
        if assumptions.STRING_FUNCTIONS_PUSHED_DOWN:
            return self.leaf(field, test, negated)
        # Script semantics: null-safe, so a document without a value never matches.
        values = field.values
        if negated:
            return lambda doc: any(not test(v) for v in values(doc))
        return lambda doc: any(test(v) for v in values(doc))

    def cidr_match(self, args: Sequence[Any], negated: bool) -> Matcher:
        if len(args) < 2:
            raise QueryError("cidrMatch() needs a field and at least one CIDR")
        field = self.field(args[0])
        networks = []
        for arg in args[1:]:
            text = _literal(arg)
            if not isinstance(text, str):
                raise QueryError("cidrMatch() takes CIDR strings")
            try:
                network = ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise QueryError(f"invalid CIDR {text!r} in cidrMatch()") from None
            if isinstance(network, ipaddress.IPv6Network) and network.overlaps(
                ipaddress.IPv6Network("::ffff:0:0/96")
            ):
                raise QueryError(f"cidrMatch() with {text!r} (IPv4-mapped IPv6 range) is not modelled")
            networks.append(network)
        if field is None:
            return _never
        if field.type != "ip":
            raise QueryError(f"cidrMatch() needs a field of type [ip]; [{field.name}] is [{field.type}]")
        return self.leaf(field, lambda v: any(v in net for net in networks), negated)


def compile_query(parsed: ParsedQuery, resolver: FieldResolver) -> Matcher:
    """The closure answering whether a stored document matches the parsed query."""
    compiler = _Compiler(resolver)
    condition = compiler.compile(parsed.condition, negated=False)
    if parsed.category is None:
        return condition
    category_field = resolver.resolve("event.category", optional=False)
    assert category_field is not None
    category_test = compiler.leaf(category_field, compiler.equality(category_field, parsed.category, False), False)
    return _all_of([category_test, condition])
