"""The ``%regex%`` dialect of CloudWatch filter patterns, translated to Python ``re``.

AWS-FPS, "Supported regular expressions (regex) syntax", lists all that may appear:
- alphanumeric characters (A-Z, a-z, 0-9); the symbols ``: _ # = @ / ; , -``;
- the operators ``^ $ ? [ ] { } | \\ * + .``: ``^``/``$`` anchor at the start/end of the
  string, ``?``/``*``/``+`` repeat the preceding term, ``[]`` is a class (``[^c]`` negates, ``a-z``
  ranges), ``{m,n}`` repeats (either bound may be omitted), ``|`` is alternation, ``.`` any one
  character, ``\\`` makes an operator literal;
- ``\\d \\D \\s \\S \\w \\W`` and ``\\xhh`` (an ASCII character by two hex digits).
``(`` and ``)`` are not supported, nor multi-byte characters; anything else (``!``, ``%``, a tab)
makes AWS reject the pattern, so it is a QueryError here. A space is accepted: the list omits it,
but the documented example ``%^starting|^initializing|^shutting down%`` contains one.
Matching is case-sensitive and finds the pattern anywhere in the value (``%Trail%`` matches
``UpdateTrail``).
"""

from __future__ import annotations

import re
import string

from engines.base import QueryError
from engines.metricfilter.assumptions import REGEX_DOT_MATCHES_NEWLINE, REGEX_WHITESPACE

_ALNUM = frozenset(string.ascii_letters + string.digits)
# The list omits the space, but AWS's own example %^starting|^initializing|^shutting down% has one.
_SYMBOLS = frozenset(":_#=@/;,- ")
_OPERATORS = frozenset("^$?[]{}|\\*+.")
_HEX = frozenset(string.hexdigits)
_SPACE_CLASS = "".join(re.escape(ch) for ch in REGEX_WHITESPACE)
_SETS = {"d": "0-9", "w": "a-zA-Z_0-9", "s": _SPACE_CLASS}


class _Translator:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0

    def fail(self, message: str) -> QueryError:
        return QueryError(f"regex %{self.src}%: {message} (at offset {self.pos})")

    def peek(self) -> str:
        return self.src[self.pos] if self.pos < len(self.src) else ""

    def translate(self) -> str:
        if not self.src:
            raise self.fail("empty regex")
        for i, ch in enumerate(self.src):
            if ch not in _ALNUM and ch not in _SYMBOLS and ch not in _OPERATORS:
                self.pos = i
                raise self.fail(f"character {ch!r} is not allowed in a filter pattern regex (use \\xhh)")
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return "|".join(branches)

    def sequence(self) -> str:
        parts: list[str] = []
        while self.pos < len(self.src) and self.peek() != "|":
            atom, repeatable = self.atom()
            quantifier = self.quantifier()
            if quantifier:
                if not repeatable:
                    raise self.fail("a repeat operator follows nothing repeatable")
                atom += quantifier
            parts.append(atom)
        return "".join(parts)

    def atom(self) -> tuple[str, bool]:
        ch = self.peek()
        if ch == "[":
            return self.char_class(), True
        self.pos += 1
        if ch == ".":
            return "." if not REGEX_DOT_MATCHES_NEWLINE else "[\\s\\S]", True
        if ch == "^":
            return "^", False
        if ch == "$":
            return r"\Z", False  # "the end of a string" (AWS-FPS)
        if ch == "\\":
            return self.escape(in_class=False), True
        if ch in "?*+{":
            self.pos -= 1
            raise self.fail(f"{ch!r} has nothing to repeat")
        if ch in "]}":
            self.pos -= 1
            raise self.fail(f"unescaped {ch!r}")
        return re.escape(ch), True

    def quantifier(self) -> str:
        ch = self.peek()
        if ch in ("?", "*", "+"):
            self.pos += 1
            text = ch
        elif ch == "{":
            match = re.match(r"\{([0-9]*)(,([0-9]*))?\}", self.src[self.pos :])
            if not match or (not match.group(1) and not match.group(3)):
                raise self.fail("'{' must start {m}, {m,n}, {m,} or {,n}")
            low = int(match.group(1) or 0)
            if match.group(2) is None:
                text = f"{{{low}}}"
            elif match.group(3):
                high = int(match.group(3))
                if high < low:
                    raise self.fail("{m,n} with n < m")
                text = f"{{{low},{high}}}"
            else:
                text = f"{{{low},}}"
            self.pos += match.end()
        else:
            return ""
        if self.peek() in ("?", "*", "+", "{"):
            raise self.fail("a repeat operator cannot follow another")
        return text

    def escape(self, *, in_class: bool) -> str:
        ch = self.peek()
        self.pos += 1
        if not ch:
            raise self.fail("trailing backslash")
        if ch in _OPERATORS:
            return re.escape(ch)
        if ch == "x":
            digits = self.src[self.pos : self.pos + 2]
            if len(digits) != 2 or any(d not in _HEX for d in digits) or int(digits, 16) > 0x7F:
                raise self.fail("\\x takes two hex digits of an ASCII character")
            self.pos += 2
            return re.escape(chr(int(digits, 16)))
        if ch.lower() in _SETS:
            body = _SETS[ch.lower()]
            if in_class:
                if ch.isupper():
                    raise self.fail(f"\\{ch} inside a class is outside the supported subset")
                return body
            return f"[{'^' if ch.isupper() else ''}{body}]"
        raise self.fail(f"escape \\{ch} is not in the documented list")

    def char_class(self) -> str:
        self.pos += 1  # "["
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        items: list[str] = []
        while True:
            ch = self.peek()
            if not ch:
                raise self.fail("unterminated class")
            if ch == "]":
                if not items:
                    raise self.fail("empty class")
                self.pos += 1
                break
            if ch == "[":
                raise self.fail("'[' inside a class")
            if ch == "-" and items and self.src[self.pos + 1 : self.pos + 2] != "]":
                raise self.fail("'-' inside a class must be first, last, or escaped")
            low = self.class_member()
            if self.peek() == "-" and self.src[self.pos + 1 : self.pos + 2] not in ("]", ""):
                self.pos += 1
                high = self.class_member()
                if len(low) != 1 or len(high) != 1 or ord(low) > ord(high):
                    raise self.fail("bad range in class")
                items.append(_in_class(low) + "-" + _in_class(high))
            else:
                items.append(_in_class(low) if len(low) == 1 else low)
        return "[" + ("^" if negate else "") + "".join(items) + "]"

    def class_member(self) -> str:
        ch = self.peek()
        if ch == "\\":
            self.pos += 1
            escaped = self.escape(in_class=True)
            # a single escaped character comes back re.escape'd; unwrap it to one character
            return escaped[-1] if len(escaped) == 2 and escaped[0] == "\\" else escaped
        self.pos += 1
        return ch


def _in_class(ch: str) -> str:
    return "\\" + ch if ch in "\\]^-[&~|" else re.escape(ch)


def compile_regex(source: str) -> re.Pattern[str]:
    """Compile the text between the ``%`` signs. Raises QueryError outside the documented syntax."""
    return re.compile(_Translator(source).translate())
