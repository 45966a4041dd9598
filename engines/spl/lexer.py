"""Tokens of the SPL subset: the pipeline split, the search-expression and eval-expression lexers, and
the un-escaping of quoted strings.

Splunk docs relied on:
- Search Reference, search command, "Quotes and escaping characters", and Search Manual "Backslashes":
  ``\\\\`` is a literal backslash, ``\\"`` a literal quote; "The backslash symbol can't be used to escape
  the asterisk in search strings" (semantics.md B.2, F.3.1, F.3.2).
- Search Manual "SPL and regular expressions": a ``|`` inside a regex must be quoted, or it splits the
  pipeline.
- Search Reference, where command: field names with non-alphanumeric characters are single-quoted,
  strings are double-quoted.
"""

from __future__ import annotations

from dataclasses import dataclass

from engines.base import QueryError
from engines.spl import assumptions


def split_pipeline(query: str) -> list[str]:
    """Split query text at the pipes that separate commands (not inside double quotes, not ``\\|``)."""
    parts: list[str] = []
    start = 0
    i = 0
    in_quote = False
    n = len(query)
    while i < n:
        c = query[i]
        if c == "\\" and i + 1 < n:
            i += 2  # an escaped character never ends a quote nor splits the pipeline
            continue
        if c == '"':
            in_quote = not in_quote
        elif c == "|" and not in_quote:
            parts.append(query[start:i])
            start = i + 1
        i += 1
    if in_quote:
        raise QueryError(f"unbalanced double quote in {query!r}")
    parts.append(query[start:])
    return parts


# --- un-escaping ---------------------------------------------------------------------------------


def unescape_search_value(raw: str) -> str:
    """A search-command value (quoted or not): ``\\\\`` -> ``\\``, ``\\"`` -> ``"``; anything else refused.

    ``\\*`` is refused because Splunk documents that a backslash cannot escape the wildcard (F.3.1):
    the value would silently mean "backslash then wildcard" or "literal star" depending on who reads it.
    """
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if nxt in ("\\", '"'):
            out.append(nxt)
            i += 2
        elif nxt == "*":
            raise QueryError(
                f"\\* in search value {raw!r}: a backslash cannot escape the * wildcard in Splunk search "
                "(it stays a wildcard); use | where like()/match() or | regex for a literal asterisk"
            )
        else:
            raise QueryError(
                f"escape sequence \\{nxt} in search value {raw!r} is not supported: write \\\\ for a literal backslash"
            )
    return "".join(out)


def unescape_regex_string(raw: str) -> str:
    """The text PCRE receives from a quoted regex in ``| regex``: SPL's ``\\\\`` and ``\\"`` only.

    Other backslash pairs reach PCRE unchanged (assumptions.UNKNOWN_ESCAPES_KEPT_IN_REGEX). ``\\|`` is
    refused: SPL documents it as "send a pipe", which in a regex would turn a literal ``|`` into an
    alternation; write ``[|]`` instead.
    """
    return _unescape(raw, {"\\": "\\", '"': '"'}, keep_unknown=True, context="regex")


def unescape_eval_string(raw: str, *, regex: bool) -> str:
    """An eval string literal: ``\\\\``, ``\\"``, ``\\t`` (assumptions.EVAL_STRING_ESCAPES).

    With ``regex`` (the pattern of match/mvfind) unknown pairs are kept for PCRE; elsewhere refused.
    """
    return _unescape(raw, assumptions.EVAL_STRING_ESCAPES, keep_unknown=regex, context="string")


def _unescape(raw: str, table: dict[str, str], *, keep_unknown: bool, context: str) -> str:
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if nxt == "|":
            raise QueryError(
                f"\\| in {context} {raw!r}: SPL may turn it into a bare pipe; write [|] for a literal pipe"
            )
        if nxt in table:
            out.append(table[nxt])
        elif keep_unknown and nxt:
            if not assumptions.UNKNOWN_ESCAPES_KEPT_IN_REGEX:
                raise QueryError(f"escape sequence \\{nxt} in {context} {raw!r}")
            out.append("\\" + nxt)
        else:
            shown = f"\\{nxt}" if nxt else "a trailing backslash"
            raise QueryError(
                f"escape sequence {shown} in {context} literal {raw!r}: Splunk's handling is not "
                "documented; write \\\\ for a literal backslash"
            )
        i += 2
    return "".join(out)


# --- tokens --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    """One lexeme. ``text`` is the source text (quoted strings: the raw content between the quotes)."""

    kind: str
    text: str
    pos: int
    space_before: bool


# Search tokens: WORD, QUOTED, OP, LPAREN, RPAREN, COMMA.
_SEARCH_OPS = ("!=", "<=", ">=", "==", "=", "<", ">")
# A word ends at whitespace, a parenthesis, a quote, a comparison operator or a comma. These are also
# the characters an unquoted value cannot hold (quote the value instead).
_SEARCH_WORD_END = set(' \t\r\n()",=<>')


def read_quoted(text: str, i: int) -> tuple[str, int]:
    """Content of the double-quoted string starting at ``text[i] == '"'`` and the index after it."""
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == '"':
            return text[i + 1 : j], j + 1
        j += 1
    raise QueryError(f"unbalanced double quote at position {i} in {text!r}")


_PUNCTUATION = {"(": "LPAREN", ")": "RPAREN", ",": "COMMA"}  # the same tokens in search and in where


def lex_search(text: str) -> list[Token]:
    """Tokens of a search expression."""
    tokens: list[Token] = []
    i = 0
    n = len(text)
    space = True
    while i < n:
        c = text[i]
        if c.isspace():
            space = True
            i += 1
            continue
        if c in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[c], c, i, space))
            i += 1
        elif c == '"':
            content, j = read_quoted(text, i)
            tokens.append(Token("QUOTED", content, i, space))
            i = j
        elif c in "=<>" or (c == "!" and text.startswith("!=", i)):
            op = next(o for o in _SEARCH_OPS if text.startswith(o, i))
            tokens.append(Token("OP", op, i, space))
            i += len(op)
        else:
            j = i
            while j < n:
                ch = text[j]
                if ch == "\\" and j + 1 < n:
                    j += 2
                    continue
                if ch in _SEARCH_WORD_END or (ch == "!" and text.startswith("!=", j)):
                    break
                j += 1
            tokens.append(Token("WORD", text[i:j], i, space))
            i = j
        space = False
    return tokens


# Eval tokens: NUMBER, STRING, FIELD ('quoted' name), IDENT, OP, LPAREN, RPAREN, COMMA, MINUS.
_EVAL_OPS = ("==", "!=", "<=", ">=", "=", "<", ">")
_UNSUPPORTED_EVAL_CHARS = {
    ".": "the '.' concatenation operator is not supported (single-quote dotted field names: 'a.b')",
    "+": "arithmetic (+) is not supported",
    "*": "arithmetic (*) is not supported",
    "/": "arithmetic (/) is not supported",
    "%": "arithmetic (%) is not supported",
    "{": "single-quote field names with braces: 'a{}.b'",
    "}": "single-quote field names with braces: 'a{}.b'",
    "[": "subsearches are not supported",
    "`": "macros are not supported",
}


def _is_ident_start(c: str) -> bool:
    return c == "_" or ("a" <= c <= "z") or ("A" <= c <= "Z")


def _is_ident_char(c: str) -> bool:
    return _is_ident_start(c) or ("0" <= c <= "9")


def lex_eval(text: str) -> list[Token]:
    """Tokens of a where/eval expression."""
    tokens: list[Token] = []
    i = 0
    n = len(text)
    space = True
    while i < n:
        c = text[i]
        if c.isspace():
            space = True
            i += 1
            continue
        if c in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[c], c, i, space))
            i += 1
        elif c == '"':
            content, j = read_quoted(text, i)
            tokens.append(Token("STRING", content, i, space))
            i = j
        elif c == "'":
            j = text.find("'", i + 1)
            if j < 0:
                raise QueryError(f"unbalanced single quote at position {i} in {text!r}")
            name = text[i + 1 : j]
            if not name or "\\" in name:
                raise QueryError(f"unsupported quoted field name {text[i : j + 1]!r}")
            tokens.append(Token("FIELD", name, i, space))
            i = j + 1
        elif c in "=<>!":
            op = next((o for o in _EVAL_OPS if text.startswith(o, i)), None)
            if op is None:
                raise QueryError(f"unsupported operator at position {i} in {text!r}")
            tokens.append(Token("OP", op, i, space))
            i += len(op)
        elif c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            j = _scan_number(text, i)
            tokens.append(Token("NUMBER", text[i:j], i, space))
            i = j
        elif c == "-":
            tokens.append(Token("MINUS", c, i, space))
            i += 1
        elif _is_ident_start(c):
            j = i + 1
            while j < n and _is_ident_char(text[j]):
                j += 1
            tokens.append(Token("IDENT", text[i:j], i, space))
            i = j
        elif c in _UNSUPPORTED_EVAL_CHARS:
            raise QueryError(f"{_UNSUPPORTED_EVAL_CHARS[c]} (position {i} in {text!r})")
        else:
            raise QueryError(f"unexpected character {c!r} at position {i} in {text!r}")
        space = False
    return tokens


def _scan_number(text: str, i: int) -> int:
    m = assumptions.NUMERIC_TEXT.match(text, i)
    if m is None:  # pragma: no cover - callers only start at a digit or ".digit"
        raise QueryError(f"bad number at position {i} in {text!r}")
    j = m.end()
    if j < len(text) and (_is_ident_char(text[j]) or text[j] == "."):
        raise QueryError(f"bad number {text[i : j + 1]!r} at position {i} in {text!r}")
    return j
