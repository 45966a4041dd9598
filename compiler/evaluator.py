"""The reference: Sigma's own semantics evaluated on a raw event (design.md, semantics.md C).

A rule is compiled once into Python closures over the raw event:
- a field path is dotted; a JSON array on the way yields each element (a field matches if any of
  its values does); a key holding dots literally is found too;
- plain strings match the whole value case-insensitively with ``*`` and ``?``; ``|cased`` keeps case;
  JSON numbers and booleans compare as their JSON text (``5``, ``true``); null and objects are not
  strings;
- ``|re`` is PCRE: case-sensitive, unanchored, ``\\d \\w \\s`` ASCII (PCRE without UCP);
- ``null`` matches an absent or null field; ``|exists`` is presence alone (null and "" count);
- keywords are searched across the whole event (the spec's words): a keyword matches when any
  scalar value anywhere in the event contains it, case-insensitively, wildcards honoured.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.rule import SigmaRule
from sigma.types import (
    CompareOperators,
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

Event = dict[str, Any]
JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
Predicate = Callable[[Event], bool]
_MISSING = object()


class EvaluationError(Exception):
    """The rule uses something the reference evaluator does not define."""


# ---- field access ------------------------------------------------------------------------------
def _walk(obj: Any, segs: list[str]) -> Iterator[Any]:
    if isinstance(obj, list):
        for item in obj:
            yield from _walk(item, segs)
        return
    if not segs:
        yield obj
        return
    if not isinstance(obj, dict):
        return
    for k in range(len(segs), 0, -1):  # longest key first: "a.b" as one key beats a -> b
        key = segs[0] if k == 1 else ".".join(segs[:k])
        if key in obj:
            yield from _walk(obj[key], segs[k:])
            return


def field_values(event: Event, path: str) -> list[Any]:
    """Every value at ``path`` (arrays expanded); [] when absent."""
    if path in event and not isinstance(event[path], (list, dict)):
        return [event[path]]
    return list(_walk(event, path.split(".")))


def _present(obj: Any, segs: list[str]) -> bool:
    if not segs:
        return True
    if isinstance(obj, list):
        return any(_present(item, segs) for item in obj)
    if not isinstance(obj, dict):
        return False
    for k in range(len(segs), 0, -1):
        key = ".".join(segs[:k])
        if key in obj:
            return _present(obj[key], segs[k:])
    return False


def field_present(event: Event, path: str) -> bool:
    """Whether the field exists, whatever its value (null, "" and [] included)."""
    return path in event or _present(event, path.split("."))


def as_text(value: Any) -> str | None:
    """A JSON scalar as Sigma compares it: its JSON text; None for null, objects and arrays."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


# ---- values --------------------------------------------------------------------------------------
def _glob_regex(value: SigmaString, cased: bool) -> re.Pattern[str]:
    parts = []
    for p in value.s:
        if p is SpecialChars.WILDCARD_MULTI:
            parts.append(".*")
        elif p is SpecialChars.WILDCARD_SINGLE:
            parts.append(".")
        elif isinstance(p, Placeholder):
            raise EvaluationError(f"unexpanded placeholder %{p.name}%")
        else:
            parts.append(re.escape(p))
    flags = re.DOTALL | (0 if cased else re.IGNORECASE)
    return re.compile(r"\A" + "".join(parts) + r"\Z", flags)


def _text_matcher(value: Any) -> Callable[[str], bool]:
    if isinstance(value, SigmaString):
        cased = isinstance(value, SigmaCasedString)
        if not value.contains_special():
            lit = "".join(p for p in value.s if isinstance(p, str))
            if cased:
                return lambda t: t == lit
            folded = lit.lower()
            if folded.upper().lower() == folded and lit.isascii():
                # the fast path for ASCII text; other text goes through the same regex as wildcard
                # values, so every case-insensitive match folds case one way (re's Unicode folding)
                slow = _glob_regex(value, cased).match
                return lambda t: t.lower() == folded if t.isascii() else slow(t) is not None
        return _glob_regex(value, cased).match  # type: ignore[return-value]
    if isinstance(value, SigmaNumber):
        text = str(value.number)
        return lambda t: t == text
    if isinstance(value, SigmaBool):
        text = "true" if value.boolean else "false"
        return lambda t: t.lower() == text
    if isinstance(value, SigmaRegularExpression):
        flags = re.ASCII
        if SigmaRegularExpressionFlag.IGNORECASE in value.flags:
            flags |= re.IGNORECASE
        if SigmaRegularExpressionFlag.MULTILINE in value.flags:
            flags |= re.MULTILINE
        if SigmaRegularExpressionFlag.DOTALL in value.flags:
            flags |= re.DOTALL
        src = value.regexp.to_plain() if isinstance(value.regexp, SigmaString) else str(value.regexp)
        try:
            return re.compile(src, flags).search  # type: ignore[return-value]
        except re.error as e:
            raise EvaluationError(f"invalid regex /{src}/: {e}") from None
    if isinstance(value, SigmaCIDRExpression):
        net = value.network

        def in_net(t: str) -> bool:
            try:
                return ipaddress.ip_address(t) in net
            except ValueError:
                return False

        return in_net
    if isinstance(value, SigmaCompareExpression):
        n = value.number.number
        op = {CompareOperators.LT: float.__lt__, CompareOperators.LTE: float.__le__,
              CompareOperators.GT: float.__gt__, CompareOperators.GTE: float.__ge__}[value.op]

        def compare(t: str) -> bool:
            # a number is JSON's number syntax: Python's float() would also take " 3600", "3_600",
            # "+3600", "inf" and other scripts' digits, which no SIEM reads as numbers
            if JSON_NUMBER.fullmatch(t) is None:
                return False
            return op(float(t), float(n))

        return compare
    raise EvaluationError(f"value of type {type(value).__name__} is not supported by the reference evaluator")


def _leaf(field: str, value: Any) -> Predicate:
    if isinstance(value, SigmaExpansion):
        preds = [_leaf(field, v) for v in value.values]
        return lambda e: any(p(e) for p in preds)
    if isinstance(value, SigmaExists):
        want = value.exists
        return lambda e: field_present(e, field) is want
    if isinstance(value, SigmaNull):
        return lambda e: all(v is None for v in field_values(e, field))
    if isinstance(value, SigmaFieldReference):
        other = value.field

        def same(e: Event) -> bool:
            mine = {t.lower() for v in field_values(e, field) if (t := as_text(v)) is not None}
            return any((t := as_text(v)) is not None and t.lower() in mine for v in field_values(e, other))

        return same
    matcher = _text_matcher(value)
    if "." not in field:
        def simple(e: Event) -> bool:
            v = e.get(field, _MISSING)
            if v is _MISSING:
                return False
            if isinstance(v, list):
                return any((t := as_text(x)) is not None and matcher(t) for x in _walk(v, []))
            t = as_text(v)
            return t is not None and bool(matcher(t))

        return simple
    return lambda e: any((t := as_text(v)) is not None and matcher(t) for v in field_values(e, field))


def _scalars(obj: Any) -> Iterator[Any]:
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _scalars(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _scalars(v)
    else:
        yield obj


def _keyword(value: Any) -> Predicate:
    if isinstance(value, SigmaExpansion):
        preds = [_keyword(v) for v in value.values]
        return lambda e: any(p(e) for p in preds)
    if isinstance(value, SigmaString) and not isinstance(value, SigmaCasedString):
        # "searching for keywords across an entire event": the keyword may sit inside a longer value
        value = SigmaString("*") + value + SigmaString("*") if value.s else value
    matcher = _text_matcher(value)
    return lambda e: any((t := as_text(v)) is not None and matcher(t) for v in _scalars(e))


def _compile(cond: Any) -> Predicate:
    if isinstance(cond, ConditionAND):
        parts = [_compile(a) for a in cond.args]
        return lambda e: all(p(e) for p in parts)
    if isinstance(cond, ConditionOR):
        parts = [_compile(a) for a in cond.args]
        return lambda e: any(p(e) for p in parts)
    if isinstance(cond, ConditionNOT):
        inner = _compile(cond.args[0])
        return lambda e: not inner(e)
    if isinstance(cond, ConditionFieldEqualsValueExpression):
        return _leaf(cond.field, cond.value)
    if isinstance(cond, ConditionValueExpression):
        return _keyword(cond.value)
    raise EvaluationError(f"condition {type(cond).__name__} is not supported by the reference evaluator")


def compile_rule(rule: SigmaRule) -> Predicate:
    """The rule as one predicate over raw events (a condition list is the OR of its conditions)."""
    preds = [_compile(c.parsed) for c in rule.detection.parsed_condition]
    if len(preds) == 1:
        return preds[0]
    return lambda e: any(p(e) for p in preds)
