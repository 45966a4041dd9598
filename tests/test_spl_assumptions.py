"""Pins every unconfirmed Splunk behaviour the SPL interpreter relies on (engines/spl/assumptions.py).

A failing test here means an assumption changed: update the docstring in assumptions.py (its [U]/[D]
tag and source) together with the test, and say why in the commit.
"""

from __future__ import annotations

from typing import Any

import pytest

from engines.base import QueryError
from engines.spl import assumptions
from engines.spl_engine import SplEngine

ENGINE = SplEngine()


def keeps(query: str, doc: dict[str, Any]) -> bool:
    return ENGINE.run(query, [doc])[0]


def where(expr: str, doc: dict[str, Any]) -> bool:
    """``where expr`` after a search that keeps every document (sourcetype is set on each)."""
    return keeps(f"sourcetype=* | where {expr}", {"sourcetype": "aws:cloudtrail", **doc})


def test_fold_case_is_unicode_lower() -> None:
    assert assumptions.fold_case("ÉTÉ İ") == "été i̇"
    assert keeps("f=ÉTÉ", {"f": "été"})
    assert keeps("f=straße", {"f": "STRASSE"}) is False  # simple lower-casing, not full case folding


def test_search_not_equal_on_multivalue_is_any_value_differs() -> None:
    assert assumptions.search_not_equal([True, False]) is True
    assert keeps("f!=a", {"f": ["a", "b"]})
    assert keeps("f!=a", {"f": ["a", "A"]}) is False
    assert keeps("NOT f=a", {"f": ["a", "b"]}) is False


def test_empty_value_is_present() -> None:
    assert assumptions.EMPTY_VALUE_IS_PRESENT is True
    assert keeps("f=*", {"f": ""})
    assert keeps('f=""', {"f": ""})
    assert keeps("f!=x", {"f": ""})
    assert where("isnotnull(f)", {"f": ""})


def test_unknown_escapes_reach_pcre_in_regex_positions_only() -> None:
    assert assumptions.UNKNOWN_ESCAPES_KEPT_IN_REGEX is True
    doc = {"f": "abc123"}
    assert keeps('f=* | regex f="^[a-c]+\\d+$"', doc)
    assert keeps('f=* | regex f="^[a-c]+\\\\d+$"', doc)
    assert where('match(f, "\\d{3}$")', doc)
    assert where('match(f, "\\\\d{3}$")', doc)
    with pytest.raises(QueryError):
        where('f="\\d"', doc)  # outside a regex an unknown escape is refused
    with pytest.raises(QueryError):
        keeps('f="\\d"', doc)


def test_eval_string_escapes() -> None:
    assert assumptions.EVAL_STRING_ESCAPES == {"\\": "\\", '"': '"', "t": "\t"}
    assert where('f="a\\tb"', {"f": "a\tb"})
    assert where('f="C:\\\\x"', {"f": "C:\\x"})
    assert where('f="say \\"hi\\""', {"f": 'say "hi"'})
    with pytest.raises(QueryError):
        where('f="a\\nb"', {"f": "a\nb"})


@pytest.mark.parametrize(
    ("text", "numeric"),
    [("5", True), ("-5", True), ("+5", True), ("1.5", True), (".5", True), ("5.", True), ("1e3", True),
     ("1E-3", True), (" 5", False), ("5 ", False), ("0x10", False), ("inf", False), ("nan", False),
     ("1,000", False), ("", False), ("1e", False)],
)  # fmt: skip
def test_numeric_text(text: str, numeric: bool) -> None:
    assert (assumptions.NUMERIC_TEXT.fullmatch(text) is not None) is numeric
    assert where("isnum(f)", {"f": text}) is numeric
    assert keeps("f>-1000000", {"f": text}) is (numeric and float(text) > -1000000)


def test_field_numbers_are_numbers() -> None:
    assert assumptions.FIELD_NUMBERS_ARE_NUMBERS is True
    assert where("isnum(f)", {"f": "5"})
    assert where("isstr(f)", {"f": "5"}) is False
    assert where("f=5", {"f": "5.0"})
    assert where('len(f)=3 AND tostring(f)="5.0"', {"f": "5.0"})
    assert where("isstr(f)", {"f": True})  # a JSON boolean is the text "true"


def test_number_compared_with_string_as_text() -> None:
    assert assumptions.compare_mixed_as_text() is True
    assert where('f="5.0"', {"f": "5.0"})
    assert where('f="5"', {"f": "5.0"}) is False
    assert where('f<"a"', {"f": "5"})
    assert where('10<"9"', {})


def test_multivalue_in_eval_is_any_value() -> None:
    doc = {"f": ["a", "b"]}
    assert assumptions.mv_compare([False, True]) is True
    assert assumptions.mv_compare([False, None]) is False
    assert assumptions.mv_compare([None]) is None
    assert where('f="b"', doc)
    assert where('f!="a"', doc)
    assert where('f!="a"', {"f": ["a", "a"]}) is False
    assert where('match(f, "^b$")', doc)
    assert where('like(f, "b")', doc)
    assert where('lower(f)="b"', {"f": ["A", "B"]})
    assert where("len(f)=3", {"f": ["ab", "abc"]})
    assert where('cidrmatch("10.0.0.0/8", f)', {"f": ["192.0.2.1", "10.1.2.3"]})
    assert where("isnum(f)", {"f": ["x", "5"]})
    assert where("f>3", {"f": ["1", "5"]})


def test_null_logic_is_three_valued() -> None:
    assert assumptions.NULL_COMPARISON is None
    assert (assumptions.kleene_and(None, False), assumptions.kleene_and(None, True)) == (False, None)
    assert (assumptions.kleene_or(None, True), assumptions.kleene_or(None, False)) == (True, None)
    assert (assumptions.kleene_not(None), assumptions.kleene_xor(None, True)) == (None, None)
    absent: dict[str, Any] = {}
    assert where('NOT f="x"', absent) is False  # unlike search's NOT f=x
    assert keeps('sourcetype=* NOT f="x"', {"sourcetype": "s"})
    assert where('f!="x"', absent) is False
    assert where('f="x" OR true()', absent)
    assert where('NOT (f="x" AND false())', absent)
    assert where('NOT (f="x" OR false())', absent) is False
    assert where('f="x" XOR true()', absent) is False
    assert where('NOT (f="x" XOR true())', absent) is False
    assert where('if(f="x", "a", "b")="b"', absent)


def test_null_propagates_through_functions() -> None:
    assert assumptions.NULL_PREDICATE_RESULT is None
    absent: dict[str, Any] = {}
    assert where('NOT match(f, "x")', absent) is False
    assert where('NOT like(f, "x")', absent) is False
    assert where('NOT cidrmatch("10.0.0.0/8", f)', absent) is False
    for fn in ("len", "lower", "upper", "tonumber", "tostring", "mvcount"):
        assert where(f"isnull({fn}(f))", absent), fn
    assert where('isnull(mvfind(f, "x"))', absent)
    assert where("NOT isnum(f) AND NOT isstr(f)", absent)
    assert where('coalesce(f, g, "z")="z"', absent)


def test_like_is_case_sensitive_and_counts_characters() -> None:
    assert assumptions.LIKE_CASE_SENSITIVE is True
    assert where('like(f, "abc")', {"f": "ABC"}) is False
    assert where('like(f, "abc")', {"f": "abc"})
    assert where('like(f, "a_c")', {"f": "aéc"})
    assert where('like(f, "a_c")', {"f": "a😀c"})
    assert where('like(f, "a%c")', {"f": "a\nb\nc"})
    with pytest.raises(QueryError):
        where('like(f, "a\\\\%")', {"f": "a%"})


def test_pcre_utf_mode() -> None:
    assert assumptions.PCRE_UTF is True
    assert where('match(f, "^.$")', {"f": "é"})
    assert where('match(f, "^.$")', {"f": "😀"})
    assert where('match(f, "(?i)^é$")', {"f": "É"})
    assert where('match(f, "\\x{e9}")', {"f": "é"})


def test_pcre_classes_are_ascii() -> None:
    assert assumptions.PCRE_UCP is False
    assert where('match(f, "\\w")', {"f": "é"}) is False
    assert where('match(f, "\\d")', {"f": "٣"}) is False
    assert where('match(f, "\\s")', {"f": "\u00a0"}) is False
    assert where('match(f, "\\bé")', {"f": "xé"})  # é is not a word character, so there is a boundary
    assert where('match(f, "\\s")', {"f": "\x0b"})


def test_pcre_newline_is_lf() -> None:
    assert assumptions.PCRE_NEWLINE == "\n"
    assert where('match(f, "a.b")', {"f": "a\rb"})
    assert where('match(f, "a.b")', {"f": "a\nb"}) is False
    assert where('match(f, "a$")', {"f": "a\n"})
    assert where('match(f, "a$")', {"f": "a\r\n"}) is False


def test_regex_command_on_absent_and_multivalue_fields() -> None:
    assert assumptions.regex_command_keeps(None, negated=False) is False
    assert assumptions.regex_command_keeps(None, negated=True) is True
    assert keeps('s=* | regex f="x"', {"s": "1"}) is False
    assert keeps('s=* | regex f!="x"', {"s": "1"})
    assert keeps('s=* | regex f="^b$"', {"s": "1", "f": ["a", "b"]})
    assert keeps('s=* | regex f!="^b$"', {"s": "1", "f": ["a", "b"]}) is False
