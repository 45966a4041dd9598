"""Sigma string values as patterns: literal text and the two wildcards, nothing else.

pySigma's SigmaString already resolved Sigma's escaping (``\\*`` is a literal star); every
backend renders from this neutral form, so no backend re-parses escapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from sigma.types import Placeholder, SigmaString, SpecialChars


class Wild(Enum):
    ANY = "*"  # any run of characters, possibly empty
    ONE = "?"  # exactly one character


Part = str | Wild


@dataclass(frozen=True)
class Pattern:
    parts: tuple[Part, ...]

    @classmethod
    def from_sigma(cls, s: SigmaString) -> Pattern:
        parts: list[Part] = []
        for p in s.s:
            if isinstance(p, Placeholder):
                raise ValueError(f"unexpanded placeholder %{p.name}%")
            if p is SpecialChars.WILDCARD_MULTI:
                if not (parts and parts[-1] is Wild.ANY):  # ** means the same as *
                    parts.append(Wild.ANY)
            elif p is SpecialChars.WILDCARD_SINGLE:
                parts.append(Wild.ONE)
            elif parts and isinstance(parts[-1], str):
                parts[-1] += p
            else:
                parts.append(p)
        return cls(tuple(parts))

    @classmethod
    def literal(cls, text: str) -> Pattern:
        return cls((text,) if text else ())

    @property
    def is_literal(self) -> bool:
        return all(isinstance(p, str) for p in self.parts)

    @property
    def text(self) -> str:
        """The literal text (only meaningful when is_literal)."""
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def has_one(self) -> bool:
        return Wild.ONE in self.parts

    def shape(self) -> tuple[str, str] | None:
        """('exact'|'prefix'|'suffix'|'contains', text) when the pattern has that simple shape."""
        ps = self.parts
        if self.is_literal:
            return ("exact", self.text)
        inner = [p for p in ps if p is not Wild.ANY]
        if len(inner) != 1 or not isinstance(inner[0], str) or Wild.ONE in ps:
            return None
        text = inner[0]
        if ps == (text, Wild.ANY):
            return ("prefix", text)
        if ps == (Wild.ANY, text):
            return ("suffix", text)
        if ps == (Wild.ANY, text, Wild.ANY):
            return ("contains", text)
        return None

    def literal_chars(self) -> str:
        return "".join(p for p in self.parts if isinstance(p, str))

    def to_regex(self, escape: Callable[[str], str], any_: str, one: str) -> str:
        """Body of a regex matching the pattern; anchoring and flags are the caller's."""
        out = []
        for p in self.parts:
            if p is Wild.ANY:
                out.append(any_)
            elif p is Wild.ONE:
                out.append(one)
            else:
                out.append(escape(p))
        return "".join(out)


def ascii_escape(text: str, keep: Callable[[str], bool] = str.isalnum) -> str:
    r"""Escape every character a regex dialect could treat specially.

    Alphanumerics (and non-ASCII letters) stay; other printable ASCII gets a backslash;
    control characters become \xHH, which RE2, PCRE, Rust regex and Hyperscan all read alike.
    """
    out = []
    for ch in text:
        if ch.isascii() and not ch.isprintable():
            out.append(f"\\x{ord(ch):02x}")
        elif not ch.isascii() or keep(ch) or ch == "_":
            out.append(ch)
        elif ch == " ":
            out.append(" ")
        else:
            out.append("\\" + ch)
    return "".join(out)


SIMPLE_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def double_quoted(text: str, control: Callable[[int], str]) -> str:
    """A double-quoted literal with C-style escapes, as EQL and KQL both read them; other control
    characters are written with the language's own unicode escape (``control(codepoint)``)."""
    out = []
    for ch in text:
        if ch in SIMPLE_STRING_ESCAPES:
            out.append(SIMPLE_STRING_ESCAPES[ch])
        elif ch.isascii() and not ch.isprintable():
            out.append(control(ord(ch)))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
