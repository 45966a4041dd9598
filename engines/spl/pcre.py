"""Translate a PCRE pattern (the subset Splunk rules use) into an equivalent Python ``re`` pattern.

Splunk documents its regexes as PCRE (Search Manual "SPL and regular expressions"; semantics.md B.2).
Only constructs with an exact Python equivalent are accepted; anything else raises QueryError naming
the construct, never a near match. Differences handled (PCRE2 pcre2pattern(3)):

- ``\\z`` (absolute end) is Python ``\\Z``; PCRE ``\\Z`` (end or before a final newline) is
  ``(?=\\n?\\Z)``; ``$`` without ``(?m)`` means the same in both (end or before a final newline).
- With ``(?m)`` PCRE's ``^`` matches after *internal* newlines only, never after a newline that ends
  the subject; Python's does, so ``^`` becomes ``(?:\\A|(?<=\\n)(?!\\Z))``.
- ``\\d \\w \\s \\b \\B`` are ASCII in PCRE without UCP (assumptions.PCRE_UCP) and Unicode in Python:
  they are spelled out as ASCII classes.
- ``{,n}`` is a literal in PCRE before 10.43 and a quantifier after (and in Python): refused.
  A ``{`` that is not a quantifier is a literal in PCRE: it is escaped for Python.
- Inline flags are accepted only at the very start (``(?i)``, ``(?s)``, ``(?m)``, combined or repeated).
- Under ``(?i)`` Python's ``re`` also equates ``İ`` (U+0130) and ``ı`` (U+0131) with ``i``/``I``;
  PCRE2 does not (checked against libpcre2 over every cased code point: these are the only
  differences). So ``i``, ``I``, ``İ``, ``ı`` (alone or inside a class range) are matched in a
  case-sensitive scope ``(?-i:...)`` with PCRE's case set, and so are the ASCII shorthand classes,
  which PCRE never case-folds (Python would let ``(?i)[A-Za-z]`` match the Kelvin sign).

Refused: backreferences, lookaround, atomic and named groups, possessive quantifiers, ``\\p``/``\\P``,
``\\Q…\\E``, ``\\K``, ``\\G``, ``\\R``, ``\\h``/``\\v``, ``\\N``, ``\\X``, ``\\C``, ``\\c``, octal, POSIX
classes, conditionals, recursion, callouts, comments, verbs and any other flag (``(?x)`` …).
"""

from __future__ import annotations

import functools
import re

from engines.base import QueryError
from engines.spl import assumptions

_WORD = "A-Za-z0-9_"
_SPACE = "\\t\\n\\x0b\\f\\r "  # PCRE2 \s without UCP: HT LF VT FF CR space
_CLASS_SHORTHAND = {"d": "0-9", "w": _WORD, "s": _SPACE}
_SHORTHAND = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
}
_ASSERTIONS = {
    "A": "\\A",
    "z": "\\Z",
    "Z": "(?=\\n?\\Z)",
    "b": f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))",
    "B": f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))",
}
_CHAR_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "a": "\a", "e": "\x1b"}
_REFUSED_ESCAPES = {
    "p": "Unicode property \\p",
    "P": "Unicode property \\P",
    "Q": "quoting \\Q...\\E",
    "E": "\\E",
    "K": "match reset \\K",
    "G": "\\G",
    "R": "newline sequence \\R",
    "h": "horizontal space \\h",
    "H": "\\H",
    "v": "vertical space \\v",
    "V": "\\V",
    "N": "\\N",
    "X": "\\X",
    "C": "\\C",
    "c": "control character \\c",
    "g": "backreference \\g",
    "k": "named backreference \\k",
    "o": "octal \\o{}",
    "0": "octal escape",
}
_MAX_REPEAT = 65535  # PCRE's limit on a quantifier's bounds
_QUANTIFIER = re.compile(r"\{(\d+)(,(\d*))?\}")


# Under (?i): the characters whose case relations differ between Python and PCRE2, and the case set
# PCRE2 gives each of them.
_DOTTED_I = {"i": "iI", "I": "iI", "\u0130": "\u0130", "\u0131": "\u0131"}


@functools.lru_cache(maxsize=4096)
def compile_pcre(pattern: str) -> re.Pattern[str]:
    """A compiled Python regex equivalent to PCRE ``pattern``, for unanchored ``search``."""
    text, flags = translate(pattern)
    try:
        return re.compile(text, flags)
    except re.error as exc:  # pragma: no cover - translate() only emits valid Python syntax
        raise QueryError(f"regex {pattern!r} could not be compiled: {exc}") from exc


def translate(pattern: str) -> tuple[str, int]:
    """Python pattern text and ``re`` flags with the same matches as PCRE ``pattern``."""
    # Only these compile options are modelled; changing an assumption needs a new translation.
    if not assumptions.PCRE_UTF or assumptions.PCRE_UCP or assumptions.PCRE_NEWLINE != "\n":
        raise QueryError("only UTF mode, ASCII classes and LF newlines are modelled for PCRE")
    return _Translator(pattern).run()


class _Translator:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.multiline = False
        self.fold = False  # (?i): see _DOTTED_I

    def fail(self, what: str) -> QueryError:
        return QueryError(f"regex {self.p!r}: {what} (at offset {self.i}) is not supported")

    def run(self) -> tuple[str, int]:
        flags = self._leading_flags()
        out = self._sequence(depth=0)
        if self.i < len(self.p):  # only a stray ")" stops the top-level sequence
            raise QueryError(f"regex {self.p!r}: unmatched ')' at offset {self.i}")
        return out, flags

    def _leading_flags(self) -> int:
        flags = 0
        while True:
            m = re.match(r"\(\?([a-zA-Z]+)\)", self.p[self.i :])
            if m is None:
                return flags
            for letter in m.group(1):
                if letter == "i":
                    flags |= re.IGNORECASE
                    self.fold = True
                elif letter == "s":
                    flags |= re.DOTALL
                elif letter == "m":
                    flags |= re.MULTILINE
                    self.multiline = True
                else:
                    raise self.fail(f"inline flag ({m.group(0)})")
            self.i += m.end()

    def _sequence(self, depth: int) -> str:
        """Alternatives up to the closing ``)`` of this depth (not consumed) or the end."""
        out: list[str] = []
        quantifiable = False
        p = self.p
        while self.i < len(p):
            c = p[self.i]
            if c == ")":
                if depth == 0:
                    raise QueryError(f"regex {p!r}: unmatched ')' at offset {self.i}")
                return "".join(out)
            if c == "|":
                out.append("|")
                self.i += 1
                quantifiable = False
            elif c == "(":
                out.append(self._group(depth))
                quantifiable = True
            elif c == "[":
                out.append(self._class())
                quantifiable = True
            elif c == "\\":
                piece, quantifiable = self._escape()
                out.append(piece)
            elif c == ".":
                out.append(".")
                self.i += 1
                quantifiable = True
            elif c == "^":
                out.append("(?:\\A|(?<=\\n)(?!\\Z))" if self.multiline else "^")
                self.i += 1
                quantifiable = False
            elif c == "$":
                out.append("$")  # same meaning in PCRE and Python, with and without (?m)
                self.i += 1
                quantifiable = False
            elif c in "*+?" or (c == "{" and self._quantifier_at(self.i)):
                if not quantifiable:
                    raise self.fail("a quantifier with nothing to repeat")
                out.append(self._quantifier())
                quantifiable = False
            else:
                if c == "{" and p.startswith("{,", self.i):
                    raise self.fail("'{,n}' (a literal before PCRE2 10.43, a quantifier after)")
                out.append(self._lit(c))
                self.i += 1
                quantifiable = True
        if depth > 0:
            raise QueryError(f"regex {p!r}: missing ')'")
        return "".join(out)

    def _quantifier_at(self, i: int) -> bool:
        return _QUANTIFIER.match(self.p, i) is not None

    def _quantifier(self) -> str:
        p = self.p
        c = p[self.i]
        if c == "{":
            m = _QUANTIFIER.match(p, self.i)
            assert m is not None
            low = int(m.group(1))
            high = None if m.group(2) and not m.group(3) else int(m.group(3) or m.group(1))
            if low > _MAX_REPEAT or (high is not None and high > _MAX_REPEAT):
                raise self.fail(f"a repeat count over {_MAX_REPEAT}")
            if high is not None and high < low:
                raise QueryError(f"regex {p!r}: quantifier {m.group(0)} out of order")
            text = m.group(0)
            self.i = m.end()
        else:
            text = c
            self.i += 1
        if self.i < len(p):
            nxt = p[self.i]
            if nxt == "?":
                text += "?"
                self.i += 1
            elif nxt == "+":
                raise self.fail("a possessive quantifier")
        if self.i < len(p) and (p[self.i] in "*+?" or (p[self.i] == "{" and self._quantifier_at(self.i))):
            raise self.fail("a quantifier following a quantifier")
        return text

    def _group(self, depth: int) -> str:
        p = self.p
        start = self.i
        self.i += 1
        prefix = "("
        if p.startswith("*", self.i):
            raise self.fail("a PCRE verb or option setting (*...)")
        if p.startswith("?", self.i):
            if p.startswith("?:", self.i):
                prefix = "(?:"
                self.i += 2
            else:
                self.i = start
                raise self.fail(_describe_group(p[start : start + 4]))
        inner = self._sequence(depth + 1)
        if self.i >= len(p) or p[self.i] != ")":
            raise QueryError(f"regex {p!r}: missing ')'")
        self.i += 1
        return prefix + inner + ")"

    def _escape(self) -> tuple[str, bool]:
        """An escape outside a class: (python text, quantifiable)."""
        p = self.p
        if self.i + 1 >= len(p):
            raise QueryError(f"regex {p!r}: trailing backslash")
        c = p[self.i + 1]
        if c in _ASSERTIONS:
            self.i += 2
            return self._sensitive(_ASSERTIONS[c]), False
        if c in _SHORTHAND:
            self.i += 2
            return self._sensitive(_SHORTHAND[c]), True
        return self._lit(self._escaped_char()), True

    def _sensitive(self, text: str) -> str:
        """``text`` matched without case folding (PCRE never folds ASCII shorthand classes)."""
        return f"(?-i:{text})" if self.fold and re.search("[A-Za-z]", text) else text

    def _lit(self, c: str) -> str:
        """A literal character outside a class."""
        if self.fold and c in _DOTTED_I:
            return f"(?-i:[{_DOTTED_I[c]}])"
        return re.escape(c)

    def _escaped_char(self) -> str:
        """The single character denoted by the escape at ``self.i`` (consumed)."""
        p = self.p
        c = p[self.i + 1]
        if c == "x":
            m = re.match(r"\\x\{([0-9a-fA-F]{1,6})\}|\\x([0-9a-fA-F]{2})", p[self.i :])
            if m is None:
                raise self.fail("\\x without exactly two hex digits or {hex}")
            code = int(m.group(1) or m.group(2), 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise QueryError(f"regex {p!r}: \\x code point {code:#x} is not a character")
            self.i += m.end()
            return chr(code)
        if c in _CHAR_ESCAPES:
            self.i += 2
            return _CHAR_ESCAPES[c]
        if c.isdigit():
            raise self.fail("a backreference or octal escape")
        if c in _REFUSED_ESCAPES:
            raise self.fail(_REFUSED_ESCAPES[c])
        if c.isalnum():
            raise self.fail(f"unknown escape \\{c}")
        self.i += 2
        return c  # an escaped non-alphanumeric character is always that literal character

    def _class(self) -> str:
        p = self.p
        start = self.i
        self.i += 1
        negate = p.startswith("^", self.i)
        if negate:
            self.i += 1
        ranges: list[tuple[int, int]] = []
        shorthands: list[str] = []
        first = True
        while True:
            if self.i >= len(p):
                self.i = start
                raise QueryError(f"regex {p!r}: missing ']' for the class at offset {start}")
            c = p[self.i]
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            if c == "[" and p[self.i + 1 : self.i + 2] in (":", ".", "="):
                raise self.fail("a POSIX class")
            low, is_set = self._class_atom()
            if is_set:
                shorthands.append(low)
                continue
            if p.startswith("-", self.i) and self.i + 1 < len(p) and p[self.i + 1] != "]":
                self.i += 1
                high, high_is_set = self._class_atom()
                if high_is_set:
                    raise self.fail("a class shorthand as a range end")
                if ord(high) < ord(low):
                    raise QueryError(f"regex {p!r}: range out of order in class at offset {start}")
                ranges.append((ord(low), ord(high)))
            else:
                ranges.append((ord(low), ord(low)))
        return self._emit_class(ranges, shorthands, negate)

    def _emit_class(self, ranges: list[tuple[int, int]], shorthands: list[str], negate: bool) -> str:
        if not self.fold:
            body = "".join(_range_text(lo, hi) for lo, hi in ranges) + "".join(shorthands)
            return "[" + ("^" if negate else "") + body + "]"
        # Under (?i): split off the dotted/dotless i's (matched with PCRE's case sets) and the
        # shorthands (never folded) into a case-sensitive part; Python folds the rest as PCRE does.
        folded: list[str] = []
        exact: set[str] = set()
        for lo, hi in ranges:
            cut = sorted(ord(k) for k in _DOTTED_I if lo <= ord(k) <= hi)
            exact.update(_DOTTED_I[chr(k)] for k in cut)
            for a, b in _split(lo, hi, cut):
                folded.append(_range_text(a, b))
        sensitive = "".join(sorted(exact)) + "".join(shorthands)
        rest = "".join(folded)
        if not negate:
            parts = ([f"[{rest}]"] if rest else []) + ([f"(?-i:[{sensitive}])"] if sensitive else [])
            return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        guard = f"(?!(?-i:[{sensitive}]))" if sensitive else ""
        return f"(?:{guard}[^{rest}])" if rest else f"(?:{guard}[\\x00-\\U0010ffff])"

    def _class_atom(self) -> tuple[str, bool]:
        """One class member: (a character, False) or (Python class text of a shorthand, True)."""
        p = self.p
        c = p[self.i]
        if c != "\\":
            self.i += 1
            return c, False
        if self.i + 1 >= len(p):
            raise QueryError(f"regex {p!r}: trailing backslash")
        e = p[self.i + 1]
        if e in _CLASS_SHORTHAND:
            self.i += 2
            return _CLASS_SHORTHAND[e], True
        if e in "DWS":
            raise self.fail(f"negated shorthand \\{e} inside a class")
        if e == "b":
            raise self.fail("\\b inside a class")
        return self._escaped_char(), False


def _range_text(lo: int, hi: int) -> str:
    return re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"


def _split(lo: int, hi: int, cut: list[int]) -> list[tuple[int, int]]:
    """The range lo..hi without the (sorted) code points in ``cut``."""
    out = []
    for k in cut:
        if lo <= k - 1:
            out.append((lo, k - 1))
        lo = k + 1
    if lo <= hi:
        out.append((lo, hi))
    return out


def _describe_group(head: str) -> str:
    if head.startswith(("(?=", "(?!", "(?<=", "(?<!")):
        return "lookaround"
    if head.startswith(("(?<", "(?P", "(?'")):
        return "a named group"
    if head.startswith("(?>"):
        return "an atomic group"
    if head.startswith("(?#"):
        return "a comment"
    if head.startswith("(?("):
        return "a conditional"
    if head.startswith("(?|"):
        return "a branch-reset group"
    return f"the group or inline flag {head!r}… (flags are only accepted at the start)"
