"""Translate a Logs Insights regex into Python ``re``, for a subset RE2 and Hyperscan agree on.

The engine behind ``like /re/`` and ``=~ /re/`` is undocumented today (fact sheet F.1 row 1.7:
the archived doc named Hyperscan, the current ``regexReplace`` names RE2). So only constructs
both engines read the same way are accepted, and each is re-emitted in Python syntax rather
than passed through:

- literals; a backslash before ASCII punctuation (``\\.``, ``\\/``, ``\\\\``); ``\\xhh``;
  ``\\n \\r \\t \\f``;
- ``\\d \\D \\w \\W`` as their ASCII classes (``[0-9]``, ``[0-9A-Za-z_]``), as in RE2 and in
  Hyperscan without UCP;
- classes ``[...]`` / ``[^...]`` with ranges, escapes and ``\\d \\w`` inside;
- ``.`` (not newline unless ``(?s)``), ``* + ?`` and ``{n}`` ``{n,}`` ``{n,m}`` (m <= 1000, the RE2
  limit), each optionally lazy (``?``); groups ``( )`` and ``(?: )``; alternation ``|``;
- anchors ``^`` and ``\\A`` (start), ``$`` (see assumptions.DOLLAR_END_OF_TEXT_ONLY) and ``\\z``
  (absolute end, Python ``\\Z``);
- inline flags ``(?i)``, ``(?s)``, ``(?is)`` at the start, or right after a leading ``^``: the
  archived AWS doc writes ``=~ /^(?i)Exception$/`` (AWS-ARCH, "Regular Expressions").

Refused with QueryError: ``\\s`` (RE2 excludes vertical tab, PCRE/Hyperscan include it), ``\\b``,
back-references, look-around, named groups, possessive quantifiers, POSIX classes, ``\\p{..}``,
``\\Z``, ``\\x{..}``, ``{,n}`` (a literal in RE2, a quantifier in Python), unescaped ``{ } ]``
outside their syntax, and flags anywhere else. Matching is unanchored: ``search``.
"""

from __future__ import annotations

import re
import string
import warnings

from engines.base import QueryError

_PUNCTUATION = frozenset(string.punctuation)
_HEX = frozenset("0123456789abcdefABCDEF")
_CONTROL = {"n": "\n", "r": "\r", "t": "\t", "f": "\f"}
_CLASS_SETS = {"d": "0-9", "w": "0-9A-Za-z_"}
_MAX_REPEAT = 1000
_FLAG_BITS = {"i": re.IGNORECASE, "s": re.DOTALL}
# Characters escaped when re-emitted inside a Python class, so none can start a range, a
# negation, a nested set or one of Python's reserved set operations (&& || ~~ --).
_CLASS_SPECIAL = frozenset("\\]^-[&~|")


class _Translator:
    """Recursive-descent reader of one pattern, writing the Python equivalent as it goes."""

    def __init__(self, source: str, dollar_end_of_text_only: bool) -> None:
        self.src = source
        self.pos = 0
        self.dollar = r"\Z" if dollar_end_of_text_only else "$"

    def fail(self, message: str) -> QueryError:
        return QueryError(f"regex /{self.src}/: {message} (at offset {self.pos})")

    def peek(self, ahead: int = 0) -> str:
        i = self.pos + ahead
        return self.src[i] if i < len(self.src) else ""

    # -- top level --------------------------------------------------------------------------
    def translate(self) -> tuple[str, int]:
        if not self.src:
            raise self.fail("an empty pattern is not supported")
        prefix = ""
        flags = self.leading_flags()
        if not flags and self.src.startswith(("^(?", "\\A(?")):
            prefix = "^" if self.src[0] == "^" else r"\A"
            self.pos = 1 if prefix == "^" else 2
            flags = self.leading_flags()
            if not flags:
                self.pos = 0
                prefix = ""
        body = self.alternation(depth=0)
        if self.pos != len(self.src):
            raise self.fail("unbalanced ')'")
        return prefix + body, flags

    def leading_flags(self) -> int:
        match = re.match(r"\(\?([a-zA-Z]+)\)", self.src[self.pos :])
        if not match:
            return 0
        letters = match.group(1)
        if any(ch not in _FLAG_BITS for ch in letters) or len(set(letters)) != len(letters):
            raise self.fail(f"inline flags (?{letters}) are outside the subset; only i and s are")
        self.pos += match.end()
        bits = 0
        for ch in letters:
            bits |= _FLAG_BITS[ch]
        return bits

    # -- structure --------------------------------------------------------------------------
    def alternation(self, depth: int) -> str:
        branches = [self.sequence(depth)]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence(depth))
        return "|".join(branches)

    def sequence(self, depth: int) -> str:
        parts: list[str] = []
        while self.pos < len(self.src) and self.peek() not in "|)":
            atom, repeatable = self.atom(depth)
            quantifier = self.quantifier()
            if quantifier:
                if not repeatable:
                    raise self.fail(f"quantifier {quantifier!r} follows nothing repeatable")
                atom += quantifier
            parts.append(atom)
        if self.peek() == ")" and depth == 0:
            raise self.fail("unbalanced ')'")
        return "".join(parts)

    def atom(self, depth: int) -> tuple[str, bool]:
        ch = self.peek()
        if ch == "(":
            return self.group(depth), True
        if ch == "[":
            return self.char_class(), True
        self.pos += 1
        if ch == ".":
            return ".", True
        if ch == "^":
            return "^", False
        if ch == "$":
            return self.dollar, False
        if ch == "\\":
            return self.escape()
        if ch in "*+?":
            self.pos -= 1
            raise self.fail(f"{ch!r} has nothing to repeat")
        if ch in "{}]":
            self.pos -= 1
            raise self.fail(f"unescaped {ch!r}: write \\{ch} for a literal")
        return re.escape(ch), True

    def group(self, depth: int) -> str:
        self.pos += 1  # "("
        opener = "("
        if self.peek() == "?":
            if self.peek(1) != ":":
                raise self.fail("only (?:...) groups are supported (no look-around, names or flags here)")
            self.pos += 2
            opener = "(?:"
        inner = self.alternation(depth + 1)
        if self.peek() != ")":
            raise self.fail("missing ')'")
        self.pos += 1
        return opener + inner + ")"

    def quantifier(self) -> str:
        ch = self.peek()
        if ch in ("*", "+", "?"):
            self.pos += 1
            text = ch
        elif ch == "{":
            text = self.counted()
        else:
            return ""
        if self.peek() == "?":  # lazy: the same match set for a yes/no search
            self.pos += 1
            text += "?"
        if self.peek() in ("*", "+", "?", "{"):
            raise self.fail("a quantifier cannot follow a quantifier (possessive or double repeat)")
        return text

    def counted(self) -> str:
        match = re.match(r"\{([0-9]+)(,([0-9]*))?\}", self.src[self.pos :])
        if not match:
            raise self.fail("'{' must start a repeat count {n}, {n,} or {n,m}; write \\{ for a literal")
        low = int(match.group(1))
        high = match.group(3)
        if low > _MAX_REPEAT or (high and int(high) > _MAX_REPEAT):
            raise self.fail(f"repeat counts above {_MAX_REPEAT} are refused (RE2 limit)")
        if high and int(high) < low:
            raise self.fail("repeat count {n,m} with m < n")
        self.pos += match.end()
        return match.group(0)

    # -- escapes and classes ----------------------------------------------------------------
    def escape(self) -> tuple[str, bool]:
        ch = self.peek()
        self.pos += 1
        if not ch:
            raise self.fail("trailing backslash")
        if ch in _PUNCTUATION:
            return re.escape(ch), True
        if ch == "x":
            return re.escape(self.hex_char()), True
        if ch in _CONTROL:
            return re.escape(_CONTROL[ch]), True
        if ch.lower() in _CLASS_SETS:
            negate = "^" if ch.isupper() else ""
            return f"[{negate}{_CLASS_SETS[ch.lower()]}]", True
        if ch == "A":
            return r"\A", False
        if ch == "z":
            return r"\Z", False
        if ch == "s" or ch == "S":
            raise self.fail("\\s/\\S differ between RE2 and Hyperscan (vertical tab); write a class")
        raise self.fail(f"escape \\{ch} is outside the supported subset")

    def hex_char(self) -> str:
        digits = self.src[self.pos : self.pos + 2]
        if len(digits) != 2 or any(d not in _HEX for d in digits):
            raise self.fail("\\x must be followed by exactly two hex digits")
        self.pos += 2
        return chr(int(digits, 16))

    def char_class(self) -> str:
        self.pos += 1  # "["
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        items: list[str] = []
        first = True
        while True:
            ch = self.peek()
            if not ch:
                raise self.fail("unterminated character class")
            if ch == "]":
                if not items:
                    raise self.fail("empty class, or ']' first in a class: write \\]")
                self.pos += 1
                break
            if ch == "[":
                raise self.fail("'[' inside a class (POSIX class or nested set): write \\[")
            low = self.class_member(first)
            first = False
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                high = self.class_member(False)
                if len(low) != 1 or len(high) != 1:
                    raise self.fail("a range endpoint must be a single character")
                if ord(low) > ord(high):
                    raise self.fail(f"reversed range {low}-{high}")
                items.append(_class_char(low) + "-" + _class_char(high))
            elif len(low) == 1:
                items.append(_class_char(low))
            else:
                items.append(low)  # a \d or \w set, already in Python syntax
        return "[" + ("^" if negate else "") + "".join(items) + "]"

    def class_member(self, first: bool) -> str:
        """One class member: a single character, or a multi-character set such as ``0-9``."""
        ch = self.peek()
        self.pos += 1
        if ch == "\\":
            esc = self.peek()
            self.pos += 1
            if not esc:
                raise self.fail("trailing backslash in class")
            if esc in _PUNCTUATION:
                return esc
            if esc == "x":
                return self.hex_char()
            if esc in _CONTROL:
                return _CONTROL[esc]
            if esc in _CLASS_SETS:
                return _CLASS_SETS[esc]
            raise self.fail(f"escape \\{esc} inside a class is outside the supported subset")
        if ch == "-" and not first and self.peek() != "]":
            self.pos -= 1
            raise self.fail("'-' inside a class must be first, last, or escaped")
        return ch


def _class_char(ch: str) -> str:
    return "\\" + ch if ch in _CLASS_SPECIAL else (re.escape(ch) if not ch.isprintable() else ch)


def compile_regex(source: str, *, dollar_end_of_text_only: bool) -> re.Pattern[str]:
    """Compile a Logs Insights regex (the text between the slashes, ``\\/`` already undone).

    Raises QueryError for anything outside the subset described in the module docstring.
    """
    text, flags = _Translator(source, dollar_end_of_text_only).translate()
    with warnings.catch_warnings():
        # A FutureWarning from Python's parser would mean our re-emission is ambiguous.
        warnings.simplefilter("error")
        try:
            return re.compile(text, flags)
        except (re.error, FutureWarning) as exc:  # pragma: no cover - the translator should prevent it
            raise QueryError(f"regex /{source}/ could not be compiled: {exc}") from None
