"""Evaluate a parsed metric filter pattern on one raw JSON log event (a CloudTrail record).

Facts used (AWS-FPS, see assumptions.py for the sources and the unconfirmed choices):
- "Filter patterns are case sensitive"; a string matches the whole value, ``*`` matches any run of
  characters; a ``%regex%`` matches anywhere in the value unless anchored;
- "Property selectors point to value nodes in JSON log events. Value nodes can be strings or
  numbers. [...] If a property selector points to an array or object, the filter pattern won't
  match" — so no comparison, not even ``!=``, matches an object or an array;
- ``IS NULL`` / ``IS TRUE`` / ``IS FALSE`` test the JSON literals; ``NOT EXISTS`` a missing field.
There is no general negation: the result is always true or false (no null).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from engines.metricfilter import assumptions as A
from engines.metricfilter.lexer import Segment
from engines.metricfilter.parser import (
    AllOf,
    AnyOf,
    IsTest,
    NotExists,
    NumberTest,
    Pattern,
    RegexTest,
    StringTest,
)
from engines.metricfilter.regex import compile_regex

Matcher = Callable[[Any], bool]

_MISSING = object()
_ORDER = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
          ">=": operator.ge}


def _resolve(event: Any, path: tuple[Segment, ...]) -> Any:
    """The value at ``path``, or _MISSING. ``[n]`` indexes arrays only, names index objects only."""
    node = event
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return _MISSING
        elif not isinstance(node, dict) or step not in node:
            return _MISSING
        node = node[step]
    return node


def _text(value: Any) -> str | None:
    """The text a string pattern or regex is matched against, or None when none applies."""
    if isinstance(value, bool):
        return ("true" if value else "false") if A.STRING_PATTERN_MATCHES_BOOLEAN else None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return A.number_text(value) if A.STRING_PATTERN_MATCHES_NUMBER_TEXT else None
    return None  # null, object or array


def _wildcard(value: str) -> Callable[[str], bool]:
    core = value.strip("*")
    starts, ends = value.startswith("*"), value.endswith("*")
    if not core and (starts or ends):
        return lambda text: True  # "*" alone: any value (CDK exists() is `= "*"`)
    if starts and ends:
        return lambda text: core in text
    if starts:
        return lambda text: text.endswith(core)
    if ends:
        return lambda text: text.startswith(core)
    return lambda text: text == core


def _absent_outcome(value: Any) -> bool | None:
    """For ``!=``: the outcome when there is no comparable value, or None when there is one."""
    if value is _MISSING:
        return A.NOT_EQUAL_MATCHES_MISSING
    if value is None:
        return A.NOT_EQUAL_MATCHES_NULL
    if isinstance(value, (dict, list)):
        return False  # AWS-FPS: an object or array selector never matches
    return None


def _text_test(path: tuple[Segment, ...], matches: Callable[[str], bool], negated: bool) -> Matcher:
    def test(event: Any) -> bool:
        value = _resolve(event, path)
        if negated:
            absent = _absent_outcome(value)
            if absent is not None:
                return absent
        text = _text(value) if value is not _MISSING else None
        if text is None:
            return False
        return not matches(text) if negated else matches(text)
    return test


def _number_test(node: NumberTest) -> Matcher:
    order, number, negated = _ORDER[node.op], node.number, node.op == "!="

    def test(event: Any) -> bool:
        value = _resolve(event, node.path)
        if negated:
            absent = _absent_outcome(value)
            if absent is not None:
                return absent
        if isinstance(value, bool) or value is _MISSING:
            return False
        if isinstance(value, str):
            if not A.NUMBER_LITERAL_MATCHES_NUMERIC_STRING:
                return False
            try:
                value = float(value)
            except ValueError:
                return False
        if not isinstance(value, (int, float)):
            return False
        return order(value, number)
    return test


def compile_pattern(node: Pattern) -> Matcher:
    """A function telling whether the pattern matches one parsed JSON event."""
    if isinstance(node, StringTest):
        return _text_test(node.path, _wildcard(node.value), node.negated)
    if isinstance(node, RegexTest):
        search = compile_regex(node.source).search
        return _text_test(node.path, lambda text: search(text) is not None, node.negated)
    if isinstance(node, NumberTest):
        return _number_test(node)
    if isinstance(node, IsTest):
        literal = {"NULL": None, "TRUE": True, "FALSE": False}[node.what]

        def is_test(event: Any) -> bool:
            value = _resolve(event, node.path)
            if value is _MISSING:
                return A.IS_NULL_MATCHES_MISSING and literal is None
            return value is literal
        return is_test
    if isinstance(node, NotExists):
        def not_exists(event: Any) -> bool:
            value = _resolve(event, node.path)
            return value is _MISSING or (value is None and A.NOT_EXISTS_MATCHES_NULL)
        return not_exists
    if isinstance(node, AllOf):
        parts = [compile_pattern(op) for op in node.operands]
        return lambda event: all(part(event) for part in parts)
    if isinstance(node, AnyOf):
        parts = [compile_pattern(op) for op in node.operands]
        return lambda event: any(part(event) for part in parts)
    raise TypeError(f"cannot evaluate {node!r}")  # pragma: no cover
