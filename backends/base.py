"""What every siemc backend shares: the condition structure and the dispatch of Sigma values.

Each target subclasses SiemcBackend, sets its boolean tokens and implements the leaf methods
(``match``, ``regex``, ``exists``, ...). Structure is kept simple and safe: every compound child is
parenthesised (so Splunk's OR-before-AND precedence in ``search`` cannot bite), and what a target
cannot express raises Refused, which the driver reports as a value.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionItem,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.conversion.base import TextQueryBackend
from sigma.conversion.state import ConversionState
from sigma.rule import SigmaRule
from sigma.types import (
    CompareOperators,
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
    SigmaTimestampPart,
)

from backends import regex as rx
from backends.pattern import Pattern
from backends.refusal import Refused

COMPARE = {CompareOperators.LT: "<", CompareOperators.LTE: "<=", CompareOperators.GT: ">",
           CompareOperators.GTE: ">="}


def is_cloudtrail(rule: SigmaRule) -> bool:
    ls = rule.logsource
    return ls.product == "aws" and ls.service == "cloudtrail"


def describe_logsource(rule: SigmaRule) -> str:
    ls = rule.logsource
    parts = [f"{k}={v}" for k, v in (("product", ls.product), ("category", ls.category), ("service", ls.service)) if v]
    return "/".join(parts) or "(none)"


class SiemcBackend(TextQueryBackend):
    target: ClassVar[str]
    or_token: ClassVar[str] = "or"
    and_token: ClassVar[str] = "and"
    not_token: ClassVar[str] = "not"
    group_expression: ClassVar[str] = "({expr})"
    not_expression: ClassVar[str] = "not {expr}"
    eq_token: ClassVar[str] = "="  # unused: leaves are rendered by the methods below

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: list[str] = []
        self.negation_depth = 0
        self.cloudtrail = True

    def convert_rule(self, rule: SigmaRule, output_format: str | None = None, callback: Any = None) -> Any:
        # The platform facts (field maps, stored types, defaults) are CloudTrail's; for any other log
        # source the event is taken as it is and field names are used as written, said in a note.
        self.cloudtrail = is_cloudtrail(rule)
        if not self.cloudtrail:
            self.other_logsource(rule)
        return super().convert_rule(rule, output_format, callback)

    def other_logsource(self, rule: SigmaRule) -> None:
        self.note(f"no platform view models log source {describe_logsource(rule)}: field names are used as "
                  "written and the event is assumed to be stored as it is")

    # --- notes travel with the query: what a target does differently, said out loud -------------
    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def refuse(self, construct: str, reason: str) -> Refused:
        return Refused(self.target, construct, reason)

    # --- structure ----------------------------------------------------------------------------
    def convert_condition(self, cond: Any, state: ConversionState) -> Any:
        if isinstance(cond, ConditionOR):
            return self._join(cond.args, self.or_token, state)
        if isinstance(cond, ConditionAND):
            return self._join(cond.args, self.and_token, state)
        if isinstance(cond, ConditionNOT):
            return self._not(cond.args[0], state)
        if isinstance(cond, ConditionFieldEqualsValueExpression):
            return self.field_value(cond.field, cond.value, state)
        if isinstance(cond, ConditionValueExpression):
            raise self.refuse("keyword search (a value without a field)", self.keyword_reason)
        raise self.refuse(f"condition {type(cond).__name__}", "not a Sigma detection construct")

    keyword_reason: ClassVar[str] = (
        "keywords match anywhere in the event, and this platform has no exact whole-event match"
    )

    def _child(self, item: ConditionItem, state: ConversionState) -> str:
        expr = self.convert_condition(item, state)
        compound = isinstance(item, (ConditionOR, ConditionAND)) or (
            isinstance(item, ConditionFieldEqualsValueExpression) and isinstance(item.value, SigmaExpansion)
        )
        return self.group_expression.format(expr=expr) if compound else expr

    def _join(self, items: list[ConditionItem], token: str, state: ConversionState) -> str:
        # a child of the same operator needs no parentheses: (a and b) and c == a and b and c
        kind = ConditionOR if token == self.or_token else ConditionAND
        parts = [
            self._join(i.args, token, state) if isinstance(i, kind) else self._child(i, state) for i in items
        ]
        return f" {token} ".join(parts)

    def _not(self, item: ConditionItem, state: ConversionState) -> str:
        # not of an existence test is the opposite test: no double negation in the output
        if isinstance(item, ConditionFieldEqualsValueExpression) and isinstance(item.value, SigmaExists):
            return self.exists(self.field(item.field), not item.value.exists)
        if isinstance(item, ConditionFieldEqualsValueExpression) and isinstance(item.value, SigmaNull):
            return self.exists(self.field(item.field), True)
        self.negation_depth += 1
        try:
            inner = self.convert_condition(item, state)
        finally:
            self.negation_depth -= 1
        if isinstance(item, (ConditionOR, ConditionAND)) or (
            isinstance(item, ConditionFieldEqualsValueExpression) and isinstance(item.value, SigmaExpansion)
        ):
            inner = self.group_expression.format(expr=inner)
        return self.negate(inner)

    def negate(self, expr: str) -> str:
        return self.not_expression.format(expr=expr)

    # --- values -------------------------------------------------------------------------------
    def field_value(self, field: str | None, value: Any, state: ConversionState) -> str:
        if field is None:
            raise self.refuse("keyword search (a value without a field)", self.keyword_reason)
        if isinstance(value, SigmaExpansion):
            parts = [self.field_value(field, v, state) for v in value.values]
            return f" {self.or_token} ".join(parts)
        name = self.field(field)
        if isinstance(value, SigmaCasedString):
            return self.match(name, self._pattern(value), cased=True)
        if isinstance(value, SigmaString):
            return self.match(name, self._pattern(value), cased=False)
        if isinstance(value, SigmaBool):
            return self.boolean(name, value.boolean)
        if isinstance(value, SigmaTimestampPart):
            raise self.refuse(f"|{value.timestamp_part.name.lower()} modifier", "time-part extraction "
                              "is not translated by siemc yet")
        if isinstance(value, SigmaNumber):
            return self.number(name, value.number)
        if isinstance(value, SigmaRegularExpression):
            return self.regex(name, self._regex(value))
        if isinstance(value, SigmaCIDRExpression):
            return self.cidr(name, value.network.compressed)
        if isinstance(value, SigmaCompareExpression):
            return self.compare(name, COMPARE[value.op], value.number.number)
        if isinstance(value, SigmaExists):
            return self.exists(name, value.exists)
        if isinstance(value, SigmaNull):
            return self.exists(name, False)
        if isinstance(value, SigmaFieldReference):
            raise self.refuse("|fieldref modifier", "comparing one field with another is not "
                              "translated exactly on this platform")
        raise self.refuse(f"value of type {type(value).__name__}", "not supported by siemc")

    def _pattern(self, value: SigmaString) -> Pattern:
        try:
            return Pattern.from_sigma(value)
        except ValueError as e:
            raise self.refuse("placeholder", str(e)) from None

    def _regex(self, value: SigmaRegularExpression) -> rx.Regex:
        flags = value.flags
        try:
            return rx.parse(
                value.regexp.to_plain() if isinstance(value.regexp, SigmaString) else str(value.regexp),
                ignorecase=SigmaRegularExpressionFlag.IGNORECASE in flags,
                multiline=SigmaRegularExpressionFlag.MULTILINE in flags,
                dotall=SigmaRegularExpressionFlag.DOTALL in flags,
            )
        except rx.Unsupported as e:
            raise self.refuse("|re modifier", f"the regex is outside Sigma's PCRE subset: {e}") from None

    # --- what a target implements ---------------------------------------------------------------
    def field(self, name: str) -> str:
        raise NotImplementedError

    def match(self, field: str, pattern: Pattern, cased: bool) -> str:
        raise NotImplementedError

    def number(self, field: str, number: int | float) -> str:
        # Sigma compares values as strings: a number in the rule matches the number's text.
        return self.match(field, Pattern.literal(str(number)), cased=False)

    def boolean(self, field: str, value: bool) -> str:
        return self.match(field, Pattern.literal("true" if value else "false"), cased=False)

    def regex(self, field: str, regex: rx.Regex) -> str:
        raise NotImplementedError

    def cidr(self, field: str, network: str) -> str:
        raise NotImplementedError

    def compare(self, field: str, op: str, number: int | float) -> str:
        raise NotImplementedError

    def exists(self, field: str, exists: bool) -> str:
        raise NotImplementedError

    # --- query shape --------------------------------------------------------------------------
    def finish(self, expr: str, rule: SigmaRule) -> str:
        return expr

    def finalize_query_default(self, rule: SigmaRule, query: Any, index: int, state: ConversionState) -> Any:
        return self.finish(query, rule)
