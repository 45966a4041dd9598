"""Every unconfirmed Splunk behaviour the SPL interpreter relies on, in one place.

Each name below is a choice made where Splunk's documentation is silent (tagged [U], or [D] where
derived, in ../shared/reference/semantics.md). Each has a test in tests/test_spl_assumptions.py that
pins it, so changing a choice fails a test and is a visible decision. When a behaviour is confirmed on
a real Splunk, update the docstring's tag and keep the test.

Nothing else in engines/spl decides these questions: the evaluator calls the functions and reads the
constants defined here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# --- search command ------------------------------------------------------------------------------


def fold_case(text: str) -> str:
    """Case folding used by the ``search`` command's case-insensitive value match.

    [U] "search-command case folding of non-ASCII" (brief; semantics.md B.2 only says "Values are
    case-insensitive (`Error` = `error`)" [V], with ASCII examples). Choice: Unicode simple lower-casing
    (``str.lower``), so ``É`` matches ``é``. If Splunk folds ASCII only, replace this with an ASCII fold.
    """
    return text.lower()


def search_not_equal(value_matches: Iterable[bool]) -> bool:
    """``field!=v`` on a field that is present: ``value_matches`` says, per value, whether it equals v.

    [U] semantics.md F.3.3: "Does `field!=value` match events where a multivalue field has other
    values? Not documented. The doc only covers missing fields." Choice: the comparison is made per
    value and the event matches when *some* value differs (so ``["a", "b"]`` matches ``f!=a``), the
    mirror image of ``f=v`` matching when some value matches (B.2 [D]). ``NOT f=v`` is the way to drop
    every event having ``a`` among its values.
    """
    return any(not m for m in value_matches)


EMPTY_VALUE_IS_PRESENT: bool = True
"""A field whose value is the empty string exists for ``search``: ``f=*`` and ``f=""`` match it.

[U] semantics.md B.2 says "`field=*` = field present (has some value) [D/common]" and F.3.5 leaves the
rendering of empty/null JSON values open. Choice: if the platform view keeps a field with value ``""``,
``*`` (zero or more characters) matches it, like any other value. Whether KV_MODE=json keeps empty
values at all is the view's decision, not the interpreter's.
"""

# --- quoted strings ------------------------------------------------------------------------------

UNKNOWN_ESCAPES_KEPT_IN_REGEX: bool = True
"""In a regular expression given as a quoted SPL string, an unknown backslash sequence reaches PCRE.

[D] Splunk docs, Search Manual "Backslashes": a literal backslash in an SPL argument is written ``\\\\``
and "commands that execute subsequent to that initial escaping might need additional escaping,
especially commands that use regular expressions" (two layers: SPL unescapes, then PCRE). semantics.md
F.3.2: ``\\\\`` [V], ``\\"`` [D]. Choice: SPL turns ``\\\\`` into ``\\`` and ``\\"`` into ``"`` and
leaves every other backslash pair as it is, so ``"\\d+"`` and ``"\\\\d+"`` are both the regex ``\\d+``.
Outside regex positions an unknown sequence is refused instead (nothing there relies on a guess).
"""

EVAL_STRING_ESCAPES: dict[str, str] = {"\\": "\\", '"': '"', "t": "\t"}
"""Backslash sequences an eval string literal (``where``) translates.

[V] Splunk Search Manual "Types of expressions": ``"C:\\\\windows"`` is ``C:\\windows`` and in
``"C:\\\\windows\\temp"`` "the \\t ... is interpreted as a tab". ``\\"`` is [D] (F.3.2). Any other
sequence is kept verbatim in a regex argument (UNKNOWN_ESCAPES_KEPT_IN_REGEX) and refused elsewhere.
"""

# --- where / eval --------------------------------------------------------------------------------

NUMERIC_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
"""Which field values eval treats as numbers (and ``search`` accepts in ``<`` ``<=`` ``>`` ``>=``).

[D] Splunk field values are strings or numbers (F.3.5, Informational functions: "field values are
either string or number data types"); ``tonumber`` returns null for a value "that contains a leading
and trailing space". [U] the exact grammar. Choice: optional sign, decimal digits with an optional
fraction, optional exponent; nothing else (no spaces, hex, ``inf``/``nan``). Matched in full.
"""

FIELD_NUMBERS_ARE_NUMBERS: bool = True
"""A field value that is numeric text behaves as a number in eval.

[D] ``where status<300`` on extracted ``status="200"`` is the documented idiom, and ``isnum`` is meant
for field values. [U] whether ``isstr`` is then false. Choice: such a value is a number: ``isnum`` is
true, ``isstr`` false, ``=`` with a number literal compares numerically (``"5.0" = 5``). Its original
text is kept for string uses (``len``, ``match``, ``tostring``, comparison with a string).
"""


def compare_mixed_as_text() -> bool:
    """Comparing a number with a non-numeric string in eval (``where f = "abc"`` with ``f=5``).

    [U] not documented for SPL1 eval. Choice: both sides are compared as strings, the number by its
    text (a field's original text, a literal as written), case-sensitively like any eval string compare.
    Returns True to say "compare as text" (the alternative would be null, which drops the event).
    """
    return True


def mv_compare(results: Iterable[bool | None]) -> bool | None:
    """An eval comparison, or predicate function, whose argument is a multivalue field.

    [U] brief: "eval comparisons on multivalue fields" and "functions other than mv* ... not well
    documented". Choice: the comparison or predicate (``match``, ``like``, ``cidrmatch``, ``isnum``,
    ``isstr``) is applied to each value and is true when any value makes it true, as ``search`` does
    (B.2 [D]). Value functions (``lower``, ``upper``, ``len``, ``tostring``, ``tonumber``) map over the
    values and return a multivalue.
    """
    seen_false = False
    for r in results:
        if r is True:
            return True
        if r is False:
            seen_false = True
    return False if seen_false else None


NULL_COMPARISON: None = None
"""The result of an eval comparison with a null (absent) operand: null, which ``where`` does not keep.

[U] brief: "null in boolean operators"; semantics.md B.2 gives no rule. Choice: SQL-like three-valued
logic: ``f = "x"`` and ``f != "x"`` are null when ``f`` is absent, ``NOT null`` is null, ``null AND
false`` is false, ``null OR true`` is true, ``XOR`` with null is null (see ``kleene_*`` below).
So ``where NOT f="x"`` drops events without ``f`` (unlike ``search NOT f=x``, B.2 [V]).
"""


def kleene_not(a: bool | None) -> bool | None:
    """NOT under NULL_COMPARISON's three-valued logic."""
    return None if a is None else not a


def kleene_and(a: bool | None, b: bool | None) -> bool | None:
    """AND under NULL_COMPARISON's three-valued logic."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def kleene_or(a: bool | None, b: bool | None) -> bool | None:
    """OR under NULL_COMPARISON's three-valued logic."""
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def kleene_xor(a: bool | None, b: bool | None) -> bool | None:
    """XOR under NULL_COMPARISON's three-valued logic."""
    if a is None or b is None:
        return None
    return a != b


NULL_PREDICATE_RESULT: bool | None = None
"""What ``match``, ``like`` and ``cidrmatch`` return for a null (absent) argument: null.

[U] not stated per function. Choice: null in, null out, so ``where NOT match(f, "x")`` drops events
without ``f`` (False would keep them). The value functions ``len``, ``lower``, ``upper``, ``tonumber``,
``tostring``, ``mvfind`` and ``mvcount`` also return null for null (mvcount's "returns NULL" when the
field has no values is the only documented case). ``isnull``/``isnotnull`` test for null;
``isnum``/``isstr`` of null are false; ``coalesce`` skips nulls.
"""

LIKE_CASE_SENSITIVE: bool = True
"""``like(x, pattern)`` compares case-sensitively; ``%`` is any run of characters (newlines included),
``_`` exactly one character (one Unicode code point, not one byte).

[U] semantics.md F.3.4: "Is `like()` in `where` case-sensitive? Docs give only 'TRUE if the string
matches the pattern'; no case statement found", and B.2 "[U — believed case-sensitive; test]".
A backslash in a like pattern is refused: whether it escapes ``%``/``_`` is not documented.
"""

# --- PCRE (regex command, match, mvfind) ---------------------------------------------------------

PCRE_UTF: bool = True
"""Splunk compiles regexes in UTF mode: ``.`` and ``[^x]`` consume one code point, ``\\x{hhhh}`` is a
code point, and ``(?i)`` folds non-ASCII letters.

[D] Splunk stores UTF-8 (CHARSET default) and documents PCRE (B.2 [V]); the compile options are [U].
"""

PCRE_UCP: bool = False
"""``\\d`` ``\\w`` ``\\s`` ``\\b`` are ASCII-only (PCRE's default without PCRE_UCP).

[U] Splunk's compile options are not documented. Choice: PCRE's default, so ``\\d`` is ``[0-9]``,
``\\w`` is ``[A-Za-z0-9_]``, ``\\s`` is ``[\\t\\n\\x0b\\f\\r ]`` and ``\\b`` uses that ``\\w``.
"""

PCRE_NEWLINE: str = "\n"
"""The newline PCRE uses for ``.``, ``^``/``$`` in ``(?m)``, ``$`` and ``\\Z``: LF only (PCRE's build
default). [U] Splunk's build option. So ``.`` matches ``\\r`` but not ``\\n``.
"""


def regex_command_keeps(field_matches: bool | None, negated: bool) -> bool:
    """Whether ``| regex f="re"`` (or ``f!="re"`` when ``negated``) keeps an event.

    ``field_matches`` is None when the field is absent, else whether any of its values matches.
    [V] the command "keeps (or with `!=` drops) matching results" (B.2). [U] an absent field and a
    multivalue field. Choice: an absent field does not match, so ``f="re"`` drops the event and
    ``f!="re"`` keeps it; a multivalue field matches when any value matches.
    """
    matched = bool(field_matches)
    return not matched if negated else matched
