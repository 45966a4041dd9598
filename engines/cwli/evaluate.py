"""Compile a parsed Logs Insights query into closures over one event's discovered fields.

A document is a flat mapping of discovered field names (``userIdentity.type``,
``requestParameters.instancesSet.items.0.instanceId``, ``@message``) to str / int / float; JSON
booleans are already 1 / 0 (fact sheet F.1 row 1.6). A name not in the mapping is missing (null).

Conditions evaluate to True, False or None (null). ``filter`` keeps an event only when its
condition is True (AWS-FILTER: "returns log events that match"). The handling of nulls and every
other unconfirmed choice comes from engines.cwli.assumptions, through a ``Readings`` value, so
the same query can be compiled under each alternative reading.
"""

from __future__ import annotations

import ipaddress
import operator
from collections.abc import Callable, Mapping
from typing import Any

from engines.base import QueryError
from engines.cwli import assumptions as A
from engines.cwli.parser import (
    And,
    Call,
    Compare,
    Condition,
    Expr,
    Field,
    InList,
    Like,
    Not,
    Or,
    Query,
    Value,
)
from engines.cwli.regex import compile_regex

Doc = Mapping[str, Any]
Scalar = str | int | float
Getter = Callable[[Doc], Any]  # returns a Scalar, a bool (from boolean functions) or None
Predicate = Callable[[Doc], "bool | None"]

_ORDER = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
          ">=": operator.ge}


def _fold(text: str) -> str:
    return text if A.STRING_EQUALITY_CASE_SENSITIVE else text.lower()


def _text(value: Scalar) -> str:
    return value if isinstance(value, str) else A.number_text(value)


# --- Values ---------------------------------------------------------------------------------------


def _field(name: str) -> Getter:
    if A.FIELD_NAMES_CASE_SENSITIVE:
        def get(doc: Doc) -> Any:
            value = doc.get(name)
            # A value of another type (a list or map left in by a view) reads as null: maps and
            # lists are "treated as null for string, number, and datetime functions" (AWS-FUNC).
            return value if isinstance(value, (str, int, float)) else None
        return get

    wanted = name.lower()

    def get_folded(doc: Doc) -> Any:
        for key, value in doc.items():
            if key.lower() == wanted and isinstance(value, (str, int, float)):
                return value
        return None
    return get_folded


def _value(node: Value) -> Getter:
    if isinstance(node, Field):
        return _field(node.name)
    return _call(node)


def _call(node: Call) -> Getter:
    name, args = node.name, node.args
    if name == "ispresent":
        inner = _field(args[0].name)  # type: ignore[union-attr]
        return lambda doc: inner(doc) is not None
    get = _value(args[0])  # type: ignore[arg-type]
    if name == "isempty":
        return lambda doc: _flag_empty(get(doc), blank=False)
    if name == "isblank":
        return lambda doc: _flag_empty(get(doc), blank=True)
    if name in ("tolower", "toupper"):
        convert = A.to_lower if name == "tolower" else A.to_upper

        def case(doc: Doc) -> str | None:
            value = get(doc)
            return None if value is None else convert(_text(value))
        return case
    if name == "strlen":
        def length(doc: Doc) -> int | None:
            value = get(doc)
            return None if value is None else len(_text(value))  # code points, as documented
        return length
    if name == "strcontains":
        sub = str(args[1])
        ignore_case = len(args) > 2 and args[2] is True

        def contains(doc: Doc) -> int | None:
            value = get(doc)
            if value is None:
                return None
            text = _text(value)
            found = A.contains_ignoring_case(text, sub) if ignore_case else sub in text
            return 1 if found else 0
        return contains
    if name.startswith("isvalidip"):
        version = {"isvalidip": None, "isvalidipv4": 4, "isvalidipv6": 6}[name]
        return lambda doc: _ip_test(get(doc), version, None)
    if name.endswith("insubnet"):
        network = A.parse_subnet(str(args[1]))
        version = {"isipinsubnet": None, "isipv4insubnet": 4, "isipv6insubnet": 6}[name]
        if version is not None and network.version != version:
            raise QueryError(f"{name}() needs an IPv{version} block, got {args[1]!r}")
        return lambda doc: _ip_test(get(doc), version, network)
    raise QueryError(f"function {name}() has no evaluator")  # pragma: no cover - parser table guards it


def _flag_empty(value: Any, *, blank: bool) -> int:
    if value is None:
        return 1
    if not isinstance(value, str):
        return 0
    return 1 if (value.strip(A.BLANK_CHARACTERS) if blank else value) == "" else 0


def _ip_test(value: Any, version: int | None,
             network: ipaddress.IPv4Network | ipaddress.IPv6Network | None) -> bool:
    if value is None:
        return A.IP_FUNCTIONS_ON_MISSING_FIELD
    address = A.parse_ip(_text(value))
    if address is None or (version is not None and address.version != version):
        return False
    return network is None or (address.version == network.version and address in network)


# --- Conditions -----------------------------------------------------------------------------------


class _Compiler:
    def __init__(self, readings: A.Readings) -> None:
        self.readings = readings

    def expr(self, node: Expr) -> Predicate:
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, InList):
            return self.in_list(node)
        if isinstance(node, Like):
            return self.like(node)
        if isinstance(node, Condition):
            return self.condition(node)
        if isinstance(node, Not):
            return _kleene_not(self.expr(node.operand))
        if isinstance(node, And):
            return _kleene_and([self.expr(op) for op in node.operands])
        if isinstance(node, Or):
            return _kleene_or([self.expr(op) for op in node.operands])
        raise QueryError(f"cannot evaluate {node!r}")  # pragma: no cover

    def null(self, negated_operator: bool) -> bool | None:
        return A.null_outcome(self.readings.null, negated_operator)

    def compare(self, node: Compare) -> Predicate:
        get, op, literal = _value(node.left), node.op, node.right
        null = self.null(op == "!=")
        if isinstance(literal, str):
            wanted = _fold(literal)
            as_text = self.readings.number_equals_string_literal
            negate = op == "!="

            def text_compare(doc: Doc) -> bool | None:
                value = get(doc)
                if value is None:
                    return null
                if isinstance(value, str):
                    equal = _fold(value) == wanted
                else:
                    equal = as_text and A.number_text(value) == literal
                return not equal if negate else equal
            return text_compare

        order = _ORDER[op]

        def number_compare(doc: Doc) -> bool | None:
            value = get(doc)
            if value is None:
                return null
            if isinstance(value, str):
                number = A.numeric_value_of_text(value)
                if number is None:
                    return A.non_numeric_string_vs_number(op)
                value = number
            return order(value, literal)
        return number_compare

    def in_list(self, node: InList) -> Predicate:
        get, negated = _value(node.left), node.negated
        texts = frozenset(_fold(item) for item in node.items if isinstance(item, str))
        raw_texts = frozenset(item for item in node.items if isinstance(item, str))
        numbers = frozenset(item for item in node.items if not isinstance(item, str))
        as_text = self.readings.number_equals_string_literal
        null = self.null(negated)

        def member(doc: Doc) -> bool | None:
            value = get(doc)
            if value is None:
                return null
            if isinstance(value, str):
                found = _fold(value) in texts
                if not found and numbers:
                    number = A.numeric_value_of_text(value)
                    found = number is not None and number in numbers
            else:
                found = value in numbers or (as_text and A.number_text(value) in raw_texts)
            return not found if negated else found
        return member

    def like(self, node: Like) -> Predicate:
        get, negated = _value(node.left), node.negated
        null = self.null(negated)
        if node.is_regex:
            search = compile_regex(
                node.pattern, dollar_end_of_text_only=self.readings.dollar_end_of_text_only
            ).search

            def matches(text: str) -> bool:
                return search(text) is not None
        else:
            sub = node.pattern

            def matches(text: str) -> bool:
                return sub in text  # substring, case-sensitive (AWS-FILTER)

        def like(doc: Doc) -> bool | None:
            value = get(doc)
            if value is None:
                return null
            found = matches(_text(value))
            return not found if negated else found
        return like

    def condition(self, node: Condition) -> Predicate:
        get = _call(node.call)
        null = self.null(False)

        def test(doc: Doc) -> bool | None:
            value = get(doc)
            if value is None:
                return null
            if isinstance(value, bool):
                return value
            return value != 0 if A.FLAG_IS_TRUE_WHEN_NONZERO else value == 1
        return test


def _kleene_not(inner: Predicate) -> Predicate:
    def negate(doc: Doc) -> bool | None:
        value = inner(doc)
        return None if value is None else not value
    return negate


def _kleene_and(parts: list[Predicate]) -> Predicate:
    def conj(doc: Doc) -> bool | None:
        result: bool | None = True
        for part in parts:
            value = part(doc)
            if value is False:
                return False
            if value is None:
                result = None
        return result
    return conj


def _kleene_or(parts: list[Predicate]) -> Predicate:
    def disj(doc: Doc) -> bool | None:
        result: bool | None = False
        for part in parts:
            value = part(doc)
            if value is True:
                return True
            if value is None:
                result = None
        return result
    return disj


def compile_filters(query: Query, readings: A.Readings = A.DEFAULT_READINGS) -> Callable[[Doc], bool]:
    """A function telling whether one document passes every ``filter`` of the query."""
    compiler = _Compiler(readings)
    predicates = [compiler.expr(node) for node in query.filters]
    if not predicates:
        return lambda doc: True
    if len(predicates) == 1:
        only = predicates[0]
        return lambda doc: only(doc) is True
    return lambda doc: all(p(doc) is True for p in predicates)
