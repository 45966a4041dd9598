"""Sigma in, each target's query (or its refusal) out: one table, every construct of design.md.

Like sqlglot's validate_all: a row names the Sigma detection and, per target, the expected
condition (the query without its fixed platform prefix) or a Refused substring. Every expected
text was derived from the target's documented semantics (semantics.md B), not from our output.
"""

from __future__ import annotations

from typing import Any

import pytest

from compiler.driver import compile_rule
from compiler.registry import resolve
from tests.conftest import loaded, sigma_rule

PREFIX = {
    "eql": ('any where event.dataset == "aws.cloudtrail" and (', ")"),
    "spl": ('sourcetype="aws:cloudtrail" ', ""),
    "kql": ("AWSCloudTrail | where ", ""),
    "cwli": ("filter ", ""),
}


class Refused(str):
    """Expected refusal: the error must contain this text."""


def sel(**fields: Any) -> dict[str, Any]:
    return {"selection": fields, "condition": "selection"}


def body(target: str, query: str) -> str:
    head, tail = PREFIX[target]
    assert query.startswith(head) and query.endswith(tail), query
    return query[len(head) : len(query) - len(tail)] if tail else query[len(head) :]


ROWS: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("plain value", sel(eventName="ConsoleLogin"), {
        "eql": 'event.action : "ConsoleLogin"',
        "spl": 'eventName="ConsoleLogin"',
        "kql": 'EventName =~ "ConsoleLogin"',
        "cwli": r"eventName like /(?is)\AConsoleLogin\z/",
    }),
    ("inner * wildcard", sel(eventName="Delete*Policy"), {
        "eql": 'event.action : "Delete*Policy"',
        "spl": 'eventName="Delete*Policy"',
        "kql": r'EventName matches regex "(?is)\\ADelete.*Policy\\z"',
        "cwli": r"eventName like /(?is)\ADelete.*Policy\z/",
    }),
    ("? wildcard: exactly one character, never widened to *", sel(eventName="Create?ccessKey"), {
        "eql": 'event.action : "Create?ccessKey"',
        "spl": "| where isnotnull(mvfind('eventName', \"(?is)\\\\ACreate.ccessKey\\\\z\"))",
        "kql": r'EventName matches regex "(?is)\\ACreate.ccessKey\\z"',
        "cwli": r"eventName like /(?is)\ACreate.ccessKey\z/",
    }),
    ("escaped * is a literal star", sel(eventName=r"Foo\*Bar"), {
        "eql": r'event.action regex~ "Foo\\*Bar"',
        "spl": "| where isnotnull(mvfind('eventName', \"(?is)\\\\AFoo\\\\*Bar\\\\z\"))",
        "kql": 'EventName =~ "Foo*Bar"',
        "cwli": r"eventName like /(?is)\AFoo\*Bar\z/",
    }),
    ("cased", {"selection": {"eventName|cased": "ConsoleLogin"}, "condition": "selection"}, {
        "eql": 'event.action == "ConsoleLogin"',
        "spl": "| where isnotnull(mvfind('eventName', \"(?s)\\\\AConsoleLogin\\\\z\"))",
        "kql": 'EventName == "ConsoleLogin"',
        "cwli": r"eventName like /(?s)\AConsoleLogin\z/",
    }),
    ("cased contains keeps wildcards (== would not)", {"selection": {"userAgent|cased|contains": "Boto3"},
                                                       "condition": "selection"}, {
        "eql": 'user_agent.original like "*Boto3*"',
        "kql": 'UserAgent contains_cs "Boto3"',
    }),
    ("contains", {"selection": {"userAgent|contains": "Boto3"}, "condition": "selection"}, {
        "eql": 'user_agent.original : "*Boto3*"',
        "spl": 'userAgent="*Boto3*"',
        "kql": 'UserAgent contains "Boto3"',
        "cwli": r"userAgent like /(?is)\A.*Boto3.*\z/",
    }),
    ("startswith and endswith", {"selection": {"userAgent|startswith": "aws-cli/", "eventName|endswith": "Policy"},
                                 "condition": "selection"}, {
        "eql": 'user_agent.original : "aws-cli/*" and event.action : "*Policy"',
        "spl": 'userAgent="aws-cli/*" AND eventName="*Policy"',
        "kql": 'UserAgent startswith "aws-cli/" and EventName endswith "Policy"',
    }),
    ("all: every value must match", {"selection": {"userAgent|contains|all": ["Boto3", "Linux"]},
                                     "condition": "selection"}, {
        "kql": 'UserAgent contains "Boto3" and UserAgent contains "Linux"',
        "spl": 'userAgent="*Boto3*" AND userAgent="*Linux*"',
    }),
    ("quotes and backslashes are escaped, never structure", sel(userAgent='a"b\\c'), {
        "eql": r'user_agent.original : "a\"b\\c"',
        "spl": r'userAgent="a\"b\\c"',
        "kql": r'UserAgent =~ "a\"b\\c"',
        "cwli": r'userAgent like /(?is)\Aa\"b\\c\z/',
    }),
    ("a pipe inside a value", sel(userAgent="x | delete"), {
        "spl": 'userAgent="x | delete"',
        "cwli": r"userAgent like /(?is)\Ax \| delete\z/",
        "kql": 'UserAgent =~ "x | delete"',
    }),
    ("a newline inside a value", sel(userAgent="line1\nline2"), {
        "eql": r'user_agent.original : "line1\nline2"',
        "spl": "| where isnotnull(mvfind('userAgent', \"(?is)\\\\Aline1\\\\x0aline2\\\\z\"))",
        "kql": r'UserAgent =~ "line1\nline2"',
        "cwli": r"userAgent like /(?is)\Aline1\x0aline2\z/",
    }),
    ("non-ASCII letters: Elasticsearch folds ASCII only, so both cases are spelled out",
     sel(userAgent="zoë"), {"eql": 'user_agent.original regex "[zZ][oO][ëË]"'}),
    ("unicode passes through", sel(**{"userIdentity.userName": "zoë-日本"}), {
        "spl": 'userIdentity.userName="zoë-日本"',
        "kql": 'UserIdentityUserName =~ "zoë-日本"',
        "eql": Refused("user.name, which also takes sessionIssuer.userName"),
    }),
    ("regex: case-sensitive and unanchored", {"selection": {"userAgent|re": r"oto3/1\.[0-9]+"},
                                              "condition": "selection"}, {
        "eql": 'user_agent.original regex "(.|\\\\\\n)*(oto3\\\\/1\\\\.[0-9]+)(.|\\\\\\n)*"',
        "kql": r'UserAgent matches regex "oto3\\/1\\.[0-9]+"',
        "cwli": r"userAgent like /oto3\/1\.[0-9]+/",
        "spl": "| where isnotnull(mvfind('userAgent', \"oto3\\\\/1\\\\.[0-9]+\"))",
    }),
    ("regex with i flag", {"selection": {"userAgent|re|i": "^boto3"}, "condition": "selection"}, {
        "eql": 'user_agent.original regex~ "(boto3)(.|\\\\\\n)*"',
        "kql": r'UserAgent matches regex "(?i)\\Aboto3"',
    }),
    ("regex anchors inside the pattern have no Lucene form", {"selection": {"userAgent|re": "a(^b|c)"},
                                                               "condition": "selection"}, {
        "eql": Refused("anchor ^ inside the pattern"),
    }),
    ("exists", {"selection": {"errorCode|exists": True}, "condition": "selection"}, {
        "eql": "aws.cloudtrail.error_code != null",
        "spl": 'NOT errorCode="success"',
        "kql": "isnotempty(ErrorCode)",
        "cwli": "ispresent(errorCode)",
    }),
    ("not exists", {"selection": {"errorCode|exists": False}, "condition": "selection"}, {
        "eql": "aws.cloudtrail.error_code == null",
        "spl": 'errorCode="success"',
        "kql": "isempty(ErrorCode)",
        "cwli": "not ispresent(errorCode)",
    }),
    ("null", sel(**{"userIdentity.invokedBy": None}), {
        "eql": "aws.cloudtrail.user_identity.invoked_by == null",
        "spl": "NOT userIdentity.invokedBy=*",
        "kql": "isempty(UserIdentityInvokedBy)",
        "cwli": "not ispresent(userIdentity.invokedBy)",
    }),
    ("cidr v4", {"selection": {"sourceIPAddress|cidr": "10.0.0.0/8"}, "condition": "selection"}, {
        "eql": 'cidrMatch(source.ip, "10.0.0.0/8")',
        "kql": 'coalesce(ipv4_is_in_range(SourceIpAddress, "10.0.0.0/8"), false)',
        "cwli": 'isIpv4InSubnet(sourceIPAddress, "10.0.0.0/8")',
        "spl": "| where (isnotnull('sourceIPAddress') AND cidrmatch(\"10.0.0.0/8\", 'sourceIPAddress'))",
    }),
    ("cidr v6", {"selection": {"sourceIPAddress|cidr": "2001:db8::/32"}, "condition": "selection"}, {
        "kql": 'coalesce(ipv6_is_in_range(SourceIpAddress, "2001:db8::/32"), false)',
        "cwli": 'isIpv6InSubnet(sourceIPAddress, "2001:db8::/32")',
    }),
    ("numeric comparison", {"selection": {"requestParameters.maxResults|gt": 100}, "condition": "selection"}, {
        "kql": 'coalesce(toreal(tostring(parse_json(RequestParameters)["maxResults"])) > 100, false)',
        "cwli": "requestParameters.maxResults > 100",
        # below requestParameters a value may be a JSON array, which Splunk names with {}
        "spl": "| where (isnum(tonumber(coalesce('requestParameters.maxResults', 'requestParameters.maxResults{}'))) "
               "AND tonumber(coalesce('requestParameters.maxResults', 'requestParameters.maxResults{}')) > 100)",
        "eql": Refused("flattened"),
    }),
    ("not of a selection stays true where the field is absent", {
        "selection": {"eventName": "ConsoleLogin"}, "filter": {"userAgent|contains": "Mozilla"},
        "condition": "selection and not filter"}, {
        "eql": 'event.action : "ConsoleLogin" and not user_agent.original : "*Mozilla*"',
        "spl": 'eventName="ConsoleLogin" AND NOT userAgent="*Mozilla*"',
        "kql": 'EventName =~ "ConsoleLogin" and not(UserAgent contains "Mozilla")',
        "cwli": r"eventName like /(?is)\AConsoleLogin\z/ and not (ispresent(userAgent) and "
                r"userAgent like /(?is)\A.*Mozilla.*\z/)",
    }),
    ("1 of / all of", {"selection_a": {"eventName": "A"}, "selection_b": {"eventName": "B"},
                       "filter": {"awsRegion": "us-east-1"}, "condition": "1 of selection_* and not filter"}, {
        "spl": '(eventName="A" OR eventName="B") AND NOT awsRegion="us-east-1"',
        "kql": '(EventName =~ "A" or EventName =~ "B") and not(AWSRegion =~ "us-east-1")',
    }),
    ("or at the root is parenthesised in search (OR binds tighter than AND)", {
        "a": {"eventName": "A"}, "b": {"eventSource": "s3.amazonaws.com"}, "condition": "a or b"}, {
        "spl": '(eventName="A" OR eventSource="s3.amazonaws.com")',
    }),
    ("keywords are refused everywhere", {"keywords": ["ConsoleLogin"], "condition": "keywords"}, {
        "eql": Refused("keyword search"), "spl": Refused("keyword search"),
        "kql": Refused("keyword search"), "cwli": Refused("keyword search"),
    }),
    ("nested request field", sel(**{"requestParameters.bucketName": "finance-backups"}), {
        "eql": Refused("EQL cannot query flattened sub-fields"),
        "spl": '(requestParameters.bucketName="finance-backups" OR requestParameters.bucketName{}="finance-backups")',
        "kql": 'tostring(parse_json(RequestParameters)["bucketName"]) =~ "finance-backups"',
        "cwli": r"requestParameters.bucketName like /(?is)\Afinance\-backups\z/",
    }),
    ("a field inside an array", sel(**{"requestParameters.ipPermissions.items.ipRanges.items.cidrIp": "0.0.0.0/0"}), {
        "spl": '(requestParameters.ipPermissions.items{}.ipRanges.items{}.cidrIp="0.0.0.0/0" OR '
               'requestParameters.ipPermissions.items{}.ipRanges.items{}.cidrIp{}="0.0.0.0/0")',
        "kql": Refused("inside a JSON array"),
        "cwli": Refused("only by index"),
    }),
    ("a whole JSON object is not a value", {"selection": {"requestParameters|contains": "x"},
                                            "condition": "selection"}, {
        t: Refused("names a whole JSON object") for t in ("eql", "spl", "kql", "cwli")
    }),
    ("booleans: typed columns compare as booleans", sel(readOnly=False), {
        "eql": "aws.cloudtrail.read_only == false",
        "kql": "ReadOnly == false",
        "cwli": "readOnly = 0",
        "spl": 'readOnly="false"',
    }),
    ("numbers compare as their text", sel(**{"requestParameters.port": 5432}), {
        "spl": '(requestParameters.port="5432" OR requestParameters.port{}="5432")',
        "kql": 'tostring(parse_json(RequestParameters)["port"]) =~ "5432"',
    }),
]


def test_other_log_sources_use_field_names_as_written() -> None:
    rule = loaded(sigma_rule({"sel": {"CommandLine|contains": "whoami"}, "condition": "sel"},
                             logsource={"product": "windows", "category": "process_creation"}))
    got = {t.name: compile_rule(rule, t) for t in resolve("all")}
    assert got["eql"].query == 'any where CommandLine : "*whoami*"'
    assert got["spl"].query == 'CommandLine="*whoami*"'
    assert got["cwli"].query == r"filter CommandLine like /(?is)\A.*whoami.*\z/"
    assert got["kql"].query is None and "AWSCloudTrail" in (got["kql"].error or "")
    assert all("field names are used as written" in " ".join(got[t].notes) for t in ("eql", "spl", "cwli"))


@pytest.mark.parametrize("name,detection,expected", ROWS, ids=[r[0] for r in ROWS])
def test_translation(name: str, detection: dict[str, Any], expected: dict[str, str]) -> None:
    rule = loaded(sigma_rule(detection))
    for target in resolve(",".join(expected)):
        want = expected[target.name]
        got = compile_rule(rule, target)
        if isinstance(want, Refused):
            assert got.query is None and got.refused, f"{target.name}: expected a refusal, got {got.query}"
            assert want in (got.error or ""), f"{target.name}: {got.error}"
        else:
            assert got.error is None, f"{target.name}: {got.error}"
            assert body(target.name, got.query or "") == want, f"{target.name}: {got.query}"


SEED_QUERIES = {
    "eql": 'any where event.dataset == "aws.cloudtrail" and (event.provider : "rds.amazonaws.com" and '
           '(event.action : "RestoreDBInstanceFromDBSnapshot" or event.action : "RestoreDBInstanceFromS3") and '
           "aws.cloudtrail.error_code == null)",
    "spl": 'sourcetype="aws:cloudtrail" eventSource="rds.amazonaws.com" AND '
           '(eventName="RestoreDBInstanceFromDBSnapshot" OR eventName="RestoreDBInstanceFromS3") AND '
           'errorCode="success"',
    "kql": 'AWSCloudTrail | where EventSource =~ "rds.amazonaws.com" and '
           '(EventName =~ "RestoreDBInstanceFromDBSnapshot" or EventName =~ "RestoreDBInstanceFromS3") and '
           "isempty(ErrorCode)",
    "cwli": r"filter eventSource like /(?is)\Ards\.amazonaws\.com\z/ and "
            r"(eventName like /(?is)\ARestoreDBInstanceFromDBSnapshot\z/ or "
            r"eventName like /(?is)\ARestoreDBInstanceFromS3\z/) and not ispresent(errorCode)",
}


@pytest.mark.parametrize("target", sorted(SEED_QUERIES))
def test_seed_query(target: str) -> None:
    from compiler.loader import load_rules
    from tests.conftest import ROOT

    [rule] = list(load_rules([ROOT / "sigma" / "rules" / "cloud" / "aws" / "cloudtrail"]))
    got = compile_rule(rule, resolve(target)[0])  # type: ignore[arg-type]
    assert got.query == SEED_QUERIES[target]


def test_output_is_deterministic() -> None:
    rule = loaded(sigma_rule(sel(eventName=["b", "a", "c?"], userAgent="x*")))
    for target in resolve("all"):
        assert compile_rule(rule, target).query == compile_rule(rule, target).query
