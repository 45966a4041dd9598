"""The CloudWatch Logs Insights interpreter against AWS's documented behaviour.

Rows cite the page they come from: AWS-FILTER (CWL_QuerySyntax-Filter), AWS-FUNC
(CWL_QuerySyntax-operations-functions), AWS-ARCH (archived CWL_QuerySyntax.md), AWS-WHERE,
AWS-DISC (discovered fields). Unconfirmed facts are tested in test_cwli_assumptions.py.
"""

from __future__ import annotations

import pytest

from engines.base import QueryError
from engines.cwli_engine import CwliEngine

# A RunInstances record as Logs Insights discovers it (AWS-DISC: dotted paths, ".0" array positions,
# JSON booleans as 1/0 per fact sheet F.1 row 1.6).
EVENT = {
    "@message": '{"eventVersion":"1.08","eventName":"RunInstances"}',
    "@timestamp": "2024-05-01 10:00:00.000",
    "eventVersion": "1.08",
    "eventSource": "ec2.amazonaws.com",
    "eventName": "RunInstances",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "203.0.113.7",
    "userAgent": "aws-cli/2.15.0 Python/3.11",
    "userIdentity.type": "IAMUser",
    "userIdentity.userName": "Alice",
    "userIdentity.accountId": "123456789012",
    "readOnly": 0,
    "managementEvent": 1,
    "requestParameters.instancesSet.items.0.imageId": "ami-0abc",
    "requestParameters.instancesSet.items.0.minCount": 1,
    "requestParameters.ratio": 2.5,
    "requestParameters.note": "",
    "requestParameters.blank": "  \t",
    "requestParameters.foo-bar": "dashed",
    "responseElements.path": "C:\\Temp\\x*y",
    "ipv6": "2001:db8::1",
    "host": "ec2.amazonaws.com",
}

ROWS = [
    # equality and comparison operators (AWS-FILTER, AWS-FUNC "Comparison operators")
    ('filter eventName = "RunInstances"', True),
    ("filter eventName = 'RunInstances'", True),  # single quotes (F.1 row 1.3 [V])
    ('filter eventName = "runinstances"', False),  # exact, case-sensitive (row 1.1 [D])
    ('filter eventName != "RunInstances"', False),
    ('filter eventName != "StopInstances"', True),
    ('filter eventName = "RunInstance"', False),  # whole value, not a prefix
    ("filter readOnly = 0", True),  # JSON false is 0 (row 1.6)
    ("filter managementEvent = 1", True),
    ("filter requestParameters.instancesSet.items.0.minCount >= 1", True),
    ("filter requestParameters.instancesSet.items.0.minCount > 1", False),
    ("filter requestParameters.ratio < 3", True),
    ("filter requestParameters.ratio <= 2.5", True),
    ("filter requestParameters.ratio > 2.5", False),
    ("filter requestParameters.ratio != 2.5", False),
    ("filter userIdentity.accountId = 123456789012", True),  # AWS-FILTER example accountId=123456789012
    ('filter userIdentity.accountId = "123456789012"', True),
    ("filter (range>3000 and accountId=123456789012)", False),  # the documented example, fields absent
    # set membership: complete strings, lists mixing strings and numbers (AWS-FILTER)
    ('filter eventName in ["StopInstances", "RunInstances"]', True),
    ('filter eventName in ["Run", "Instances"]', False),
    ('filter eventName not in ["StopInstances", 1]', True),
    ('filter eventName not in ["RunInstances"]', False),
    ('filter managementEvent in ["x", 1]', True),
    ('FILTER eventName IN ["RunInstances"]', True),  # keywords in upper case (AWS sample queries)
    # like: substring, case-sensitive (AWS-FILTER)
    ('filter userAgent like "aws-cli"', True),
    ('filter userAgent like "AWS-CLI"', False),
    ('filter userAgent not like "boto3"', True),
    ('filter userAgent not like "Python"', False),
    ('filter responseElements.path like "\\\\Temp\\\\x*"', True),  # * is literal in a substring
    ('filter responseElements.path like "Temp*"', False),
    # regex: unanchored, case-sensitive; (?i); anchors (AWS-FILTER, AWS-ARCH)
    ("filter eventName like /Instances/", True),
    ("filter eventName =~ /Instances/", True),
    ("filter eventName like /instances/", False),
    ("filter eventName like /(?i)instances/", True),
    ("filter eventName =~ /^(?i)runinstances$/", True),  # AWS-ARCH's whole-value example
    ("filter eventName =~ /^(?i)run$/", False),
    ("filter eventName like /Run./", True),  # AWS-FILTER: "." as a wildcard
    ("filter eventName like /^Run.*s$/", True),
    ("filter eventName not like /Stop|Terminate/", True),
    ("filter eventName not like /Stop|Run/", False),
    ("filter sourceIPAddress like /^203\\.0\\.113\\.[0-9]{1,3}$/", True),
    ("filter userAgent like /aws-cli\\/2/", True),  # \/ is a literal slash
    ("filter responseElements.path like /C:\\\\Temp/", True),
    ("filter readOnly like /0/", True),  # regex on a number reads its decimal text (row 1.6 [U])
    # missing fields: a comparison on null is not true (AWS-FILTER drops non-matching events)
    ('filter errorCode = "AccessDenied"', False),
    ('filter errorCode like "Denied"', False),
    ("filter errorCode like /./", False),
    ('filter errorCode in ["AccessDenied"]', False),
    # functions (AWS-FUNC)
    ("filter ispresent(eventName)", True),
    ("filter ispresent(errorCode)", False),
    ("filter not ispresent(errorCode)", True),
    ("filter isPresent(eventName)", True),  # function names without case (dedup page: isPresent)
    ("filter isempty(errorCode)", True),  # 1 if missing
    ("filter isempty(requestParameters.note)", True),  # 1 if empty string
    ("filter isempty(eventName)", False),
    ("filter isblank(requestParameters.blank)", True),
    ("filter isblank(eventName)", False),
    ("filter isempty(errorCode) = 1", True),
    ('filter tolower(userIdentity.userName) = "alice"', True),
    ('filter toupper(userIdentity.userName) = "ALICE"', True),
    ("filter strlen(eventName) = 12", True),
    ('filter strcontains(userAgent, "cli")', True),
    ('filter strcontains(userAgent, "CLI")', False),
    ('filter strcontains(userAgent, "CLI", true)', True),  # caseInsensitive argument (AWS-FUNC)
    ('filter strcontains(userAgent, "CLI", false)', False),
    ('filter strcontains(userAgent, "cli") = 1', True),
    # IP functions (AWS-FUNC; fact sheet F.1 row 1.9)
    ("filter isValidIp(sourceIPAddress)", True),
    ("filter isValidIpV4(sourceIPAddress)", True),
    ("filter isValidIpV6(sourceIPAddress)", False),
    ("filter isValidIpV6(ipv6)", True),
    ("filter isValidIp(host)", False),
    ('filter isIpInSubnet(sourceIPAddress, "203.0.113.0/24")', True),
    ('filter isIpv4InSubnet(sourceIPAddress, "192.0.2.0/24")', False),
    ('filter isIpv6InSubnet(ipv6, "2001:db8::/32")', True),
    ('filter isIpInSubnet(ipv6, "2001:db8::/32")', True),
    ('filter isIpv4InSubnet(host, "0.0.0.0/0")', False),  # a host name is no address
    ('filter not isIpv4InSubnet(host, "10.0.0.0/8")', True),
    # boolean operators, parentheses, several filters, where (AWS-FILTER, AWS-WHERE)
    ('filter eventName = "RunInstances" and awsRegion = "us-east-1"', True),
    ('filter eventName = "RunInstances" and awsRegion = "eu-west-1"', False),
    ('filter eventName = "X" or awsRegion = "us-east-1"', True),
    ('filter not (eventName = "X")', True),
    ('filter not (eventName = "X" or awsRegion = "us-east-1")', False),
    ('filter (eventName = "X" or awsRegion = "us-east-1") and readOnly = 0', True),
    ('filter eventName = "RunInstances" | filter readOnly = 1', False),
    ('where eventName = "RunInstances"', True),
    ('filter not ispresent(errorCode) or errorCode != "AccessDenied"', True),
    # field references: backquotes, @ fields, array positions (AWS-ARCH "fields `foo-bar`", AWS-DISC)
    ('filter `requestParameters.foo-bar` = "dashed"', True),
    ('filter requestParameters.`foo-bar` = "dashed"', True),
    ('filter @message like "RunInstances"', True),
    ('filter requestParameters.instancesSet.items.0.imageId = "ami-0abc"', True),
    ('filter requestParameters.instancesSet.items.1.imageId = "ami-0abc"', False),
    # commands that do not change the match set; comments
    ('fields @timestamp, @message | filter eventName = "RunInstances" | sort @timestamp desc', True),
    ('display eventName, `requestParameters.foo-bar` | filter eventName = "RunInstances"', True),
    ("fields @timestamp, @message", True),
    ('# detect launches\nfilter eventName = "RunInstances"\n  # trailing note\n| sort eventTime asc', True),
    ('filter eventName like "|" or eventName = "RunInstances"', True),  # a pipe inside a string
    ("filter eventName like /a|#Run/", True),  # pipe and hash inside a regex
]


@pytest.fixture(scope="module")
def engine() -> CwliEngine:
    return CwliEngine()


@pytest.mark.parametrize(("query", "expected"), ROWS)
def test_documented_behaviour(engine: CwliEngine, query: str, expected: bool) -> None:
    assert engine.run(query, [EVENT]) == [expected]


INVALID = [
    "",
    "   \n# only a comment\n",
    "stats count(*) by eventName",
    'filter eventName = "x" | limit 20',
    "limit 5",
    'parse @message "a=*" as a',
    'filter eventName == "x"',
    "filter eventName = x",  # a bare word is a field: field-to-field comparison
    "filter readOnly = true",
    'filter eventName < "x"',  # ordering on strings is undocumented
    'filter eventName = "x" and',
    'filter (eventName = "x"',
    'filter eventName = "x")',
    "filter eventName",
    "filter tolower(eventName)",  # a string is no condition
    'filter unknownfn(eventName) = "x"',
    'filter eventName like "x" extra',
    "filter eventName =~ \"x\"",  # =~ takes a regex
    "filter eventName in []",
    "filter eventName in [eventSource]",
    'filter eventName = "a\\nb"',  # undocumented escape (F.1 row 1.4)
    'filter eventName = "unterminated',
    "filter eventName like /unterminated",
    "filter eventName like /x/i",  # trailing flags are not Logs Insights syntax
    'filter eventName = "x" # trailing comment',
    "fields abs(x)",
    "fields eventName as name",
    "fields tolower(eventName) as n | filter n = \"x\"",
    "sort eventName desc, eventTime asc",
    'filter strcontains(eventName, "x", yes)',
    'filter strcontains(eventName, eventSource)',
    'filter isIpv4InSubnet(sourceIPAddress, "2001:db8::/32")',
    'filter isIpInSubnet(sourceIPAddress, "203.0.113.7/24")',  # host bits set
    'filter isIpInSubnet(sourceIPAddress, "203.0.113.7")',
    'filter ispresent(tolower(eventName))',
    "filter a.",
    "filter `unterminated = 1",
    "filter 1e5 = x",
    'filter eventName = "x" | | filter a = 1',
    "dedup eventName",
    # regexes outside the RE2/Hyperscan common subset
    "filter a like //",
    "filter a like /\\s+/",
    "filter a like /\\bword/",
    "filter a like /(a)\\1/",
    "filter a like /(?=a)/",
    "filter a like /(?<name>a)/",
    "filter a like /a(?i)b/",
    "filter a like /(?m)^a/",
    "filter a like /a++/",
    "filter a like /a**/",
    "filter a like /*a/",
    "filter a like /a{,3}/",
    "filter a like /a{2000}/",
    "filter a like /a{3,2}/",
    "filter a like /a{/",
    "filter a like /}/",
    "filter a like /]/",
    "filter a like /[[:alpha:]]/",
    "filter a like /[]a]/",
    "filter a like /[z-a]/",
    "filter a like /[a-z-0]/",
    "filter a like /\\p{L}/",
    "filter a like /\\Z/",
    "filter a like /\\x4/",
    "filter a like /\\x{41}/",
    "filter a like /(a/",
    "filter a like /a)/",
    "filter a like /^*/",
    "filter a like /\\q/",
]


@pytest.mark.parametrize("query", INVALID)
def test_outside_the_subset_is_refused(engine: CwliEngine, query: str) -> None:
    with pytest.raises(QueryError):
        engine.run(query, [EVENT])


def test_limit_error_says_why(engine: CwliEngine) -> None:
    with pytest.raises(QueryError, match="changes which events"):
        engine.run('filter eventName = "x" | limit 20', [EVENT])


def test_one_answer_per_document_in_order(engine: CwliEngine) -> None:
    docs = [{"eventName": "A"}, {}, {"eventName": "B"}, {"eventName": "A", "x": 1}]
    assert engine.run('filter eventName = "A"', docs) == [True, False, False, True]
    assert engine.run("fields eventName", docs) == [True] * 4
    assert engine.run('filter eventName = "A"', []) == []


def test_regex_subset_translations(engine: CwliEngine) -> None:
    doc = {"f": "ab-1.c\tX", "g": "line\n", "h": "a\nb"}
    cases = [
        ("filter f like /\\d/", True),
        ("filter f like /^\\D+/", True),
        ("filter f like /\\w-\\d\\.\\w/", True),
        ("filter f like /\\W\\W/", False),
        ("filter f like /[\\d.]+c/", True),
        ("filter f like /[^a-z]X$/", True),
        ("filter f like /\\x58/", True),  # X
        ("filter f like /\\t/", True),
        ("filter f like /(?:ab|cd)-/", True),
        ("filter f like /(ab){2}/", False),
        ("filter f like /b+?-/", True),
        ("filter f like /\\Aab/", True),
        ("filter f like /X\\z/", True),
        ("filter f like /[-.]1/", True),
        ("filter f like /[a\\-]1/", True),
        ("filter h like /a.b/", False),  # "." does not match a newline
        ("filter h like /(?s)a.b/", True),
        ("filter h like /(?is)A.B/", True),
        ("filter g like /line$/", False),  # RE2: "$" is the end of the text (assumption)
        ("filter g like /line\\n$/", True),
        ("filter h like /^b/", False),  # no multi-line mode
    ]
    for query, expected in cases:
        assert engine.run(query, [doc]) == [expected], query


def test_values_of_unexpected_types_read_as_missing(engine: CwliEngine) -> None:
    doc = {"a": None, "b": ["x"], "c": {"k": "v"}}
    assert engine.run("filter ispresent(a) or ispresent(b) or ispresent(c)", [doc]) == [False]


def test_parse_once(engine: CwliEngine) -> None:
    from engines.cwli import compile_query

    query = 'filter eventName = "cached"'
    engine.run(query, [EVENT])
    before = compile_query.cache_info().hits
    engine.run(query, [EVENT])
    assert compile_query.cache_info().hits == before + 1


def test_unconfirmed_static_facts(engine: CwliEngine) -> None:
    assert engine.unconfirmed('filter a = "x" and b = "y" or c = "z"') == {"and-or-precedence"}
    assert engine.unconfirmed('filter (a = "x" and b = "y") or c = "z"') == frozenset()
    assert engine.unconfirmed('filter a = "x" and (b = "y" or c = "z")') == frozenset()
    assert engine.unconfirmed('filter a = "x\\"y"') == {"string-escapes"}


def test_readings_expose_a_dependence_on_null_handling(engine: CwliEngine) -> None:
    docs = [{}, {"f": "x"}]
    guarded = engine.run_readings('filter not ispresent(f) or f != "x"', docs)
    assert len({tuple(v) for v in guarded.values()}) == 1  # same answer under every reading
    bare = engine.run_readings('filter f != "x"', [{}])
    assert bare["default"] == [False]
    assert bare["null-two-valued (F.1 row 1.5)"] == [True]


def test_engine_contract() -> None:
    engine = CwliEngine()
    assert engine.target == "cwli"
    raw = {"eventName": "RunInstances", "readOnly": False,
           "requestParameters": {"instancesSet": {"items": [{"imageId": "ami-1"}]}}}
    doc = engine.view(raw).doc
    query = 'filter readOnly = 0 and requestParameters.instancesSet.items.0.imageId = "ami-1"'
    assert engine.run(query, [doc]) == [True]
