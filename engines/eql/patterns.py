"""String matching as Elasticsearch 8 runs it on keyword terms: case folding and wildcards.

Case-insensitive term, prefix and wildcard queries in Elasticsearch 8 fold ASCII letters only
(`AutomatonQueries.toCaseInsensitiveChar` leaves code points above 128 alone), so `:` on "É"
never matches "é". That folding is the `ascii_fold` below; see `assumptions.CASE_FOLDING`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable

__all__ = ["ascii_fold", "eql_like_matcher", "lucene_wildcard_matcher", "prefix_matcher"]

_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

StrPredicate = Callable[[str], bool]


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters only, as Lucene's case-insensitive automata do."""
    return text.translate(_FOLD)


def _wildcard_regex(pattern: str, *, escapes: bool) -> str:
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "\\" and escapes and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def eql_like_matcher(pattern: str, *, insensitive: bool) -> StrPredicate:
    """EQL `:` / `like` / `like~`: `*` any run, `?` one character, everything else literal.

    EQL turns the pattern into a LIKE pattern whose escape character is U+0001, then escapes any
    literal backslash for Lucene (F.2 2.3), so a backslash is an ordinary character and a literal
    `*` or `?` cannot be written.
    """
    if insensitive:
        compiled = re.compile(_wildcard_regex(ascii_fold(pattern), escapes=False), re.DOTALL)
        return lambda value: compiled.fullmatch(ascii_fold(value)) is not None
    compiled = re.compile(_wildcard_regex(pattern, escapes=False), re.DOTALL)
    return lambda value: compiled.fullmatch(value) is not None


def lucene_wildcard_matcher(pattern: str, *, insensitive: bool) -> StrPredicate:
    """A raw Lucene wildcard (`\\` escapes the next character), as `endsWith`/`stringContains` send it.

    Elasticsearch builds those queries by gluing `*` to the function's argument without escaping
    it, so a `*`, `?` or `\\` inside the argument keeps its wildcard meaning.
    """
    if insensitive:
        if re.search(r"\\[A-Za-z]", pattern):
            # Whether an escaped letter is folded differs between Elasticsearch versions.
            raise ValueError("an escaped letter in a case-insensitive wildcard is version-dependent")
        compiled = re.compile(_wildcard_regex(ascii_fold(pattern), escapes=True), re.DOTALL)
        return lambda value: compiled.fullmatch(ascii_fold(value)) is not None
    compiled = re.compile(_wildcard_regex(pattern, escapes=True), re.DOTALL)
    return lambda value: compiled.fullmatch(value) is not None


def prefix_matcher(prefix: str, *, insensitive: bool) -> StrPredicate:
    """A Lucene prefix query: the argument is literal (no wildcard meaning)."""
    if insensitive:
        folded = ascii_fold(prefix)
        return lambda value: ascii_fold(value).startswith(folded)
    return lambda value: value.startswith(prefix)
