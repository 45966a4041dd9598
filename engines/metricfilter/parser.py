"""Parse a JSON metric filter pattern: ``{ cond && (cond || cond) }``.

Grammar (AWS-FPS): the pattern is enclosed in braces; a condition is a property selector followed by
an equality operator and a string (``=``, ``!=``; ``*`` wildcards), a numeric operator and a number
(``= != < > <= >=``), ``= %regex%`` / ``!= %regex%``, ``IS NULL`` / ``IS TRUE`` / ``IS FALSE`` or
``NOT EXISTS`` ("IS NOT and EXISTS currently aren't supported"). Conditions combine with ``&&`` and
``||`` and parentheses, "standard order of operations: () > && > ||". Quotas: at most 2 regexes per
pattern (AWS-FPS), and a FilterPattern of at most 1024 characters (PutMetricFilter,
AWS::Logs::MetricFilter). Text, space-delimited (``[a, b]``) and bare-regex patterns are outside
this executor's subset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engines.base import QueryError
from engines.metricfilter.assumptions import KEYWORDS_UPPER_CASE_ONLY, check_wildcards
from engines.metricfilter.lexer import Kind, Segment, Token, tokenize

MAX_PATTERN_LENGTH = 1024
MAX_REGEXES = 2

_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")
_KEYWORDS = ("IS", "NOT", "NULL", "TRUE", "FALSE", "EXISTS")


@dataclass(frozen=True)
class StringTest:
    path: tuple[Segment, ...]
    value: str  # may start and/or end with "*"
    negated: bool


@dataclass(frozen=True)
class RegexTest:
    path: tuple[Segment, ...]
    source: str
    negated: bool


@dataclass(frozen=True)
class NumberTest:
    path: tuple[Segment, ...]
    op: str
    number: float


@dataclass(frozen=True)
class IsTest:
    path: tuple[Segment, ...]
    what: str  # "NULL", "TRUE", "FALSE"


@dataclass(frozen=True)
class NotExists:
    path: tuple[Segment, ...]


@dataclass(frozen=True)
class AllOf:
    operands: tuple[Pattern, ...]


@dataclass(frozen=True)
class AnyOf:
    operands: tuple[Pattern, ...]


Pattern = StringTest | RegexTest | NumberTest | IsTest | NotExists | AllOf | AnyOf


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.regexes = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def fail(self, message: str) -> QueryError:
        return QueryError(f"{message} (offset {self.tok.pos})")

    def expect(self, kind: Kind) -> Token:
        if self.tok.kind is not kind:
            raise self.fail(f"expected {kind.value!r}, found {self.tok.kind.value} {self.tok.value!r}")
        tok = self.tok
        self.i += 1
        return tok

    def keyword(self, *words: str) -> str | None:
        tok = self.tok
        if tok.kind is not Kind.WORD:
            return None
        text = str(tok.value)
        if text.upper() in words:
            if KEYWORDS_UPPER_CASE_ONLY and text != text.upper():
                raise self.fail(f"'{text}' is only documented in upper case")
            self.i += 1
            return text.upper()
        return None

    def pattern(self) -> Pattern:
        if self.tok.kind is not Kind.LBRACE:
            raise self.fail("only JSON patterns '{ ... }' are supported (not terms, [..] or %regex%)")
        self.i += 1
        result = self.disjunction()
        self.expect(Kind.RBRACE)
        self.expect(Kind.END)
        return result

    def disjunction(self) -> Pattern:
        operands = [self.conjunction()]
        while self.tok.kind is Kind.OR:
            self.i += 1
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else AnyOf(tuple(operands))

    def conjunction(self) -> Pattern:
        operands = [self.term()]
        while self.tok.kind is Kind.AND:
            self.i += 1
            operands.append(self.term())
        return operands[0] if len(operands) == 1 else AllOf(tuple(operands))

    def term(self) -> Pattern:
        if self.tok.kind is Kind.LPAREN:
            self.i += 1
            inner = self.disjunction()
            self.expect(Kind.RPAREN)
            return inner
        path = self.expect(Kind.SELECTOR).value
        assert isinstance(path, tuple)
        if self.keyword("IS"):
            what = self.keyword("NULL", "TRUE", "FALSE")
            if what is None:
                raise self.fail("IS takes NULL, TRUE or FALSE ('IS NOT' is not supported)")
            return IsTest(path, what)
        if self.keyword("NOT"):
            if self.keyword("EXISTS") is None:
                raise self.fail("NOT takes EXISTS")
            return NotExists(path)
        if self.keyword("EXISTS"):
            raise self.fail("'EXISTS' is not supported (use = *)")
        op = str(self.expect(Kind.OP).value)
        return self.comparison(path, op)

    def comparison(self, path: tuple[Segment, ...], op: str) -> Pattern:
        tok = self.tok
        self.i += 1
        if tok.kind is Kind.REGEX:
            self.regexes += 1
            if self.regexes > MAX_REGEXES:
                raise self.fail(f"more than {MAX_REGEXES} regexes in one pattern (AWS quota)")
            self.equality_only(op, "a regex")
            return RegexTest(path, str(tok.value), op == "!=")
        if tok.kind is Kind.STRING:
            self.equality_only(op, "a quoted value")
            check_wildcards(str(tok.value))
            return StringTest(path, str(tok.value), op == "!=")
        if tok.kind is Kind.WORD:
            text = str(tok.value)
            if text.upper() in _KEYWORDS:
                raise self.fail(f"'{text}' as a value is ambiguous; quote it")
            if _NUMBER.match(text):
                return NumberTest(path, op, float(text))
            self.equality_only(op, "a string")
            check_wildcards(text)
            return StringTest(path, text, op == "!=")
        self.i -= 1
        raise self.fail(f"expected a value after '{op}', found {tok.kind.value}")

    def equality_only(self, op: str, what: str) -> None:
        if op not in ("=", "!="):
            raise self.fail(f"'{op}' with {what}: only = and != compare strings")


def parse_pattern(text: str) -> Pattern:
    """Parse a JSON metric filter pattern. Raises QueryError outside the supported subset."""
    if len(text) > MAX_PATTERN_LENGTH:
        raise QueryError(f"pattern has {len(text)} characters; AWS accepts at most {MAX_PATTERN_LENGTH}")
    return _Parser(tokenize(text)).pattern()
