"""One test per unconfirmed fact in engines/cwli/assumptions.py.

Each test pins the reading we chose and shows it reaches query results, so changing a choice
after a live CloudWatch check is a one-line change here and in the assumptions module.
"""

from __future__ import annotations

import dataclasses
import ipaddress

import pytest

from engines.base import QueryError
from engines.cwli import assumptions as A
from engines.cwli.evaluate import compile_filters
from engines.cwli.parser import parse_query


def run(query: str, doc: dict, readings: A.Readings = A.DEFAULT_READINGS) -> bool:
    """Compile without the engine's cache, so monkeypatched constants take effect."""
    return compile_filters(parse_query(query), readings)(doc)


# --- F.1 row 1.5: missing fields ------------------------------------------------------------------


def test_null_default_is_kleene() -> None:
    assert A.DEFAULT_READINGS.null == A.KLEENE
    assert A.null_outcome(A.KLEENE, negated_operator=False) is None
    assert A.null_outcome(A.KLEENE, negated_operator=True) is None
    for query in ('filter f = "x"', 'filter f != "x"', 'filter not (f = "x")', 'filter f not like "x"',
                  'filter f not in ["x"]', "filter f not like /x/", "filter f > 1", "filter f != 1"):
        assert run(query, {}) is False, query
    # Kleene: null or true is true, null and false is false, not null stays null
    assert run('filter f = "x" or g = "y"', {"g": "y"}) is True
    assert run('filter not (f = "x" and g = "y")', {"g": "z"}) is True
    assert run('filter not (f = "x" and g = "y")', {"g": "y"}) is False


def test_null_two_valued_alternative() -> None:
    two = dataclasses.replace(A.DEFAULT_READINGS, null=A.TWO_VALUED)
    assert A.null_outcome(A.TWO_VALUED, negated_operator=False) is False
    assert A.null_outcome(A.TWO_VALUED, negated_operator=True) is True
    assert run('filter f != "x"', {}, two) is True
    assert run('filter f not like "x"', {}, two) is True
    assert run('filter f not in ["x"]', {}, two) is True
    assert run('filter not (f = "x")', {}, two) is True
    assert run('filter f = "x"', {}, two) is False
    with pytest.raises(ValueError):
        A.null_outcome("other", negated_operator=False)


# --- F.1 row 1.7: the regex engine ----------------------------------------------------------------


def test_dollar_is_end_of_text_only() -> None:
    assert A.DOLLAR_END_OF_TEXT_ONLY is True
    assert run("filter f like /abc$/", {"f": "abc\n"}) is False
    assert run("filter f like /abc$/", {"f": "abc"}) is True
    pcre = dataclasses.replace(A.DEFAULT_READINGS, dollar_end_of_text_only=False)
    assert run("filter f like /abc$/", {"f": "abc\n"}, pcre) is True


# --- F.1 rows 1.2 and 1.6: numbers and strings ----------------------------------------------------


def test_number_never_equals_a_string_literal() -> None:
    assert A.NUMBER_FIELD_EQUALS_STRING_LITERAL is False
    assert run('filter readOnly = "0"', {"readOnly": 0}) is False
    assert run('filter readOnly != "0"', {"readOnly": 0}) is True
    assert run('filter readOnly in ["0"]', {"readOnly": 0}) is False
    as_text = dataclasses.replace(A.DEFAULT_READINGS, number_equals_string_literal=True)
    assert run('filter readOnly = "0"', {"readOnly": 0}, as_text) is True
    assert run('filter readOnly in ["0"]', {"readOnly": 0}, as_text) is True


def test_numeric_text_compares_numerically() -> None:
    assert A.numeric_value_of_text("300") == 300
    assert A.numeric_value_of_text("-2.50") == -2.5
    assert A.numeric_value_of_text("012") == 12
    for text in ("", "1e3", "+1", " 1", "1 ", "0x1f", "1.", ".5", "1,000", "NaN"):
        assert A.numeric_value_of_text(text) is None, text
    assert run("filter statusCode >= 300", {"statusCode": "300"}) is True
    assert run("filter statusCode in [300, 400]", {"statusCode": "400"}) is True
    assert run("filter accountId = 123456789012", {"accountId": "123456789012"}) is True
    assert run("filter statusCode = 300", {"statusCode": "3e2"}) is False


def test_non_numeric_string_against_a_number() -> None:
    assert [A.non_numeric_string_vs_number(op) for op in ("=", "!=", "<", ">=")] == [False, True, False, False]
    assert run("filter f = 5", {"f": "five"}) is False
    assert run("filter f != 5", {"f": "five"}) is True
    assert run("filter f > 5", {"f": "five"}) is False
    assert run("filter not (f > 5)", {"f": "five"}) is True  # a Boolean result, not null


def test_number_text() -> None:
    assert A.number_text(5) == "5"
    assert A.number_text(-12) == "-12"
    assert A.number_text(2.5) == "2.5"
    assert A.number_text(3.0) == "3"
    assert A.number_text(True) == "1"
    assert run("filter n like /^2\\.5$/", {"n": 2.5}) is True
    assert run('filter tolower(n) = "7"', {"n": 7}) is True
    assert run("filter strlen(n) = 3", {"n": 100}) is True


# --- F.1 rows 1.1, 1.2, 1.10: case ----------------------------------------------------------------


def test_string_equality_is_case_sensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    assert A.STRING_EQUALITY_CASE_SENSITIVE is True
    assert run('filter f = "ABC"', {"f": "abc"}) is False
    assert run('filter f in ["ABC"]', {"f": "abc"}) is False
    monkeypatch.setattr(A, "STRING_EQUALITY_CASE_SENSITIVE", False)
    assert run('filter f = "ABC"', {"f": "abc"}) is True
    assert run('filter f in ["ABC"]', {"f": "abc"}) is True


def test_field_names_are_case_sensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    assert A.FIELD_NAMES_CASE_SENSITIVE is True
    assert run('filter eventname = "x"', {"eventName": "x"}) is False
    monkeypatch.setattr(A, "FIELD_NAMES_CASE_SENSITIVE", False)
    assert run('filter eventname = "x"', {"eventName": "x"}) is True


def test_function_names_ignore_case(monkeypatch: pytest.MonkeyPatch) -> None:
    import engines.cwli.parser as parser

    assert A.FUNCTION_NAMES_CASE_INSENSITIVE is True
    assert run("filter ISPRESENT(f)", {"f": "x"}) is True
    assert run("filter isvalidipv4(f)", {"f": "10.0.0.1"}) is True
    monkeypatch.setattr(parser, "FUNCTION_NAMES_CASE_INSENSITIVE", False)
    assert run("filter isValidIpV4(f)", {"f": "10.0.0.1"}) is True
    with pytest.raises(QueryError):
        run("filter ISPRESENT(f)", {"f": "x"})


# --- F.1 row 1.4: string literal escapes ----------------------------------------------------------


def test_string_escapes() -> None:
    assert A.unescape_string("plain") == "plain"
    assert A.unescape_string('a\\"b') == 'a"b'
    assert A.unescape_string("a\\'b") == "a'b"
    assert A.unescape_string("a\\\\b") == "a\\b"
    for body in ("a\\nb", "a\\*", "a\\", "\\x41", "\\u0041"):
        with pytest.raises(QueryError):
            A.unescape_string(body)
    assert run('filter f = "say \\"hi\\""', {"f": 'say "hi"'}) is True
    assert run("filter f = 'C:\\\\Temp'", {"f": "C:\\Temp"}) is True


def test_precedence_not_and_or() -> None:
    assert A.PRECEDENCE == ("not", "and", "or")
    # a or b and c == a or (b and c)
    assert run('filter a = "1" or b = "1" and c = "1"', {"a": "1", "b": "0", "c": "0"}) is True
    # not a and b == (not a) and b
    assert run('filter not a = "1" and b = "1"', {"a": "0", "b": "1"}) is True
    assert run('filter not a = "1" and b = "1"', {"a": "1", "b": "0"}) is False


# --- Functions ------------------------------------------------------------------------------------


def test_flags_are_true_when_nonzero() -> None:
    assert A.FLAG_IS_TRUE_WHEN_NONZERO is True
    assert run("filter isempty(f)", {}) is True
    assert run("filter not isempty(f)", {"f": "x"}) is True
    assert run('filter strcontains(f, "x")', {"f": "axb"}) is True
    assert run('filter strcontains(f, "x")', {}) is False  # a null flag is no match


def test_blank_characters() -> None:
    assert A.BLANK_CHARACTERS == " \t\n\r\f\v"
    assert run("filter isblank(f)", {"f": " \t\r\n"}) is True
    assert run("filter isblank(f)", {"f": "\u00a0"}) is False  # no-break space is not blank here
    assert run("filter isblank(f)", {}) is True


def test_case_conversion() -> None:
    assert A.to_lower("ÄBC") == "äbc"
    assert A.to_upper("straße") == "STRASSE"
    assert run('filter toupper(f) = "STRASSE"', {"f": "straße"}) is True


def test_strcontains_case_insensitive_folding() -> None:
    assert A.contains_ignoring_case("Aws-CLI", "cli") is True
    assert A.contains_ignoring_case("ÄB", "äb") is True
    assert A.contains_ignoring_case("abc", "x") is False


def test_ip_functions_on_missing_field() -> None:
    assert A.IP_FUNCTIONS_ON_MISSING_FIELD is False
    assert run("filter isValidIp(f)", {}) is False
    assert run("filter not isValidIp(f)", {}) is True
    assert run('filter not isIpInSubnet(f, "10.0.0.0/8")', {}) is True


def test_ip_text_is_parsed_strictly() -> None:
    assert A.parse_ip("192.0.2.1") == ipaddress.ip_address("192.0.2.1")
    assert A.parse_ip("2001:db8::1") is not None
    assert A.parse_ip("::ffff:192.0.2.1").version == 6  # type: ignore[union-attr]
    for text in ("192.0.2.01", "192.0.2", "fe80::1%eth0", " 192.0.2.1", "ec2.amazonaws.com", "300.1.1.1"):
        assert A.parse_ip(text) is None, text
    assert run('filter isIpv4InSubnet(f, "192.0.2.0/24")', {"f": "::ffff:192.0.2.1"}) is False


def test_subnets_must_be_cidr_block_starts() -> None:
    assert A.parse_subnet("192.0.2.0/24") == ipaddress.ip_network("192.0.2.0/24")
    assert A.parse_subnet("2001:db8::/32").version == 6
    for text in ("192.0.2.1/24", "192.0.2.0", "10.0.0.0/33", "nonsense/8"):
        with pytest.raises(QueryError):
            A.parse_subnet(text)


# --- The readings table ---------------------------------------------------------------------------


def test_each_alternative_changes_exactly_one_reading() -> None:
    default = dataclasses.asdict(A.DEFAULT_READINGS)
    assert A.ALTERNATIVE_READINGS
    for name, readings in A.ALTERNATIVE_READINGS.items():
        changed = [k for k, v in dataclasses.asdict(readings).items() if v != default[k]]
        assert len(changed) == 1, name
        assert "F.1 row" in name
