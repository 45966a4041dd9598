"""One test per unconfirmed or derived fact in engines/metricfilter/assumptions.py."""

from __future__ import annotations

import pytest

from engines.base import QueryError
from engines.metricfilter import assumptions as A
from engines.metricfilter.evaluate import compile_pattern
from engines.metricfilter.parser import parse_pattern


def match(pattern: str, event: dict) -> bool:
    """Compile without the engine's cache, so monkeypatched constants take effect."""
    return compile_pattern(parse_pattern(pattern))(event)


def test_not_equal_does_not_match_a_missing_field(monkeypatch: pytest.MonkeyPatch) -> None:
    assert A.NOT_EQUAL_MATCHES_MISSING is False
    # the exact pattern and record of the live observation (AZUL-5884)
    azul = '{($.errorCode = "AccessDenied") && ($.userIdentity.invokedBy != "cloudfront.amazonaws.com")}'
    assert match(azul, {"errorCode": "AccessDenied", "userIdentity": {"accountId": "anonymous"}}) is False
    assert match("{ $.n != 5 }", {}) is False
    assert match("{ $.s != %x% }", {}) is False
    monkeypatch.setattr(A, "NOT_EQUAL_MATCHES_MISSING", True)
    assert match('{ $.s != "x" }', {}) is True


def test_not_equal_does_not_match_null(monkeypatch: pytest.MonkeyPatch) -> None:
    assert A.NOT_EQUAL_MATCHES_NULL is False
    assert match('{ $.s != "x" }', {"s": None}) is False
    assert match("{ $.s != 1 }", {"s": None}) is False
    monkeypatch.setattr(A, "NOT_EQUAL_MATCHES_NULL", True)
    assert match('{ $.s != "x" }', {"s": None}) is True


def test_is_null_needs_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    assert A.IS_NULL_MATCHES_MISSING is False
    assert match("{ $.s IS NULL }", {}) is False
    assert match("{ $.s IS NULL }", {"s": None}) is True
    monkeypatch.setattr(A, "IS_NULL_MATCHES_MISSING", True)
    assert match("{ $.s IS NULL }", {}) is True


def test_a_null_field_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    assert A.NOT_EXISTS_MATCHES_NULL is False
    assert match("{ $.s NOT EXISTS }", {"s": None}) is False
    monkeypatch.setattr(A, "NOT_EXISTS_MATCHES_NULL", True)
    assert match("{ $.s NOT EXISTS }", {"s": None}) is True


def test_string_patterns_read_number_text(monkeypatch: pytest.MonkeyPatch) -> None:
    assert A.STRING_PATTERN_MATCHES_NUMBER_TEXT is True
    assert match("{ $.latency = * }", {"latency": 50}) is True
    assert match('{ $.code = "4*" }', {"code": 404}) is True
    assert match('{ $.code = "404" }', {"code": 404}) is True
    assert match("{ $.code = %^4\\d\\d$% }", {"code": 404}) is True
    assert match('{ $.code != "5*" }', {"code": 404}) is True
    monkeypatch.setattr(A, "STRING_PATTERN_MATCHES_NUMBER_TEXT", False)
    assert match("{ $.latency = * }", {"latency": 50}) is False


def test_number_text() -> None:
    assert A.number_text(50) == "50"
    assert A.number_text(50.0) == "50"
    assert A.number_text(2.5) == "2.5"
    assert A.number_text(-1) == "-1"


def test_string_patterns_do_not_match_booleans(monkeypatch: pytest.MonkeyPatch) -> None:
    assert A.STRING_PATTERN_MATCHES_BOOLEAN is False
    assert match('{ $.b = "true" }', {"b": True}) is False
    assert match("{ $.b = * }", {"b": True}) is False
    assert match('{ $.b != "false" }', {"b": True}) is False
    assert match("{ $.b IS TRUE }", {"b": True}) is True
    monkeypatch.setattr(A, "STRING_PATTERN_MATCHES_BOOLEAN", True)
    assert match('{ $.b = "true" }', {"b": True}) is True


def test_numbers_compare_with_json_numbers_only(monkeypatch: pytest.MonkeyPatch) -> None:
    assert A.NUMBER_LITERAL_MATCHES_NUMERIC_STRING is False
    assert match("{ $.n = 400 }", {"n": "400"}) is False
    assert match("{ $.n > 3 }", {"n": "400"}) is False
    assert match("{ $.n = 1 }", {"n": True}) is False
    monkeypatch.setattr(A, "NUMBER_LITERAL_MATCHES_NUMERIC_STRING", True)
    assert match("{ $.n = 400 }", {"n": "400"}) is True


def test_quoted_value_escapes() -> None:
    assert A.unescape_string("plain") == "plain"
    assert A.unescape_string('say \\"hi\\"') == 'say "hi"'
    assert A.unescape_string("C:\\\\Temp") == "C:\\Temp"
    for body in ("a\\nb", "a\\*", "trailing\\"):
        with pytest.raises(QueryError):
            A.unescape_string(body)
    assert match('{ $.p = "C:\\\\Temp\\\\*" }', {"p": "C:\\Temp\\x"}) is True
    assert match('{ $.q = "a\\"b" }', {"q": 'a"b'}) is True


def test_wildcards_only_at_the_ends() -> None:
    for value in ("*", "a*", "*a", "*a*", "**"):
        A.check_wildcards(value)
    for value in ("a*b", "*a*b", "a**b"):
        with pytest.raises(QueryError):
            A.check_wildcards(value)
    # a "*" is always a wildcard, also quoted: no literal asterisk can be written
    assert match('{ $.s = "a*" }', {"s": "abc"}) is True


def test_keywords_upper_case_only() -> None:
    assert A.KEYWORDS_UPPER_CASE_ONLY is True
    for pattern in ("{ $.a is NULL }", "{ $.a IS null }", "{ $.a not EXISTS }", "{ $.a NOT exists }"):
        with pytest.raises(QueryError):
            parse_pattern(pattern)


def test_unquoted_value_characters() -> None:
    assert set("_.*+-") <= A.UNQUOTED_VALUE_CHARACTERS
    assert match("{ $.r = us-east-1 }", {"r": "us-east-1"}) is True
    for pattern in ("{ $.a = a:b }", "{ $.a = a/b }", "{ $.a = a@b }"):
        with pytest.raises(QueryError):
            parse_pattern(pattern)


def test_regex_whitespace() -> None:
    assert A.REGEX_WHITESPACE == " \t\n"
    assert match("{ $.s = %a\\sb% }", {"s": "a\tb"}) is True
    assert match("{ $.s = %a\\sb% }", {"s": "a\rb"}) is False
    assert match("{ $.s = %a\\Sb% }", {"s": "a\rb"}) is True


def test_regex_dot_and_newline() -> None:
    assert A.REGEX_DOT_MATCHES_NEWLINE is False
    assert match("{ $.s = %a.b% }", {"s": "a\nb"}) is False
    assert match("{ $.s = %a.b% }", {"s": "a b"}) is True
