"""The metric filter pattern executor against AWS's documented examples.

Source: "Filter pattern syntax for metric filters, subscription filters, filter log events, and Live
Tail" (AWS-FPS), https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html:
its two sample JSON events, its JSON examples and its regex examples. Unconfirmed facts are tested in
test_metricfilter_assumptions.py.
"""

from __future__ import annotations

import pytest

from engines.base import QueryError
from engines.metricfilter_engine import MetricFilterEngine

# AWS-FPS, "Match terms in JSON log events using simple expressions".
SAMPLE = {
    "eventType": "UpdateTrail",
    "sourceIPAddress": "111.111.111.111",
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
    "SomeObject": None,
    "cluster.name": "c",
}

# AWS-FPS, "Match terms in JSON objects using compound expressions".
COMPOUND = {
    "user": {"id": 1, "email": "John.Stiles@example.com"},
    "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
    "actions": ["GET", "PUT", "DELETE"],
    "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
}

CLOUDTRAIL = {
    "eventVersion": "1.08",
    "eventSource": "rds.amazonaws.com",
    "eventName": "RestoreDBInstanceFromDBSnapshot",
    "errorCode": "Client.UnauthorizedOperation",
    "userIdentity": {"type": "IAMUser", "userName": "alice", "sessionContext": {"attributes": {
        "mfaAuthenticated": "false"}}},
    "readOnly": False,
    "requestParameters": {"dBInstanceIdentifier": "db-1", "allocatedStorage": 20},
    "responseElements": None,
    "resources": [{"ARN": "arn:aws:rds:us-east-1:123456789012:db:db-1"}],
}

SAMPLE_ROWS = [
    ('{ $.eventType = "UpdateTrail" }', True),
    ("{ $.sourceIPAddress != 123.123.* }", True),
    ('{ $.arrayKey[0] = "value" }', True),
    ("{ $.eventType = %Trail% }", True),
    ("{ $.['cluster.name'] = \"c\" }", True),
    ("{ $.SomeObject IS NULL }", True),
    ("{ $.SomeOtherObject NOT EXISTS }", True),
    # derived from the same page
    ('{ $.eventType = "updatetrail" }', False),  # "Filter patterns are case sensitive"
    ('{ $.eventType = "Update" }', False),  # a string matches the whole value
    ('{ $.eventType = "Update*" }', True),
    ('{ $.eventType = "*Trail" }', True),
    ('{ $.eventType = "*dateTr*" }', True),
    ('{ $.eventType = "*" }', True),
    ('{ $.eventType = "" }', False),  # no wildcard: the whole value must be empty
    ("{ $.sourceIPAddress = 111.111.* }", True),
    ("{ $.sourceIPAddress != 111.111.* }", False),
    ('{ $.arrayKey[1] = "another value" }', True),
    ('{ $.arrayKey[2] = "value" }', False),
    ('{ $.arrayKey = "*" }', False),  # "If a property selector points to an array or object, [it] won't match"
    ('{ $.arrayKey != "x" }', False),
    ('{ $.objectList[1].name = "b" }', True),
    ("{ $.objectList[1].id = 2 }", True),
    ("{ $.objectList[0].id > 1 }", False),
    ("{ $.objectList[0] IS NULL }", False),
    ("{ $.eventType NOT EXISTS }", False),
    ("{ $.eventType IS NULL }", False),
    ("{ $.eventType = %^Update% }", True),
    ("{ $.eventType = %^Trail% }", False),
    ("{ $.eventType != %Trail% }", False),
]

COMPOUND_ROWS = [
    ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
    ('{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && '
     '$.actions[2] = "nonmatch" }', True),
    ('{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && '
     '$.actions[2] = "nonmatch" }', False),
    ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
    ("{ $.coordinates[2][0] = 7 }", True),
    ('{ $.actions[2] = "DELETE" && $.user.id != 2 }', True),
]

CLOUDTRAIL_ROWS = [
    ('{ ($.eventSource = "rds.amazonaws.com") && (($.eventName = "RestoreDBInstanceFromDBSnapshot") || '
     '($.eventName = "B")) && ($.errorCode NOT EXISTS) }', False),
    ('{ ($.eventSource = "rds.amazonaws.com") && ($.errorCode = "*UnauthorizedOperation") }', True),
    ('{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }', True),
    ("{ $.eventSource = rds.amazonaws.com }", True),  # bare values, as the CIS benchmark writes them
    ("{$.eventName=RestoreDBInstanceFromDBSnapshot}", True),
    ('{ $.userIdentity.sessionContext.attributes.mfaAuthenticated != "true" }', True),
    ("{ $.readOnly IS FALSE }", True),
    ("{ $.readOnly IS TRUE }", False),
    ("{ $.responseElements IS NULL }", True),
    ("{ $.requestParameters.allocatedStorage >= 20 }", True),
    ("{ $.requestParameters.allocatedStorage < 20 }", False),
    ("{ $.requestParameters.allocatedStorage = 2e+1 }", True),
    ("{ $.requestParameters.allocatedStorage = 2* }", True),  # "wild card to match numbers"
    ('{ $.resources[0].ARN = "arn:aws:rds:*" }', True),
    ("{ $.resources[0].ARN = %^arn:aws:rds:[a-z0-9-]+:\\d{12}:db% }", True),
    ('{ $.userIdentity.userName = "Alice" }', False),
]

NUMBER_ROWS = [
    # AWS-FPS, "Writing filter patterns that match numeric values"
    ("{ $.bandwidth > 75 }", {"bandwidth": 80}, True),
    ("{ $.latency < 50 }", {"latency": 50}, False),
    ("{ $.refreshRate >= 60 }", {"refreshRate": 60}, True),
    ("{ $.responseTime <= 5 }", {"responseTime": 5.5}, False),
    ("{ $.errorCode = 400}", {"errorCode": 400}, True),
    ("{ $.errorCode != 500 }", {"errorCode": 400}, True),
    ("{ $.number[0] = 1e+3 }", {"number": [1000]}, True),
    ("{ $.number[0] != 1e-3 }", {"number": [1000]}, True),
    ("{ $.number[0] = -5 }", {"number": [-5.0]}, True),
]

# AWS-FPS, "Supported regular expressions (regex) syntax": (regex, value, expected)
REGEX_ROWS = [
    ("AUTHORIZED", "[ERROR 401] UNAUTHORIZED REQUEST", True),
    ("^[hc]at", "hat", True),
    ("^[hc]at", "that", False),
    ("[hc]at$", "that", True),
    ("[hc]at$", "hats", False),
    ("colou?r", "colour", True),
    ("colou?r", "color", True),
    ("[abc]", "xbx", True),
    ("[a-z]", "ABC", False),
    ("[abcx-z]", "Y y", True),
    ("a{3,5}", "aa", False),
    ("a{3,5}", "baaab", True),
    ("a{3,}", "aaaa", True),
    ("^a{,2}b", "aab", True),
    ("^a{,2}b", "aaab", False),
    ("gray|grey", "grey", True),
    ("^starting|^initializing|^shutting down", "shutting down now", True),
    ("^starting|^initializing|^shutting down", "skipping initializing ...", False),
    ("abcc|ab[^c]$", "abcc ...", True),
    ("abcc|ab[^c]$", "aba", True),
    ("abcc|ab[^c]$", "aac ...", False),
    ("\\[.\\]", "[a]", True),
    ("\\[.\\]", "[]]", True),
    ("10\\.10\\.0\\.1", "10.10.0.1", True),
    ("10\\.10\\.0\\.1", "10010,051", False),
    ("10.10.0.1", "10010,051", True),  # the documented pitfall of an unescaped "."
    ("ab*c", "ac", True),
    ("ab*c", "abbbc", True),
    ("ab+c", "ac", False),
    ("ab[0-9]*", "ab129", True),
    (".at", " at", True),
    ("\\d", "a1", True),
    ("^\\D+$", "abc", True),
    ("\\s", "a b", True),
    ("^\\S+$", "a b", False),
    ("^\\w+$", "a_Z9", True),
    ("\\W", "a-b", True),
    ("\\x3A", "a:b", True),
    ("\\x28", "f(x", True),
    ("[\\d_]x", "_x", True),
    ("[-a]b", "-b", True),
    ("a\\.b\\*c\\+", "a.b*c+", True),
    ("A", "a", False),  # case-sensitive
]


@pytest.fixture(scope="module")
def engine() -> MetricFilterEngine:
    return MetricFilterEngine()


@pytest.mark.parametrize(("pattern", "expected"), SAMPLE_ROWS)
def test_documented_simple_expressions(engine: MetricFilterEngine, pattern: str, expected: bool) -> None:
    assert engine.run(pattern, [SAMPLE]) == [expected]


@pytest.mark.parametrize(("pattern", "expected"), COMPOUND_ROWS)
def test_documented_compound_expressions(engine: MetricFilterEngine, pattern: str, expected: bool) -> None:
    assert engine.run(pattern, [COMPOUND]) == [expected]


@pytest.mark.parametrize(("pattern", "expected"), CLOUDTRAIL_ROWS)
def test_cloudtrail_patterns(engine: MetricFilterEngine, pattern: str, expected: bool) -> None:
    assert engine.run(pattern, [CLOUDTRAIL]) == [expected]


@pytest.mark.parametrize(("pattern", "event", "expected"), NUMBER_ROWS)
def test_documented_numeric_patterns(engine: MetricFilterEngine, pattern: str, event: dict,
                                     expected: bool) -> None:
    assert engine.run(pattern, [event]) == [expected]


@pytest.mark.parametrize(("regex", "value", "expected"), REGEX_ROWS)
def test_documented_regex_syntax(engine: MetricFilterEngine, regex: str, value: str, expected: bool) -> None:
    assert engine.run(f"{{ $.m = %{regex}% }}", [{"m": value}]) == [expected]


INVALID = [
    "",
    "ERROR",  # term patterns are outside this executor's subset
    "?ERROR ?WARN",
    "[ip, user, status_code = 4*]",
    "%AUTHORIZED%",
    '{ $.a = "x" ',
    '{ $.a == "x" }',
    '{ $.a = "x" } extra',
    '{ $.* = "x" }',  # wildcard selectors
    "{ $.arrayKey[*] = %val.{2}% }",
    '{ $ = "x" }',
    '{ $.a. = "x" }',
    '{ $.a[x] = "x" }',
    '{ $.["a.b"] = "x" }',  # double quotes are not supported inside bracket notation
    "{ $.a IS NOT NULL }",  # "IS NOT and EXISTS currently aren't supported"
    "{ $.a EXISTS }",
    "{ $.a is null }",
    "{ $.a IS MISSING }",
    "{ $.a NOT NULL }",
    '{ $.a > "5" }',
    "{ $.a > abc }",
    "{ $.a < %x% }",
    "{ $.a = %x% && $.b = %y% && $.c = %z% }",  # at most two regexes per pattern
    '{ $.a = "a*b" }',  # a wildcard inside the value
    '{ $.a = "a\\nb" }',
    '{ !($.a = "x") }',
    "{ $.a = NULL }",
    "{ $.a = }",
    "{ $.a }",
    '{ ($.a = "x" }',
    '{ $.a = "x" && }',
    "{ $.a = %% }",
    "{ $.a = %(x)% }",  # parentheses are not supported in regexes
    "{ $.a = %x!% }",
    "{ $.a = %é% }",  # multi-byte characters are not supported
    "{ $.a = %\\q% }",
    "{ $.a = %\\x80% }",
    "{ $.a = %a**% }",
    "{ $.a = %*a% }",
    "{ $.a = %[]% }",
    "{ $.a = %[a-c-e]% }",
    "{ $.a = %a{,}% }",
    "{ $.a = %a{3,1}% }",
    "{ $.a = %[z-a]% }",
    "{ $.a = %\\% }",
    '{ $.a = "unterminated }',
    "{ $.a = %unterminated }",
    "{ " + " && ".join(f'$.field{i} = "value"' for i in range(60)) + " }",  # over 1024 characters
]


@pytest.mark.parametrize("pattern", INVALID)
def test_outside_the_subset_is_refused(engine: MetricFilterEngine, pattern: str) -> None:
    with pytest.raises(QueryError):
        engine.run(pattern, [SAMPLE])


def test_one_answer_per_event_in_order(engine: MetricFilterEngine) -> None:
    events = [{"a": "x"}, {}, {"a": "y"}, {"a": {"b": 1}}]
    assert engine.run('{ $.a = "x" }', events) == [True, False, False, False]
    assert engine.run("{ $.a NOT EXISTS }", events) == [False, True, False, False]
    assert engine.run('{ $.a = "x" }', []) == []


def test_view_is_the_raw_event_without_losses(engine: MetricFilterEngine) -> None:
    view = engine.view(CLOUDTRAIL)
    assert view.doc is CLOUDTRAIL
    assert view.losses == {}
    assert engine.target == "metricfilter"


def test_a_selector_never_reads_a_list_as_an_object(engine: MetricFilterEngine) -> None:
    assert engine.run('{ $.list.0 = "a" }', [{"list": ["a"]}]) == [False]
    assert engine.run('{ $.map[0] = "a" }', [{"map": {"0": "a"}}]) == [False]
