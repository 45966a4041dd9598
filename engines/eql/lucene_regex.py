"""Lucene regular expressions (what EQL `regex` / `regex~` run) translated to Python `re`.

Elasticsearch hands an EQL regex to a Lucene `regexp` query with the default flags, `ALL`
(semantics.md F.2 2.4), on a keyword term. So the pattern is Lucene's dialect, not PCRE:

- it matches the whole value (there are no anchors; `^` and `$` are ordinary characters);
- `.` is any character, newline included;
- `#` (empty language), `@` (any string), `"..."` (quoted literal), `<n-m>` (decimal interval),
  `~` (complement), `&` (intersection) and `<name>` (named automaton) are operators;
- `\\d \\D \\s \\S \\w \\W` are ASCII classes (`\\s` is only space, tab, newline, carriage return);
- a backslash before any other letter is an error; before anything else it makes a literal;
- case-insensitive matching (`regex~`, Lucene's ASCII_CASE_INSENSITIVE) folds single ASCII
  characters and quoted strings, but never a character range: `[a-c]` stays case-sensitive.

The parser below follows the grammar and the quirks of Lucene 9's `RegExp` parser (the version
Elasticsearch 8 ships), written from its documented grammar; the output is a pattern for
`re.fullmatch` that accepts exactly the same strings. Complement, intersection and named automata
cannot be written as a Python regex: they raise `LuceneRegexUnsupported`, never an approximation.
"""

from __future__ import annotations

import re

__all__ = ["LuceneRegexError", "LuceneRegexUnsupported", "compile_lucene_regex", "lucene_to_python"]

# Lucene refuses `\` before these letters ("invalid character class"): only d s w D S W are classes.
_BAD_ESCAPE_LETTERS = frozenset("abcefghijklmnopqrtuvxyzABCEFGHIJKLMNOPQRTUVXYZ")

# Lucene's predefined classes, expanded exactly as its `expandPredefined` does (ASCII only).
_PREDEFINED = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "s": "[ \\t\\n\\r]",
    "S": "[^ \\t\\n\\r]",
    "w": "[a-zA-Z_0-9]",
    "W": "[^a-zA-Z_0-9]",
}

_JAVA_INT_MAX = 2**31 - 1
_NOTHING = "(?!)"  # the empty language: matches no string at all


class LuceneRegexError(ValueError):
    """The pattern is not a valid Lucene regexp: Elasticsearch rejects the query."""


class LuceneRegexUnsupported(ValueError):
    """The pattern is valid Lucene, but uses an operator this translation does not model."""


def _char(code: str, insensitive: bool) -> str:
    """One character; under ASCII case folding a letter becomes both of its cases."""
    if insensitive and code.isascii() and code.isalpha():
        return f"[{code.lower()}{code.upper()}]"
    return re.escape(code)


def _class_char(code: str) -> str:
    return f"\\U{ord(code):08x}"


class _Parser:
    """Recursive descent over one pattern; each method returns an atomic Python regex fragment."""

    def __init__(self, pattern: str, insensitive: bool) -> None:
        self.s = pattern
        self.pos = 0
        self.insensitive = insensitive

    # -- scanning helpers (Lucene's peek/match/next) --
    def more(self) -> bool:
        return self.pos < len(self.s)

    def peek(self, chars: str) -> bool:
        return self.more() and self.s[self.pos] in chars

    def match(self, char: str) -> bool:
        if self.more() and self.s[self.pos] == char:
            self.pos += 1
            return True
        return False

    def next(self) -> str:
        if not self.more():
            raise LuceneRegexError("unexpected end-of-string")
        char = self.s[self.pos]
        self.pos += 1
        return char

    # -- grammar --
    def parse(self) -> str:
        if not self.s:
            return ""
        result = self.union()
        if self.more():
            raise LuceneRegexError(f"end-of-string expected at position {self.pos}")
        return result

    def union(self) -> str:
        left = self.inter()
        if self.match("|"):
            return f"(?:{left}|{self.union()})"
        return left

    def inter(self) -> str:
        left = self.concat()
        if self.peek("&"):
            raise LuceneRegexUnsupported("intersection '&' (an operator under flags ALL; escape it as \\&)")
        return left

    def concat(self) -> str:
        parts = [self.repeat()]
        while self.more() and not self.peek(")|&"):
            parts.append(self.repeat())
        return "(?:" + "".join(parts) + ")" if len(parts) > 1 else parts[0]

    def repeat(self) -> str:
        expr = self.complement()
        while self.peek("?*+{"):
            if self.match("?"):
                expr = f"(?:{expr})?"
            elif self.match("*"):
                expr = f"(?:{expr})*"
            elif self.match("+"):
                expr = f"(?:{expr})+"
            else:
                self.match("{")
                low = self._integer(required=True)
                high: int | None
                if self.match(","):
                    high = self._integer(required=False)
                else:
                    high = low
                if not self.match("}"):
                    raise LuceneRegexError(f"expected '}}' at position {self.pos}")
                if high is None:
                    expr = f"(?:{expr}){{{low},}}"
                elif low > high:
                    expr = _NOTHING  # Lucene: repeat(min > max) is the empty language
                else:
                    expr = f"(?:{expr}){{{low},{high}}}"
        return expr

    def _integer(self, required: bool) -> int | None:
        start = self.pos
        while self.peek("0123456789"):
            self.pos += 1
        if start == self.pos:
            if required:
                raise LuceneRegexError(f"integer expected at position {self.pos}")
            return None
        value = int(self.s[start : self.pos])
        if value > _JAVA_INT_MAX:
            raise LuceneRegexError(f"number too large at position {start}")
        return value

    def complement(self) -> str:
        if self.peek("~"):
            raise LuceneRegexUnsupported("complement '~' (an operator under flags ALL; escape it as \\~)")
        return self.char_class_exp()

    def char_class_exp(self) -> str:
        if not self.match("["):
            return self.simple()
        negate = self.match("^")
        members = [self.char_class()]
        while self.more() and not self.peek("]"):
            members.append(self.char_class())
        if not self.match("]"):
            raise LuceneRegexError(f"expected ']' at position {self.pos}")
        alternatives = "|".join(members)
        if negate:
            # Lucene: intersection(any char, complement(union)) = one char matching no member.
            return f"(?:(?!{alternatives}).)"
        return f"(?:{alternatives})" if len(members) > 1 else members[0]

    def char_class(self) -> str:
        predefined = self.predefined()
        if predefined is not None:
            return predefined
        first = self.char_exp()
        if self.match("-"):
            last = self.char_exp()
            if ord(first) > ord(last):
                raise LuceneRegexError(f"invalid range: from ({ord(first)}) cannot be > to ({ord(last)})")
            # Ranges ignore case folding in Lucene, so they are emitted as written.
            return f"[{_class_char(first)}-{_class_char(last)}]"
        return _char(first, self.insensitive)

    def predefined(self) -> str | None:
        """Lucene's matchPredefinedCharacterClass: consumes the backslash even when it returns None."""
        if not self.match("\\"):
            return None
        if self.peek("dDwWsS"):
            return _PREDEFINED[self.next()]
        if self.peek("\\"):
            return _char(self.next(), self.insensitive)
        if self.more() and self.s[self.pos] in _BAD_ESCAPE_LETTERS:
            raise LuceneRegexError(f"invalid character class \\{self.s[self.pos]}")
        return None

    def char_exp(self) -> str:
        self.match("\\")
        return self.next()

    def simple(self) -> str:
        if self.match("."):
            return "."
        if self.match("#"):
            return _NOTHING
        if self.match("@"):
            return "(?:.*)"
        if self.match('"'):
            start = self.pos
            while self.more() and not self.peek('"'):
                self.pos += 1
            if not self.match('"'):
                raise LuceneRegexError(f"expected '\"' at position {self.pos}")
            text = self.s[start : self.pos - 1]
            return "(?:" + "".join(_char(c, self.insensitive) for c in text) + ")"
        if self.match("("):
            if self.match(")"):
                return "(?:)"
            inner = self.union()
            if not self.match(")"):
                raise LuceneRegexError(f"expected ')' at position {self.pos}")
            return f"(?:{inner})"
        if self.match("<"):
            return self.angle()
        predefined = self.predefined()
        if predefined is not None:
            return predefined
        return _char(self.char_exp(), self.insensitive)

    def angle(self) -> str:
        start = self.pos
        while self.more() and not self.peek(">"):
            self.pos += 1
        if not self.match(">"):
            raise LuceneRegexError(f"expected '>' at position {self.pos}")
        body = self.s[start : self.pos - 1]
        dash = body.find("-")
        if dash == -1:
            # A named automaton: Elasticsearch supplies none, so Lucene fails with "'name' not found".
            raise LuceneRegexError(f"'{body}' not found (named automaton; escape '<' as \\<)")
        if dash == 0 or dash == len(body) - 1 or dash != body.rfind("-"):
            raise LuceneRegexError(f"interval syntax error at position {self.pos - 1}")
        low_text, high_text = body[:dash], body[dash + 1 :]
        if not (low_text.isascii() and low_text.isdigit() and high_text.isascii() and high_text.isdigit()):
            # Java's Integer.parseInt also takes a sign; such intervals are not modelled.
            raise LuceneRegexUnsupported(f"interval <{body}> with non-digit bounds")
        low, high = int(low_text), int(high_text)
        if max(low, high) > _JAVA_INT_MAX:
            raise LuceneRegexError(f"interval syntax error at position {self.pos - 1}")
        digits = len(low_text) if len(low_text) == len(high_text) else 0
        low, high = min(low, high), max(low, high)
        return _interval(low, high, digits)


def _interval(low: int, high: int, digits: int) -> str:
    """Lucene's makeDecimalInterval: decimal numbers in [low, high].

    With `digits` > 0 the strings have exactly that many digits (zero-padded); otherwise any number
    of leading zeros is accepted.
    """
    if digits > 0:
        if len(str(high)) > digits:
            raise LuceneRegexError("interval bound longer than its digit count")
        return _fixed_width(str(low).zfill(digits), str(high).zfill(digits))
    if low == 0:
        # Whether Lucene's variable-width interval starting at 0 accepts the empty string is not
        # settled by its documentation; refuse rather than guess.
        raise LuceneRegexUnsupported("variable-width interval starting at 0")
    pieces = []
    for width in range(len(str(low)), len(str(high)) + 1):
        lo = max(low, 10 ** (width - 1))
        hi = min(high, 10**width - 1)
        if lo <= hi:
            pieces.append(_fixed_width(str(lo), str(hi)))
    return "(?:0*(?:" + "|".join(pieces) + "))"


def _fixed_width(low: str, high: str) -> str:
    """A regex for the decimal strings of len(low) digits between low and high (inclusive)."""
    if not low:
        return ""
    if low[0] == high[0]:
        return low[0] + _fixed_width(low[1:], high[1:])
    rest = len(low) - 1
    options = [low[0] + _fixed_width(low[1:], "9" * rest)]
    if int(high[0]) - int(low[0]) > 1:
        options.append(f"[{int(low[0]) + 1}-{int(high[0]) - 1}]" + "[0-9]" * rest)
    options.append(high[0] + _fixed_width("0" * rest, high[1:]))
    return "(?:" + "|".join(options) + ")"


def lucene_to_python(pattern: str, *, case_insensitive: bool = False) -> str:
    """The Python regex (for `re.fullmatch` with re.DOTALL) equivalent to a Lucene regexp."""
    return _Parser(pattern, case_insensitive).parse()


def compile_lucene_regex(pattern: str, *, case_insensitive: bool = False) -> re.Pattern[str]:
    """Compile a Lucene regexp; use `.fullmatch` on the compiled pattern (whole-value semantics)."""
    translated = lucene_to_python(pattern, case_insensitive=case_insensitive)
    try:
        return re.compile(translated, re.DOTALL)
    except re.error as exc:  # the translation only emits valid syntax; this is a guard
        raise LuceneRegexUnsupported(f"cannot translate {pattern!r}: {exc}") from exc
