"""A sound pre-filter for `siemc evaluate` over JSON Lines: skip a line without parsing it when no
event in it can match the rule.

From the rule's condition we derive a *necessary* condition on the raw line: a formula of
``Need(text)`` (the line holds ``text``, ASCII case-insensitively), ``All`` and ``Any``. A Sigma
string value with a literal run, say ``rds.amazonaws.com``, can only match a JSON string whose
decoded text contains that run; the raw line then contains it too, unless the line hides it:

- a ``\\uXXXX`` escape can encode any character, so a line with an escape that decodes to printable
  ASCII, or to a non-ASCII character that the evaluator equates with an ASCII letter, is a *hazard*
  line and passes every ``Need``;
- the evaluator folds case with ``str.lower`` and ``re.IGNORECASE``, under which four non-ASCII
  characters equal ASCII letters (``İ ı`` = i, ``ſ`` = s, ``K`` Kelvin = k): a line holding one of
  them raw (UTF-8) is a hazard line too;
- the other JSON escapes (``\\" \\\\ \\/ \\b \\f \\n \\r \\t``) encode only ``" \\ /`` and control
  characters, which a needle never contains: a needle is split at those characters;
- JSON numbers and booleans are compared as their Python text (``1E2`` reads as ``100.0``), which
  the raw text need not contain: a needle whose characters could all belong to such a text
  (digits, ``+-.e``, ``inf``, ``nan``, ``true``, ``false``) is dropped.

``Need`` comes only from what must hold for a match: an ``and`` needs all its parts, an ``or`` one
of them, a ``not`` nothing (we never derive anything from a negation), and every value type other
than a string (regex, number, CIDR, null, exists, field reference) needs nothing. When nothing is
needed the formula is TRUE and no line is skipped.

What a skipped line is not: parsed. So a malformed line that provably holds no match is not
reported (the first and last line of a file are always parsed, so a truncated file still is).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.rule import SigmaRule
from sigma.types import SigmaExpansion, SigmaString

# Non-ASCII characters that the evaluator's case folding (str.lower, re.IGNORECASE) equates with an
# ASCII letter; tests/test_prefilter.py re-derives this table from all of Unicode.
EQUIVALENTS: dict[str, str] = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}

# Characters that JSON may write escaped other than with \\u: never part of a needle.
_ESCAPABLE = frozenset('"\\/')
# Every character of a number's or a boolean's text as the evaluator sees it (str(int), str(float),
# "true", "false"): a needle made only of these could match a value the raw line spells differently.
_NUMERIC_TEXT = frozenset("0123456789+-.e" "inf" "nan" "true" "false")
MIN_NEEDLE = 3


@dataclass(frozen=True)
class Need:
    text: str  # lower-case printable ASCII, without " \ /


@dataclass(frozen=True)
class All:
    parts: tuple[Formula, ...]


@dataclass(frozen=True)
class Any_:
    parts: tuple[Formula, ...]


Formula = Need | All | Any_
TRUE: Formula = All(())


def _all(parts: list[Formula]) -> Formula:
    flat: list[Formula] = []
    for p in parts:
        if isinstance(p, All):
            flat.extend(q for q in p.parts if q not in flat)
        elif p not in flat:
            flat.append(p)
    return flat[0] if len(flat) == 1 else All(tuple(flat))


def _any(parts: list[Formula]) -> Formula:
    if not parts or any(p == TRUE for p in parts):
        return TRUE
    flat: list[Formula] = []
    for p in parts:
        for q in p.parts if isinstance(p, Any_) else (p,):
            if q not in flat:
                flat.append(q)
    # a needle that contains another is implied by it: keep the shorter
    needles = [q.text for q in flat if isinstance(q, Need)]
    flat = [q for q in flat if not (isinstance(q, Need) and any(n != q.text and n in q.text for n in needles))]
    return flat[0] if len(flat) == 1 else Any_(tuple(flat))


# ---- deriving the formula from a rule -------------------------------------------------------------
def _segments(text: str) -> list[str]:
    """The pieces of a literal that must appear as they are in the raw JSON text."""
    out, cur = [], []
    for ch in text:
        if " " <= ch <= "~" and ch not in _ESCAPABLE:
            cur.append(ch.lower())
        else:
            out.append("".join(cur))
            cur = []
    out.append("".join(cur))
    return [s for s in out if len(s) >= MIN_NEEDLE and not set(s) <= _NUMERIC_TEXT]


def _string(value: SigmaString) -> Formula:
    runs, cur = [], []
    for part in value.s:
        if isinstance(part, str):
            cur.append(part)
        else:  # a wildcard or a placeholder ends a literal run
            runs.append("".join(cur))
            cur = []
    runs.append("".join(cur))
    segs = [s for r in runs for s in _segments(r)]
    if not segs:
        return TRUE
    return Need(max(segs, key=len))  # any one is necessary; the longest filters best


def _value(value: Any) -> Formula:
    if isinstance(value, SigmaExpansion):
        return _any([_value(v) for v in value.values])
    if isinstance(value, SigmaString):
        return _string(value)
    return TRUE  # regex, number, bool, CIDR, compare, null, exists, field reference: nothing derived


def _condition(cond: Any) -> Formula:
    if isinstance(cond, ConditionAND):
        return _all([_condition(a) for a in cond.args])
    if isinstance(cond, ConditionOR):
        return _any([_condition(a) for a in cond.args])
    if isinstance(cond, (ConditionFieldEqualsValueExpression, ConditionValueExpression)):
        return _value(cond.value)
    return TRUE  # NOT and anything else: nothing is necessary


def derive(rule: SigmaRule) -> Formula:
    """The necessary condition on a raw line for ``rule`` (a condition list is the OR of its conditions)."""
    return _any([_condition(c.parsed) for c in rule.detection.parsed_condition])


# ---- running it on raw bytes ------------------------------------------------------------------------
def _escape_pattern() -> re.Pattern[bytes]:
    alts = [rb"00[2-7][0-9a-fA-F]"]  # printable ASCII (and DEL)
    for ch in EQUIVALENTS:
        h = f"{ord(ch):04x}"
        alts.append("".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in h).encode())
    return re.compile(rb"\\u(?:" + b"|".join(alts) + rb")")


_ESCAPE = _escape_pattern()
_RAW_EQUIVALENTS = tuple(ch.encode("utf-8") for ch in EQUIVALENTS)


def is_hazard(line: bytes) -> bool:
    """Whether an escape or a raw non-ASCII character could hide a needle in ``line``."""
    if _ESCAPE.search(line):
        return True
    return not line.isascii() and any(seq in line for seq in _RAW_EQUIVALENTS)


def _holds(f: Formula) -> Callable[[bytes, int, int], bool]:
    """``f`` over the lower-cased line ``low[start:end]``."""
    if isinstance(f, Need):
        needle = f.text.encode()
        return lambda low, s, e: low.find(needle, s, e) != -1
    parts = [_holds(p) for p in f.parts]
    if isinstance(f, All):
        return lambda low, s, e: all(p(low, s, e) for p in parts)
    return lambda low, s, e: any(p(low, s, e) for p in parts)


def _needles(f: Formula) -> list[str]:
    if isinstance(f, Need):
        return [f.text]
    return [n for p in f.parts for n in _needles(p)]


def _anchors(f: Formula) -> list[list[str]]:
    """Sets of needles of which every match needs at least one: the candidates to scan a chunk for."""
    if isinstance(f, Need):
        return [[f.text]]
    if isinstance(f, All):
        return [a for p in f.parts for a in _anchors(p)]
    options = [_anchors(p) for p in f.parts]
    if not all(options):
        return []
    merged: list[str] = []
    for opts in options:
        merged.extend(n for n in min(opts, key=len) if n not in merged)
    return [merged]


def _common(needles: list[str]) -> str:
    """The longest text in every needle (a single scan instead of one per needle)."""
    first = min(needles, key=len)
    for size in range(len(first), 0, -1):
        for i in range(len(first) - size + 1):
            sub = first[i:i + size]
            if all(sub in n for n in needles):
                return sub
    return ""


def _compact(needles: list[str]) -> list[str]:
    if len(needles) > 1:
        common = _common(needles)
        if len(common) >= MIN_NEEDLE + 1:
            return [common]
    return needles


class LineFilter:
    """Picks, in a chunk of whole JSON lines, the lines that may hold a matching event."""

    def __init__(self, formula: Formula) -> None:
        if formula == TRUE:
            raise ValueError("a TRUE formula filters nothing")
        self.formula = formula
        self._holds = _holds(formula)
        self._options = [[n.encode() for n in _compact(a)] for a in _anchors(formula)]
        self._anchor: list[bytes] | None = None
        # a raw non-ASCII equivalent can hide only a needle that holds its letter
        letters = set("".join(_needles(formula)))
        raw = [ch.encode("utf-8") for ch, letter in EQUIVALENTS.items() if letter in letters]
        self._leads = {lead: tuple(seq for seq in raw if seq[:1] == lead) for lead in sorted({r[:1] for r in raw})}

    @classmethod
    def for_rule(cls, rule: SigmaRule) -> LineFilter | None:
        """The filter for ``rule``, or None when no line can be ruled out from its text."""
        f = derive(rule)
        return None if f == TRUE else cls(f)

    def __repr__(self) -> str:
        return f"LineFilter({self.formula!r})"

    def may_match(self, line: bytes) -> bool:
        """Whether an event on this one line (no newline) could match: False only when none can."""
        return is_hazard(line) or self._holds(line.lower(), 0, len(line))

    def _choose(self, low: bytes, start: int, end: int) -> list[bytes]:
        """The anchor with the fewest hits in the first chunk (each hit is a line to check)."""
        if not self._options:
            return []
        return min(self._options, key=lambda needles: (sum(low.count(n, start, end) for n in needles), len(needles)))

    def candidates(self, chunk: bytes, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """``(s, e)`` of each line of ``chunk[start:end]`` (whole ``\n``-separated lines) that may match."""
        end = len(chunk) if end is None else end
        low = chunk.lower()
        if self._anchor is None:
            self._anchor = self._choose(low, start, end)
        spans: dict[int, int] = {}
        hazards: set[int] = set()

        def line_of(i: int) -> tuple[int, int]:
            s = chunk.rfind(b"\n", start, i) + 1 or start
            e = chunk.find(b"\n", i, end)
            return s, end if e == -1 else e

        if self._anchor:
            for needle in self._anchor:
                i = low.find(needle, start, end)
                while i != -1:
                    s, e = line_of(i)
                    spans[s] = e
                    i = low.find(needle, e, end)
        else:  # no needle every match needs (cannot happen for a formula other than TRUE): check every line
            s = start
            while s < end:
                e = chunk.find(b"\n", s, end)
                e = end if e == -1 else e
                spans[s] = e
                s = e + 1
        # escapes: walk the backslashes (memchr); where they are dense, let the regex find the \u ones
        i = chunk.find(b"\\", start, end)
        budget = 4096
        while i != -1:
            if _ESCAPE.match(chunk, i):
                s, e = line_of(i)
                spans[s] = e
                hazards.add(s)
                i = chunk.find(b"\\", e, end)
                continue
            budget -= 1
            if not budget:
                m = _ESCAPE.search(chunk, i + 2, end)
                while m:
                    s, e = line_of(m.start())
                    spans[s] = e
                    hazards.add(s)
                    m = _ESCAPE.search(chunk, e, end)
                break
            i = chunk.find(b"\\", i + 2, end)  # the escaped character is never the start of an escape
        if self._leads and not chunk.isascii():
            for lead, seqs in self._leads.items():
                i = chunk.find(lead, start, end)
                while i != -1:
                    if chunk.startswith(seqs, i):
                        s, e = line_of(i)
                        spans[s] = e
                        hazards.add(s)
                        i = e
                    i = chunk.find(lead, i + 1, end)
        holds = self._holds
        return [(s, spans[s]) for s in sorted(spans) if s in hazards or holds(low, s, spans[s])]
