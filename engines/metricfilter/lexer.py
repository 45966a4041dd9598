"""Tokens of JSON metric filter patterns (AWS-FPS, "Using filter patterns to match terms in JSON
log events"; see engines/metricfilter/assumptions.py for the source list).

- A property selector starts with ``$.``; its names are alphanumerics with ``-`` and ``_``;
  array elements are ``[n]``; a name containing a period is written ``.['cluster.name']`` (single
  quotes only: "Double quotation marks aren't supported inside bracket notation"). The wildcard
  selectors ``$.*`` and ``[*]`` are outside our subset.
- Values are double-quoted strings, ``%regex%``, or bare words (numbers such as ``1e+3``, and
  strings such as ``123.123.*``).
- Operators: ``= != < <= > >=``, ``&&``, ``||``, parentheses, braces around the whole pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from engines.base import QueryError
from engines.metricfilter.assumptions import UNQUOTED_VALUE_CHARACTERS, unescape_string


class Kind(Enum):
    LBRACE = "{"
    RBRACE = "}"
    LPAREN = "("
    RPAREN = ")"
    AND = "&&"
    OR = "||"
    OP = "operator"
    SELECTOR = "property selector"
    STRING = "quoted value"
    REGEX = "regex"
    WORD = "word"
    END = "end of pattern"


Segment = str | int  # an object key, or an array position


@dataclass(frozen=True)
class Token:
    kind: Kind
    value: str | tuple[Segment, ...]
    pos: int


_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_DIGITS = frozenset("0123456789")
_SIMPLE = {"{": Kind.LBRACE, "}": Kind.RBRACE, "(": Kind.LPAREN, ")": Kind.RPAREN}


def _fail(message: str, pos: int) -> QueryError:
    return QueryError(f"{message} (offset {pos})")


def _selector(text: str, start: int) -> tuple[Token, int]:
    i = start + 1  # after "$"
    path: list[Segment] = []
    while i < len(text) and text[i] in ".[":
        if text[i] == "[":
            end = text.find("]", i)
            inner = text[i + 1 : end] if end > 0 else ""
            if inner == "*":
                raise _fail("the [*] wildcard selector is outside the supported subset", i)
            if not inner or any(ch not in _DIGITS for ch in inner):
                raise _fail("an array position is [n] with n a non-negative integer", i)
            if not path:
                raise _fail("a selector starts with '$.' and a property name", i)
            path.append(int(inner))
            i = end + 1
            continue
        i += 1  # "."
        if text.startswith("['", i):
            end = text.find("']", i + 2)
            if end < 0:
                raise _fail("unterminated ['...'] property", i)
            path.append(text[i + 2 : end])
            i = end + 2
            continue
        if i < len(text) and text[i] == "*":
            raise _fail("the $.* wildcard selector is outside the supported subset", i)
        j = i
        while j < len(text) and text[j] in _NAME:
            j += 1
        if j == i:
            raise _fail("expected a property name after '.'", i)
        path.append(text[i:j])
        i = j
    if not path:
        raise _fail("a selector needs at least one property ('$.name')", start)
    return Token(Kind.SELECTOR, tuple(path), start), i


def tokenize(text: str) -> list[Token]:
    """Split a pattern into tokens, ending with one END token. Raises QueryError."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch in _SIMPLE:
            tokens.append(Token(_SIMPLE[ch], ch, i))
            i += 1
        elif text.startswith("&&", i) or text.startswith("||", i):
            tokens.append(Token(Kind.AND if ch == "&" else Kind.OR, text[i : i + 2], i))
            i += 2
        elif ch in "=!<>":
            op = text[i : i + 2] if text[i : i + 2] in ("!=", "<=", ">=") else ch
            if op == "!" or text.startswith("==", i):
                raise _fail(f"operator {text[i : i + 2]!r} is not filter pattern syntax", i)
            tokens.append(Token(Kind.OP, op, i))
            i += len(op)
        elif ch == "$":
            token, i = _selector(text, i)
            tokens.append(token)
        elif ch == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= len(text):
                raise _fail("unterminated quoted value", i)
            tokens.append(Token(Kind.STRING, unescape_string(text[i + 1 : j]), i))
            i = j + 1
        elif ch == "%":
            j = text.find("%", i + 1)
            if j < 0:
                raise _fail("unterminated %regex%", i)
            tokens.append(Token(Kind.REGEX, text[i + 1 : j], i))
            i = j + 1
        elif ch in UNQUOTED_VALUE_CHARACTERS:
            j = i
            while j < len(text) and text[j] in UNQUOTED_VALUE_CHARACTERS:
                j += 1
            tokens.append(Token(Kind.WORD, text[i:j], i))
            i = j
        else:
            raise _fail(f"unexpected character {ch!r}", i)
    tokens.append(Token(Kind.END, "", len(text)))
    return tokens
