"""The KQL executor: duckdb-kql over an in-memory AWSCloudTrail table, plus the gaps we close or refuse.

Expectations come from Microsoft's KQL reference (semantics.md B.3, F.4), never from a backend.
"""

from __future__ import annotations

import pytest

pytest.importorskip("duckdb_kql", reason="duckdb-kql is missing: pip install 'siemc[verify]'")

from engines.base import QueryError
from engines.kql_engine import KqlEngine, check_regex_patterns, check_where_clauses
from engines.kql_ip import AmbiguousIp, ipv4_is_in_range, ipv6_is_in_range

COLUMNS = {
    "TimeGenerated": "datetime",
    "EventName": "string",
    "EventSource": "string",
    "ErrorCode": "string",
    "SourceIpAddress": "string",
    "RequestParameters": "string",
    "ReadOnly": "bool",
    "Extra": "dynamic",
}

ROWS = [
    {"EventName": "CreateUser", "EventSource": "iam.amazonaws.com", "SourceIpAddress": "10.1.2.3",
     "RequestParameters": '{"userName":"Bob","n":5,"nested":{"k":"v"},"flag":true}', "ReadOnly": False,
     "TimeGenerated": "2024-05-01T10:00:00Z", "Extra": {"a": "b"}},
    {"EventName": "createuser", "EventSource": "x.iam.amazonaws.com", "SourceIpAddress": "ec2.amazonaws.com",
     "ErrorCode": "AccessDenied", "RequestParameters": '{"userName":"alice"}', "ReadOnly": True},
    {"EventName": "KustoExplorerQueryRun", "SourceIpAddress": "2001:db8::7", "RequestParameters": ""},
    {"EventName": "a_b Straße", "SourceIpAddress": "", "RequestParameters": "not json"},
]


@pytest.fixture(scope="module")
def engine() -> KqlEngine:
    return KqlEngine(COLUMNS)


def where(engine: KqlEngine, condition: str) -> list[int]:
    answers = engine.run(f"AWSCloudTrail | where {condition}", ROWS)
    return [i for i, hit in enumerate(answers) if hit]


OPERATORS = [
    ('EventName == "CreateUser"', [0]),
    ('EventName =~ "CREATEUSER"', [0, 1]),
    ('EventName != "CreateUser"', [1, 2, 3]),
    ('EventName !~ "CREATEUSER"', [2, 3]),
    ('EventName in ("CreateUser", "zzz")', [0]),
    ('EventName in~ ("CREATEUSER")', [0, 1]),
    ('EventName !in~ ("CREATEUSER")', [2, 3]),
    ('EventName contains "USER"', [0, 1]),
    ('EventName contains_cs "User"', [0]),
    ('EventName !contains "user"', [2, 3]),
    ('EventName startswith "create"', [0, 1]),
    ('EventName startswith_cs "create"', [1]),
    ('EventName endswith "USER"', [0, 1]),
    ('EventName endswith_cs "User"', [0]),
    ('EventName has "explorer"', []),  # a term is a whole alphanumeric run
    ('EventName has "kustoexplorerqueryrun"', [2]),
    ('EventName has "a"', [3]),  # underscore delimits terms
    ('EventSource has "iam.amazonaws.com"', [0, 1]),  # phrase on term boundaries, not equality
    ('EventName matches regex "^[Cc]reate"', [0, 1]),
    ('EventName matches regex "User$"', [0]),
    ('EventName matches regex "(?i)^createuser$"', [0, 1]),
    ("isempty(ErrorCode)", [0, 2, 3]),  # absent strings are "" in Sentinel
    ("isnotempty(ErrorCode)", [1]),
    ('ErrorCode != "AccessDenied"', [0, 2, 3]),
    ('not(EventName =~ "createuser")', [2, 3]),
    ('tostring(parse_json(RequestParameters).userName) == "Bob"', [0]),
    ('tostring(parse_json(RequestParameters)["userName"]) =~ "bob"', [0]),
    ('tostring(parse_json(RequestParameters).nested.k) == "v"', [0]),
    ('tostring(parse_json(RequestParameters).flag) == "true"', [0]),
    ("isempty(tostring(parse_json(RequestParameters).userName))", [2, 3]),  # missing key, "", not JSON
    ("tolong(parse_json(RequestParameters).n) == 5", [0]),
    ("toreal(parse_json(RequestParameters).n) > 4.5", [0]),
    ('tostring(Extra.a) == "b"', [0]),
    ("ReadOnly == true", [1]),
    ("not(ReadOnly)", [0]),  # a null bool is neither
    ("TimeGenerated > datetime(2024-01-01)", [0]),
    ('ipv4_is_in_range(SourceIpAddress, "10.0.0.0/8")', [0]),
    ('ipv4_is_in_range(SourceIpAddress, "10.1.2.3")', [0]),
    # an address that does not parse gives null: the row is dropped under not(...) too (F.4 4.3)
    ('not(ipv4_is_in_range(SourceIpAddress, "10.0.0.0/8"))', []),
    ('ipv6_is_in_range(SourceIpAddress, "2001:db8::/32")', [2]),
    ('not(ipv6_is_in_range(SourceIpAddress, "2001:db8::/32"))', [0]),
    ('EventName == "a_b Straße" and EventName =~ "A_B STRASSE"', []),  # ß has no one-letter upper case
]


@pytest.mark.parametrize(("condition", "expected"), OPERATORS)
def test_operators(engine: KqlEngine, condition: str, expected: list[int]) -> None:
    assert where(engine, condition) == expected


REFUSED = [
    ('AWSCloudTrail | where EventName matches regex "\\\\d+"', "Perl class"),
    ('AWSCloudTrail | where EventName matches regex @"\\w"', "Perl class"),
    ('AWSCloudTrail | where EventName matches regex @"\\bx"', "Perl class"),
    ('AWSCloudTrail | where EventName matches regex @"\\Qa.b\\E"', "RE2 only"),
    ("AWSCloudTrail | where EventName matches regex EventSource", "non-literal"),
    ('AWSCloudTrail | where ipv4_is_in_range(SourceIpAddress, "10.0")', "not modelled"),
    ('AWSCloudTrail | where ipv4_is_in_range(SourceIpAddress, strcat("10.0.0.0", "/8"))', "not precomputed"),
    ('AWSCloudTrail | where ipv6_is_in_range(SourceIpAddress, "::ffff:0:0/96")', "not modelled"),
    ('AWSCloudTrail | where NoSuchColumn == "x"', "NoSuchColumn"),
    ('AWSCloudTrail | where EventName = "true"', "KS141"),  # duckdb-kql alone would keep every row
    ('AWSCloudTrail | where EventName == "a" and ErrorCode = "x"', "KS141"),
    ('AWSCloudTrail | where EventName == "a" and', "KqlSyntaxError"),
    ('AWSCloudTrail | where ipv4_is_match(SourceIpAddress, "10.0.0.1")', "ipv4_is_match"),
    ("AWSCloudTrail | project EventName", "row identity"),
    ('AWSCloudTrail | where EventName == "unterminated', "unterminated"),
]


@pytest.mark.parametrize(("query", "reason"), REFUSED)
def test_refused(engine: KqlEngine, query: str, reason: str) -> None:
    with pytest.raises(QueryError, match=reason):
        engine.run(query, ROWS)


def test_regex_check_ignores_strings_and_comments() -> None:
    check_regex_patterns('T | where a == "matches regex \\\\d" // matches regex \\d\n| where b matches regex "[0-9]"')
    check_regex_patterns('T | where b matches regex "a" "[0-9]"')
    with pytest.raises(QueryError):
        check_regex_patterns('T | where b matches regex "a" "\\\\s"')  # adjacent literals concatenate


def test_where_check_allows_comparisons() -> None:
    check_where_clauses('T | where a == "=" and b != "x" and c =~ "y" and d <= 1 and e >= 2 and f !~ "z" // a = b')


@pytest.mark.parametrize("odd", ["\u212a", "\u03c2", "\u0131", "\u0130", "\u017f"])  # K ς ı İ ſ
def test_undecided_case_folding_is_refused(engine: KqlEngine, odd: str) -> None:
    """DuckDB lower() and Kusto's folding are not known to agree on these: refuse, in data or query."""
    with pytest.raises(QueryError, match="case-insensitive"):
        engine.run('AWSCloudTrail | where EventName =~ "k"', [{"EventName": odd}])
    with pytest.raises(QueryError, match="case-insensitive"):
        engine.run(f'AWSCloudTrail | where EventName contains "{odd}"', [{"EventName": "x"}])
    # case-sensitive operators are unaffected
    assert engine.run(f'AWSCloudTrail | where EventName == "{odd}"', [{"EventName": odd}]) == [True]


def test_ordinary_unicode_folds(engine: KqlEngine) -> None:
    docs = [{"EventName": "ÉCOLE"}, {"EventName": "ΣΊΣΥΦΟΣ"}]
    assert engine.run('AWSCloudTrail | where EventName =~ "école"', docs) == [True, False]
    assert engine.run('AWSCloudTrail | where EventName contains "ίσυ"', docs) == [False, True]


def test_json_real_is_refused(engine: KqlEngine) -> None:
    """Kusto prints tostring(5.0) as "5"; duckdb-kql keeps the JSON text "5.0": refuse, never guess."""
    rows = [{"EventName": "x", "RequestParameters": '{"ratio":5.0}'}]
    with pytest.raises(QueryError, match="non-integer JSON number"):
        engine.run('AWSCloudTrail | where tostring(parse_json(RequestParameters).ratio) == "5"', rows)
    # without parse_json on that column the number is irrelevant
    assert engine.run('AWSCloudTrail | where EventName == "x"', rows) == [True]


def test_rows_map_back_to_documents(engine: KqlEngine) -> None:
    docs = [{"EventName": "hit" if i % 3 == 0 else "miss"} for i in range(301)]
    assert engine.run('AWSCloudTrail | where EventName == "hit"', docs) == [i % 3 == 0 for i in range(301)]
    assert engine.run('AWSCloudTrail | where EventName == "hit"', []) == []


def test_string_columns_are_never_null(engine: KqlEngine) -> None:
    assert engine.run("AWSCloudTrail | where isnull(ErrorCode)", [{"ErrorCode": None}, {}]) == [False, False]
    assert engine.run("AWSCloudTrail | where isempty(ErrorCode)", [{"ErrorCode": None}, {}]) == [True, True]


def test_unknown_document_field_is_an_error(engine: KqlEngine) -> None:
    with pytest.raises(ValueError, match="not AWSCloudTrail columns"):
        engine.run("AWSCloudTrail", [{"Nope": "x"}])


def test_default_schema_is_the_sentinel_view() -> None:
    sentinel = pytest.importorskip("engines.views.sentinel")
    default = KqlEngine()
    doc = sentinel.sentinel_view({"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromS3",
                                  "eventTime": "2024-01-01T00:00:00Z", "sourceIPAddress": "192.0.2.1"}).doc
    query = ('AWSCloudTrail | where EventSource =~ "RDS.amazonaws.com" and isempty(ErrorCode)'
             ' and ipv4_is_in_range(SourceIpAddress, "192.0.2.0/24")')
    assert default.run(query, [doc]) == [True]


# -- the IP functions themselves --

@pytest.mark.parametrize(
    ("address", "ip_range", "expected"),
    [
        ("10.1.2.3", "10.0.0.0/8", True),
        ("11.1.2.3", "10.0.0.0/8", False),
        ("192.168.1.6", "192.168.1.1/24", True),  # the range's host bits are masked (Microsoft's example)
        ("10.0.0.1", "10.0.0.1", True),
        ("0.0.0.0", "0.0.0.0/0", True),
        ("ec2.amazonaws.com", "10.0.0.0/8", None),
        ("AWS Internal", "10.0.0.0/8", None),
        ("", "10.0.0.0/8", None),
        ("2001:db8::1", "10.0.0.0/8", None),
    ],
)
def test_ipv4_is_in_range(address: str, ip_range: str, expected: bool | None) -> None:
    assert ipv4_is_in_range(address, ip_range) is expected


@pytest.mark.parametrize(
    ("address", "ip_range", "expected"),
    [
        ("2001:db8::1", "2001:db8::/32", True),
        ("2001:db9::1", "2001:db8::/32", False),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::/32", True),
        ("10.0.0.1", "2001:db8::/32", False),  # an IPv4 address is outside any range away from the v4 blocks
        ("ec2.amazonaws.com", "2001:db8::/32", None),
        ("", "2001:db8::/32", None),
    ],
)
def test_ipv6_is_in_range(address: str, ip_range: str, expected: bool | None) -> None:
    assert ipv6_is_in_range(address, ip_range) is expected


@pytest.mark.parametrize("address", ["10.1", "010.0.0.1", "::ffff:10.0.0.1", "10.0.0.1x", " 10.0.0.1"])
def test_non_canonical_ipv4_text_converts_to_null(address: str) -> None:
    # [U] kql_ip: Kusto converts only the canonical dotted quad; anything else is null (no match,
    # and no match under not() either), as Kusto documents for text it cannot convert
    assert ipv4_is_in_range(address, "10.0.0.0/8") is None


@pytest.mark.parametrize(
    ("function", "address", "ip_range"),
    [
        (ipv4_is_in_range, "10.0.0.1", "10.0.0.0/33"),
        (ipv6_is_in_range, "fe80::1%eth0", "fe80::/10"),
        (ipv6_is_in_range, "10.0.0.1", "::ffff:0:0/96"),
        (ipv6_is_in_range, "2001:db8::1", "10.0.0.0/8"),
    ],
)
def test_ip_ambiguities_are_refused(function, address: str, ip_range: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AmbiguousIp):
        function(address, ip_range)


def test_unicode_escapes_reach_duckdb_kql_as_kusto_reads_them() -> None:
    from engines.kql_engine import KqlEngine, raw_unicode_escapes

    assert raw_unicode_escapes('T | where a == "x\\u0014\\"y"') == 'T | where a == "x\x14\\"y"'
    engine = KqlEngine()
    docs = [engine.view({"eventName": "a\x14"}).doc, engine.view({"eventName": "au0014"}).doc]
    assert engine.run('AWSCloudTrail | where EventName == "a\\u0014"', docs) == [True, False]


def test_case_folding_check_reads_only_the_columns_the_query_reads() -> None:
    from engines.kql_engine import KqlEngine

    engine = KqlEngine()
    docs = [engine.view({"eventName": "DeleteTrail", "userAgent": "Mozilla µ"}).doc]
    assert engine.run('AWSCloudTrail | where EventName =~ "deletetrail"', docs) == [True]
