"""The SPL interpreter against rows derived from Splunk's documented behaviour (semantics.md B.2, F.3).

Each row is (query, document, expected). The rows follow Splunk's documented behaviour plus the
choices in engines/spl/assumptions.py; each of those choices is pinned on its own in
test_spl_assumptions.py. Where libpcre2 is installed, the PCRE translation is also checked against it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import random
import re
from typing import Any

import pytest

from engines.base import QueryError
from engines.spl import pcre
from engines.spl_engine import SplEngine, compile_query

MV = "requestParameters.instancesSet.items{}.instanceId"
EVENT: dict[str, Any] = {
    "eventName": "CreateUser",
    "eventSource": "iam.amazonaws.com",
    "userIdentity.arn": "arn:aws:iam::123456789012:user/Alice",
    "sourceIPAddress": "203.0.113.7",
    "errorCode": "success",
    "eventVersion": "1.08",
    "responseElements.count": "5",
    "sourcetype": "aws:cloudtrail",
    MV: ["i-0abc", "i-0def"],
    "path": "C:\\Windows\\System32",
    "quote": 'say "hi"',
    "star": "a*b",
    "uni": "Ünïcödé",
    "_raw": '{"eventName":"CreateUser","eventSource":"iam.amazonaws.com"}',
}

ENGINE = SplEngine()


def run1(query: str, doc: dict[str, Any]) -> bool:
    return ENGINE.run(query, [doc])[0]


# (query, doc or None for EVENT, expected)
SEARCH_ROWS: list[tuple[str, dict[str, Any] | None, bool]] = [
    # whole-value, case-insensitive match; implicit and explicit search command
    ("eventName=CreateUser", None, True),
    ("eventName=createuser", None, True),
    ("eventName=CREATEUSER", None, True),
    ('eventName="CreateUser"', None, True),
    ("search eventName=CreateUser", None, True),
    ("eventName=Create", None, False),
    ("eventName=CreateUsers", None, False),
    ("sourcetype=aws:cloudtrail eventName=CreateUser", None, True),
    ("userIdentity.arn=arn:aws:iam::123456789012:user/alice", None, True),
    ("eventname=CreateUser", None, False),  # field names are case-sensitive
    # * wildcard, no single-character wildcard
    ("eventName=Create*", None, True),
    ("eventName=*User", None, True),
    ("eventName=*eat*", None, True),
    ("eventName=C*U*r", None, True),
    ("eventName=c*x", None, False),
    ("eventName=C?eateUser", None, False),
    ('eventName="Create*"', None, True),  # * is a wildcard inside quotes too
    ("star=a*b", None, True),
    ("star=a*", None, True),
    # presence
    ("eventName=*", None, True),
    ("missing=*", None, False),
    ("NOT missing=*", None, True),
    ("NOT eventName=*", None, False),
    # search precedence: parentheses > NOT > OR > AND (OR binds tighter than AND)
    ("eventName=X eventName=CreateUser OR eventSource=iam.amazonaws.com", None, False),
    ("eventName=CreateUser OR eventName=X eventSource=nope", None, False),
    ("eventName=CreateUser OR eventName=X AND eventSource=nope", None, False),
    ("eventName=X OR eventName=CreateUser eventSource=iam*", None, True),
    ("NOT eventName=CreateUser OR eventName=CreateUser", None, True),
    ("NOT (eventName=CreateUser OR eventName=X)", None, False),
    ("NOT(eventName=CreateUser)", None, False),
    ("NOT NOT eventName=CreateUser", None, True),
    ("(eventName=X OR eventName=CreateUser) AND eventSource=iam.amazonaws.com", None, True),
    ("eventName=CreateUser AND eventSource=x", None, False),
    ("((eventName=CreateUser))", None, True),
    # NOT vs != (B.2 [V])
    ("missing!=x", None, False),
    ("NOT missing=x", None, True),
    ("eventName!=CreateUser", None, False),
    ("eventName!=createuser", None, False),
    ("eventName!=Other", None, True),
    ("eventName!=Create*", None, False),
    # IN
    ('eventName IN (DeleteUser, "createuser", Foo*)', None, True),
    ("eventName IN (DeleteUser, Foo*)", None, False),
    ("eventName IN (Create*)", None, True),
    ("eventName IN(CreateUser)", None, True),
    ("NOT eventName IN (CreateUser)", None, False),
    ("missing IN (a)", None, False),
    ("NOT missing IN (a)", None, True),
    # quotes and backslashes: \\ is a backslash, \" a quote
    ('path="C:\\\\Windows\\\\System32"', None, True),
    ('path="c:\\\\windows\\\\*"', None, True),
    ("path=C:\\\\Windows\\\\System32", None, True),
    ('path="C:\\\\*"', None, True),
    ('path="C:\\\\Windows\\\\System"', None, False),
    ('quote="say \\"hi\\""', None, True),
    ('quote="SAY \\"HI\\""', None, True),
    ('quote="say *"', None, True),
    ('star="a\\\\*b"', None, False),  # a literal backslash, then the wildcard
    ('f="a | b"', {"f": "A | B"}, True),  # a pipe inside quotes does not split the pipeline
    # multivalue: matches when any value matches
    (f"{MV}=i-0DEF", None, True),
    (f"{MV}=i-0*", None, True),
    (f"{MV}=i-0xyz", None, False),
    (f"NOT {MV}=i-0abc", None, False),
    (f"{MV} IN (x, i-0abc)", None, True),
    # unicode
    ("uni=Ünïcödé", None, True),
    ("uni=Ünï*", None, True),
    ("uni=*cödé", None, True),
    ("uni=*c?d*", None, False),
    ('f="日本*"', {"f": "日本語"}, True),
    # numbers and booleans (field values are their text)
    ("responseElements.count>4", None, True),
    ("responseElements.count>=5", None, True),
    ("responseElements.count<5", None, False),
    ("responseElements.count<=5.0", None, True),
    ("responseElements.count>-1", None, True),
    ("eventVersion>1.07", None, True),
    ("eventName>3", None, False),
    ("missing<3", None, False),
    ("NOT missing<3", None, True),
    ("n>6", {"n": 7}, True),
    ("n=7", {"n": 7}, True),
    ("n=7", {"n": 7.5}, False),
    ("n=7.5", {"n": 7.5}, True),
    ("n>100", {"n": ["5", "500"]}, True),
    ("readOnly=true", {"readOnly": True}, True),
    ("readOnly=TRUE", {"readOnly": True}, True),
    ("readOnly=false", {"readOnly": True}, False),
    ("readOnly=false", {"readOnly": "false"}, True),
    # absent, null and empty lists are all absent
    ("f=*", {"f": None}, False),
    ("f=*", {"f": []}, False),
    ("NOT f=*", {"f": [None]}, True),
    ("f=a", {"f": ["a"]}, True),
    # pipeline of searches
    ("eventName=CreateUser | search eventSource=iam*", None, True),
    ("eventName=CreateUser | search eventSource=ec2*", None, False),
    ("eventName=CreateUser|search eventSource=iam*", None, True),
]

WHERE_ROWS: list[tuple[str, dict[str, Any] | None, bool]] = [
    # case-sensitive equality; = and ==; quoted field names
    ('| where eventName="CreateUser"', None, True),
    ('| where eventName="createuser"', None, False),
    ('| where eventName=="CreateUser"', None, True),
    ('| where eventName!="CreateUser"', None, False),
    ('| where eventName!="X"', None, True),
    ("| where 'userIdentity.arn'=\"arn:aws:iam::123456789012:user/Alice\"", None, True),
    (f"| where '{MV}'=\"i-0abc\"", None, True),
    ('| where "CreateUser"=eventName', None, True),
    ('| where eventName="Create*"', None, False),  # no wildcard in eval comparisons
    ("| where eventName=eventName", None, True),  # unquoted names are fields
    ("| where eventName=eventSource", None, False),
    # precedence: parentheses > NOT > AND > OR > XOR
    ('| where eventName="X" AND eventName="Y" OR eventName="CreateUser"', None, True),
    ('| where eventName="CreateUser" OR eventName="X" AND eventName="Y"', None, True),
    ('| where (eventName="CreateUser" OR eventName="X") AND eventName="Y"', None, False),
    ('| where NOT eventName="X" AND eventName="CreateUser"', None, True),
    ('| where NOT (eventName="X" OR eventName="CreateUser")', None, False),
    ('| where eventName="CreateUser" XOR eventSource="iam.amazonaws.com"', None, False),
    ('| where eventName="CreateUser" XOR eventSource="x"', None, True),
    ('| where eventName="X" AND eventName="Y" XOR eventName="CreateUser"', None, True),
    ('| where eventName="CreateUser" OR eventName="X" XOR eventName="CreateUser"', None, False),
    # null
    ("| where isnull(missing)", None, True),
    ("| where isnotnull(eventName)", None, True),
    ("| where isnull(eventName)", None, False),
    ('| where missing="x"', None, False),
    ('| where missing!="x"', None, False),
    ("| where true()", None, True),
    ("| where false()", None, False),
    ("| where null()", None, False),
    ("| where NOT false()", None, True),
    # numbers compare numerically, strings lexicographically (case-sensitive)
    ("| where 'responseElements.count'=5", None, True),
    ("| where 'responseElements.count'>4.5", None, True),
    ("| where 'responseElements.count'<10", None, True),
    ("| where 'responseElements.count'>=-2", None, True),
    ("| where eventVersion=1.08", None, True),
    ("| where eventVersion=1.080", None, True),
    ("| where n=7", {"n": 7}, True),
    ('| where eventName<"D"', None, True),
    ('| where eventName>"c"', None, False),
    ('| where "10"<"9"', None, True),
    ("| where 10<9", None, False),
    # functions
    ("| where len(eventName)=10", None, True),
    ('| where lower(eventName)="createuser"', None, True),
    ('| where upper(eventName)="CREATEUSER"', None, True),
    ("| where tonumber('responseElements.count')=5", None, True),
    ("| where isnull(tonumber(eventName))", None, True),
    ('| where tonumber("ff", 16)=255', None, True),
    ('| where tonumber("12", 8)=10', None, True),
    ('| where isnull(tonumber("zz", 16))', None, True),
    ('| where isnull(tonumber(" 5"))', None, True),
    ("| where tostring('responseElements.count')=\"5\"", None, True),
    ('| where tostring(5)="5"', None, True),
    ("| where isnum('responseElements.count')", None, True),
    ("| where isnum(5)", None, True),
    ("| where isstr(eventName)", None, True),
    ("| where isnum(eventName)", None, False),
    ('| where isstr("x")', None, True),
    ('| where coalesce(missing, eventName)="CreateUser"', None, True),
    ('| where coalesce(missing, other)="x"', None, False),
    ('| where if(isnull(missing), "a", "b")="a"', None, True),
    ('| where if(eventName="CreateUser", true(), false())', None, True),
    ('| where match(eventName, "^Create")', None, True),
    ('| where match(eventName, "^create")', None, False),
    ('| where match(eventName, "(?i)^create")', None, True),
    ('| where match(eventName, "User$") AND NOT like(eventName, "%Delete%")', None, True),
    ('| where like(eventName, "Create%")', None, True),
    ('| where like(eventName, "CreateUse_")', None, True),
    ('| where like(eventName, "Create_")', None, False),
    ('| where like(eventName, "%")', None, True),
    ('| where like(star, "a*b")', None, True),  # * is literal in like()
    ('| where like(star, "a*")', None, False),
    ('| where like(eventName, "Create.ser")', None, False),  # . is literal in like()
    (f"| where mvcount('{MV}')=2", None, True),
    ("| where mvcount(eventName)=1", None, True),
    ("| where isnull(mvcount(missing))", None, True),
    (f"| where mvfind('{MV}', \"def$\")=1", None, True),
    (f"| where mvfind('{MV}', \"abc\")=0", None, True),
    (f"| where isnull(mvfind('{MV}', \"zzz\"))", None, True),
    ('| where mvfind(eventName, "User")=0', None, True),
    ('| where cidrmatch("203.0.113.0/24", sourceIPAddress)', None, True),
    ('| where cidrmatch("203.0.113.7/32", sourceIPAddress)', None, True),
    ('| where cidrmatch("10.0.0.0/8", sourceIPAddress)', None, False),
    ('| where cidrmatch("2001:db8::/32", ip)', {"ip": "2001:db8::1"}, True),
    ('| where cidrmatch("2001:db8::/32", ip)', {"ip": "2001:db9::1"}, False),
    ('| where cidrmatch("2001:db8::/32", sourceIPAddress)', None, False),
    ('| where cidrmatch("0.0.0.0/0", ip)', {"ip": "2001:db8::1"}, False),
    ('| where cidrmatch("10.0.0.0/8", sourceIPAddress)', {"sourceIPAddress": "ec2.amazonaws.com"}, False),
    ('| where NOT cidrmatch("10.0.0.0/8", sourceIPAddress)', {"sourceIPAddress": "ec2.amazonaws.com"}, True),
    # unicode
    ("| where len(uni)=7", None, True),
    ('| where uni="Ünïcödé"', None, True),
    ('| where lower(uni)="ünïcödé"', None, True),
    ('| where upper(uni)="ÜNÏCÖDÉ"', None, True),
    # string escapes: \\ and \" in eval strings; regexes see the un-escaped text
    ('| where path="C:\\\\Windows\\\\System32"', None, True),
    ('| where quote="say \\"hi\\""', None, True),
    ('| where match(path, "^C:\\\\\\\\Windows")', None, True),
    ('| where match(path, "\\\\\\\\System32$")', None, True),
    ('| where match(path, "^C:\\\\Windows")', None, False),  # the regex is ^C:\Windows (\W)
    ('| where match(quote, "\\"hi\\"$")', None, True),
    # search then where
    ('eventName=create* | where eventName="CreateUser"', None, True),
    ('eventName=create* | where eventName="createUser"', None, False),
    ('eventName=CreateUser | where match(eventSource, "^iam\\\\.") | search errorCode=success', None, True),
]

REGEX_ROWS: list[tuple[str, dict[str, Any] | None, bool]] = [
    ('eventName=* | regex eventName="^Create"', None, True),
    ('eventName=* | regex eventName!="^Create"', None, False),
    ('eventName=* | regex eventName="^create"', None, False),
    ('eventName=* | regex eventName="(?i)^create"', None, True),
    ('eventName=* | regex eventName="User"', None, True),  # unanchored
    ('eventName=* | regex eventName="^User"', None, False),
    ('eventName=* | regex missing="x"', None, False),
    ('eventName=* | regex path="^C:\\\\\\\\Windows"', None, True),
    ('eventName=* | regex path="^C:\\\\Windows"', None, False),
    ('eventName=* | regex path="^C:\\\\\\\\Windows\\\\\\\\System32$"', None, True),
    ('eventName=* | regex "iam\\.amazonaws"', None, True),  # the _raw field by default
    ('eventName=* | regex "ec2\\.amazonaws"', None, False),
    (f'eventName=* | regex {MV}="def$"', None, True),
    ('eventName=* | regex eventName="Create|Delete"', None, True),
    ('eventName=* | regex userIdentity.arn="user\\/Alice$"', None, True),
    ('eventName=* | regex quote="\\"hi\\""', None, True),
]

PCRE_ROWS: list[tuple[str, str, bool]] = [
    # (pattern as PCRE receives it, subject, expected): anchors, flags, escapes, classes
    ("c$", "abc\n", True),
    ("c\\z", "abc\n", False),
    ("c\\Z", "abc\n", True),
    ("c\\Z", "abc\n\n", False),
    ("\\Ac", "abc", False),
    ("\\Aa", "abc", True),
    ("^abc$", "abc\n", True),
    ("^b", "a\nb", False),
    ("(?m)^b", "a\nb", True),
    ("(?m)^$", "a\n", False),  # PCRE's ^ does not match after a final newline; Python's would
    ("(?m)^$", "a\n\nb", True),
    ("(?m)^", "", True),
    ("a.b", "a\nb", False),
    ("(?s)a.b", "a\nb", True),
    ("a$", "a\nb", False),
    ("(?m)a$", "a\nb", True),
    ("(?is)^abc$", "AbC", True),
    ("(?i)(?s)^a.c$", "A\nC", True),
    ("a.*?c", "abcbc", True),
    ("^a{3}$", "aaa", True),
    ("^a{1,2}$", "aaa", False),
    ("^a{2,}$", "aaa", True),
    ("^a{2,}?$", "aaa", True),
    ("a{b", "a{b", True),
    ("a{1,x}", "a{1,x}", True),
    ("x{", "x{", True),
    ("\\bbar\\b", "foo bar", True),
    ("\\bbar\\b", "foobar", False),
    ("\\Bbar", "foobar", True),
    ("\\d+", "a12", True),
    ("^\\D+$", "abc", True),
    ("\\s", "a b", True),
    ("^\\S+$", "a b", False),
    ("^\\w+$", "a_1", True),
    ("\\W", "a_1", False),
    ("\\xe9", "é", True),
    ("\\x{e9}", "é", True),
    ("\\x{1F600}", "😀", True),
    ("^[a\\-]+b$", "a-ab", True),
    ("[]]", "]", True),
    ("[^]a]", "]a", False),
    ("[\\]]", "]", True),
    ("[\\d.]+", "1.5", True),
    ("^[\\w-]+$", "a-b_c", True),
    ("[a-c]", "B", False),
    ("(?i)[a-c]", "B", True),
    ("a\\/b", "a/b", True),
    ("a\\.b", "axb", False),
    ("a\\\\b", "a\\b", True),
    ("\\t", "a\tb", True),
    ("\\n", "a\nb", True),
    ("a b", "a b", True),
    ("a#b", "a#b", True),
    ("^(Create|Delete)User$", "DeleteUser", True),
    ("^(?:Create|Delete)User$", "UpdateUser", False),
    ("(a|)", "", True),
    ("", "anything", True),
    ("^.$", "é", True),
    ("^..$", "😀", False),
    ("(?i)é", "É", True),
    ("[^a]", "é", True),
    ("^[à-ÿ]$", "é", True),
    ("a|b|c", "c", True),
    ("^(ab)+$", "ababab", True),
    ("^(ab)*?$", "", True),
    ("^a??b$", "b", True),
    ("\\$\\^\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|", "$^.*+?()[]{}|", True),
]

QUERY_ERRORS: list[str] = [
    "",
    "   ",
    "search",
    "| where x=1",
    "eventName",  # bare term
    "error OR eventName=x",
    '"quoted phrase"',
    "CASE(x)",
    "TERM(x)",
    "f=CASE(x)",
    "f=TERM(a.b)",
    "earliest=-24h f=a",
    "eventtype=x",
    "tag=x",
    "tag::f=x",
    "f=a XOR g=b",
    "f=a and g=b",  # lower-case operators are terms
    "f = a",
    "f= a",
    "f =a",
    "f==a",
    "f=",
    'f="a\\*b"',
    "f=a\\*",
    'f="a\\qb"',
    'f="a\\|b"',
    "f<abc",
    'f<"5"',
    "f*=a",
    "f=a,b",
    "f=it's",
    "f=[search x=1]",
    "f=`macro`",
    'f="a"b',
    "f=a(b)",
    "(f=a",
    "f=a)",
    "()",
    "f=a AND",
    "OR f=a",
    "AND f=a",
    "NOT",
    "f IN ()",
    "f IN (a b)",
    "f IN (a,)",
    'f="unterminated',
    "SEARCH f=a",
    "NOT=5",
    "f=a | stats count",
    "f=a | eval x=1",
    "f=a | WHERE x=1",
    "f=a |",
    "f=a || where x=1",
    "f=a | search",
    "f=a | where",
    "f=a | where x",
    "f=a | where x=1 y=2",
    "f=a | where x=1=1",
    "f=a | where x+1=2",
    "f=a | where -x=1",
    '| where userIdentity.arn="x"',
    'f=a | where userIdentity.arn="x"',
    'f=a | where x{}="a"',
    'f=a | where x LIKE "a%"',
    'f=a | where x IN ("a")',
    'f=a | where in(x, "a")',
    "f=a | where x=true",
    "f=a | where x=null",
    "f=a | where isnull(x)=true()",
    "f=a | where NOT x",
    "f=a | where x AND y",
    "f=a | where x=1 and y=2",
    'f=a | where x="a\\qb"',
    "f=a | where x='unterminated",
    'f=a | where if(x=1, "a", x=2)',
    'f=a | where if(x, "a", "b")="a"',
    'f=a | where lower(x=1)="a"',
    "f=a | where coalesce(x=1)",
    "f=a | where foo(x)",
    "f=a | where IsNull(x)",
    "f=a | where len()=1",
    "f=a | where len(x, y)=1",
    'f=a | where tostring(x, "hex")="a"',
    "f=a | where tonumber(x, 1)=1",
    "f=a | where tonumber(x, y)=1",
    "f=a | where like(x, y)",
    'f=a | where like(x, "a\\\\b")',
    "f=a | where match(x, y)",
    'f=a | where match(x, "a" + "b")',
    'f=a | where cidrmatch("10.0.0.1", ip)',
    'f=a | where cidrmatch("10.0.0.0/33", ip)',
    'f=a | where cidrmatch("nonsense/8", ip)',
    "f=a | where cidrmatch(c, ip)",
    "f=a | where 5abc=1",
    "f=a | regex x=abc",
    'f=a | regex x = "a"',
    'f=a | regex x="a\\|b"',
    'f=a | regex x="a" extra',
    'f=a | regex x="unterminated',
    "f=a | regex",
]

PCRE_REFUSED: list[str] = [
    "(?<=a)b",
    "(?<!a)b",
    "a(?=b)",
    "a(?!b)",
    "(a)\\1",
    "(?<n>a)",
    "(?P<n>a)",
    "(?>a)",
    "a++",
    "a*+",
    "a{2}+",
    "\\p{L}",
    "\\P{L}",
    "(?x)a b",
    "(?U)a",
    "(?-i)a",
    "a(?i)b",
    "(?i:a)",
    "[[:alpha:]]",
    "a{,2}",
    "\\Qa\\E",
    "\\Ka",
    "\\Ga",
    "\\R",
    "\\h",
    "\\v",
    "\\N",
    "\\X",
    "\\C",
    "\\cA",
    "\\0",
    "\\012",
    "\\o{12}",
    "\\g1",
    "\\k<n>",
    "\\q",
    "\\x",
    "\\xZZ",
    "\\x{110000}",
    "\\x{d800}",
    "*a",
    "a**",
    "^*",
    "(a",
    "a)",
    "[a",
    "[z-a]",
    "[\\D]",
    "[a-\\d]",
    "[\\b]",
    "a{3,2}",
    "a{70000}",
    "(?#comment)",
    "(?(1)a|b)",
    "(?|a)",
    "(*UTF)a",
    "a\\",
]


@pytest.mark.parametrize(("query", "doc", "expected"), SEARCH_ROWS + WHERE_ROWS + REGEX_ROWS)
def test_documented_behaviour(query: str, doc: dict[str, Any] | None, expected: bool) -> None:
    if query.startswith("|"):  # a where/regex row: a first search that keeps the document
        query = ("eventName" if doc is None else next(iter(doc))) + "=*" + query
    assert run1(query, EVENT if doc is None else doc) is expected


@pytest.mark.parametrize(("pattern", "subject", "expected"), PCRE_ROWS)
def test_pcre_rows(pattern: str, subject: str, expected: bool) -> None:
    assert (pcre.compile_pcre(pattern).search(subject) is not None) is expected


@pytest.mark.parametrize(("pattern", "subject", "expected"), PCRE_ROWS)
def test_pcre_rows_through_match(pattern: str, subject: str, expected: bool) -> None:
    # The same rows through where match(): SPL un-escapes \\ and \" first, so write them doubled.
    literal = pattern.replace("\\", "\\\\").replace('"', '\\"')
    assert run1(f'f=* | where match(f, "{literal}")', {"f": subject}) is expected
    assert run1(f'f=* | regex f="{literal}"', {"f": subject}) is expected


@pytest.mark.parametrize("query", QUERY_ERRORS)
def test_query_errors(query: str) -> None:
    with pytest.raises(QueryError):
        ENGINE.run(query, [EVENT])


@pytest.mark.parametrize("pattern", PCRE_REFUSED)
def test_pcre_refused(pattern: str) -> None:
    with pytest.raises(QueryError):
        pcre.translate(pattern)


def test_refusals_name_the_problem() -> None:
    with pytest.raises(QueryError, match="cannot escape the \\* wildcard"):
        ENGINE.run('f="a\\*"', [])
    with pytest.raises(QueryError, match="lookaround"):
        ENGINE.run('f=* | where match(f, "(?=a)")', [])
    with pytest.raises(QueryError, match="bare search terms"):
        ENGINE.run("error", [])
    with pytest.raises(QueryError, match="'stats' is not supported"):
        ENGINE.run("f=a | stats count", [])
    with pytest.raises(QueryError, match="concatenation"):
        ENGINE.run('f=a | where a.b="x"', [])


def test_whitespace_is_free_in_eval_expressions() -> None:
    doc = {"f": "a", "x": "ab"}
    assert ENGINE.run('f=a | where  like( x , "a%" ) AND  x != "b"', [doc]) == [True]


def test_run_answers_per_document_in_order() -> None:
    docs = [{"eventName": "CreateUser"}, {}, {"eventName": "DeleteUser"}, {"eventName": "createuser"}]
    assert ENGINE.run("eventName=CreateUser", docs) == [True, False, False, True]
    assert ENGINE.run("eventName=CreateUser", []) == []


def test_parsed_queries_are_cached() -> None:
    assert compile_query("eventName=CreateUser") is compile_query("eventName=CreateUser")


def test_target_and_engine_contract() -> None:
    assert SplEngine.target == "spl"
    with pytest.raises(TypeError):
        ENGINE.run("f=a", [{"f": {"nested": 1}}])


# --- differential check of the PCRE translation against the real PCRE2 library, where installed ----


def _load_pcre2() -> Any:
    name = ctypes.util.find_library("pcre2-8") or "libpcre2-8.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.pcre2_compile_8.restype = ctypes.c_void_p
    lib.pcre2_compile_8.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_uint32,
        ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(ctypes.c_size_t),
        ctypes.c_void_p,
    ]
    lib.pcre2_match_data_create_from_pattern_8.restype = ctypes.c_void_p
    lib.pcre2_match_data_create_from_pattern_8.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.pcre2_match_8.restype = ctypes.c_int
    lib.pcre2_match_8.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_size_t,
        ctypes.c_uint32,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    lib.pcre2_code_free_8.argtypes = [ctypes.c_void_p]
    lib.pcre2_match_data_free_8.argtypes = [ctypes.c_void_p]
    return lib


PCRE2 = _load_pcre2()
PCRE2_UTF = 0x00080000


class Pcre2CompileError(Exception):
    pass


def pcre2_search(pattern: str, subject: str) -> bool:
    err, off = ctypes.c_int(), ctypes.c_size_t()
    pat = pattern.encode()
    code = PCRE2.pcre2_compile_8(pat, len(pat), PCRE2_UTF, ctypes.byref(err), ctypes.byref(off), None)
    if not code:
        raise Pcre2CompileError(f"PCRE2 rejects {pattern!r} (error {err.value})")
    data = PCRE2.pcre2_match_data_create_from_pattern_8(code, None)
    try:
        subj = subject.encode()
        rc = PCRE2.pcre2_match_8(code, subj, len(subj), 0, 0, data, None)
    finally:
        PCRE2.pcre2_match_data_free_8(data)
        PCRE2.pcre2_code_free_8(code)
    assert rc >= -1, f"PCRE2 match error {rc}"
    return rc >= 0


SUBJECTS = [
    "",
    "a",
    "abc",
    "abc\n",
    "a\nb",
    "a\n",
    "\n",
    "a\n\nb\n",
    "a\r\nb",
    "AbC",
    "foo bar",
    "foobar",
    "x1_y",
    "é",
    "É",
    "٣",
    "\u00a0",
    "😀",
    "a-b]c",
    "C:\\Windows\\System32",
    "arn:aws:iam::123456789012:user/Alice",
    "a{1,x}",
    "ababab",
    "$^.*+?()[]{}|/",
]
DIFF_PATTERNS = [
    *sorted({p for p, _, _ in PCRE_ROWS}),
    "^a",
    "a$",
    "(?m)a$",
    "(?m)^b$",
    "(?m)$",
    "(?s).$",
    "\\Z",
    "\\z",
    "b\\Z",
    "(?m)^",
    "\\w",
    "\\W",
    "\\d",
    "\\s",
    "\\S",
    "\\b",
    "\\B",
    "(?i)\\w+é",
    "(?i)c$",
    "[\\s\\d]",
    "[^\\w]",
    "[\\x{e9}-\\x{ff}]",
    "\\\\",
    "^C:\\\\Windows\\\\",
    "user\\/Alice$",
    "^arn:aws:iam::\\d{12}:user/",
    ".",
    "(?s).",
    "^.*$",
    "(?m)^.*$",
    "a.b",
    "a\\r?$",
    "\\r",
    "\\$",
    "a{1,x}",
    "{",
    "}",
    "]",
    "\\e",
    "\\a",
    "\\f",
]


@pytest.mark.skipif(PCRE2 is None, reason="libpcre2-8 is not installed: no differential check")
@pytest.mark.parametrize("pattern", DIFF_PATTERNS)
def test_translation_agrees_with_pcre2(pattern: str) -> None:
    compiled = pcre.compile_pcre(pattern)
    for subject in SUBJECTS:
        ours = compiled.search(subject) is not None
        assert ours is pcre2_search(pattern, subject), (pattern, subject)


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    atoms = ["a", "b", "é", ".", "\\d", "\\w", "\\s", "\\W", "\\b", "\\B", "^", "$", "\\A", "\\z",
             "\\Z", "\\n", "[ab]", "[^a]", "[a-c]", "[\\d\\s]", "\\.", "\\\\", "{", "}", "x{2}",
             "\\x41", "\\x{e9}", "-", "]", " "]  # fmt: skip
    quantifiers = ["", "", "", "*", "+", "?", "*?", "+?", "{1,2}", "{2}", "{0,}", "??"]
    out = []
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.15 and depth < 2:
            inner = _random_pattern(rng, depth + 1)
            if rng.random() < 0.5:
                inner += "|" + _random_pattern(rng, depth + 1)
            atom = rng.choice(["(", "(?:"]) + inner + ")"
        else:
            atom = rng.choice(atoms)
        assertion = atom in ("^", "$", "\\A", "\\z", "\\Z", "\\b", "\\B")
        out.append(atom + ("" if assertion else rng.choice(quantifiers)))
    return "".join(out)


@pytest.mark.skipif(PCRE2 is None, reason="libpcre2-8 is not installed: no differential check")
def test_random_patterns_agree_with_pcre2() -> None:
    rng = random.Random(20240601)
    subjects = [*SUBJECTS, "aab\n\n", "\r\n", "{}", "x{2}", "ba"]
    for _ in range(400):
        pattern = rng.choice(["", "", "(?i)", "(?s)", "(?m)", "(?ms)", "(?im)"]) + _random_pattern(rng)
        try:
            compiled = pcre.compile_pcre(pattern)
        except QueryError as exc:
            # In this alphabet we refuse only possessive quantifiers (x{2}+, valid PCRE with no Python
            # equivalent here) and what PCRE2 itself rejects (a quantifier on a quantifier).
            if "possessive" not in str(exc):
                with pytest.raises(Pcre2CompileError):
                    pcre2_search(pattern, "")
            continue
        for subject in subjects:
            assert (compiled.search(subject) is not None) is pcre2_search(pattern, subject), (pattern, subject)


@pytest.mark.skipif(PCRE2 is None, reason="libpcre2-8 is not installed: no differential check")
def test_caseless_literals_agree_with_pcre2_for_every_cased_character() -> None:
    # Group code points by Python's single-character case mappings, then compare (?i)x against every
    # member of x's group: Python's re and PCRE2 differ on i/I/İ/ı, which the translation handles.
    related: dict[int, set[int]] = {}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        for mapped in (chr(cp).lower(), chr(cp).upper(), chr(cp).title(), chr(cp).casefold()):
            if len(mapped) == 1 and ord(mapped) != cp:
                related.setdefault(cp, set()).add(ord(mapped))
                related.setdefault(ord(mapped), set()).add(cp)
    related.setdefault(0x130, set()).add(0x69)  # İ lower-cases to two characters
    related[0x69].add(0x130)
    for cp, others in related.items():
        pattern = f"(?i)\\x{{{cp:x}}}"
        compiled = pcre.compile_pcre(pattern)
        for other in {cp, *others, *(o2 for o in others for o2 in related.get(o, ()))}:
            ours = compiled.search(chr(other)) is not None
            assert ours is pcre2_search(pattern, chr(other)), (pattern, hex(other))


@pytest.mark.skipif(PCRE2 is None, reason="libpcre2-8 is not installed: no differential check")
def test_caseless_classes_agree_with_pcre2() -> None:
    members = ["i", "I", "\\x{130}", "\\x{131}", "a-z", "A-Z", "\\x{100}-\\x{200}", "\\w", "\\d", "\\s",
               "\\x{212a}", "h-j", "\\x{e000}-\\x{f8ff}", "ß", "σ", "é"]  # fmt: skip
    patterns = [f"[{neg}{a}{b}]" for a in members for b in ["", *members] for neg in ("", "^")]
    patterns += ["\\w", "\\W", "\\b", "\\B", "\\bi", "i\\b", "\\wi", "k", "\\x{212a}"]
    subjects = ["i", "I", "\u0130", "\u0131", "k", "K", "\u212a", "s", "\u017f", "a", "é", "É", "1", "_", " ",
                "\ue130", "ß", "ẞ", "σ", "ς", "Σ", "xiy", "x\u0130y"]  # fmt: skip
    for flag in ("(?i)", ""):
        for body in patterns:
            pattern = flag + body
            compiled = pcre.compile_pcre(pattern)
            for subject in subjects:
                ours = compiled.search(subject) is not None
                assert ours is pcre2_search(pattern, subject), (pattern, subject)


def test_translated_regex_has_no_unicode_shorthand() -> None:
    # \d \w \s \b must never reach Python's re, whose classes are Unicode-aware.
    for pattern in ("\\d\\w\\s\\b\\B\\D\\W\\S", "[\\d\\w\\s]"):
        text, _ = pcre.translate(pattern)
        assert not re.search(r"(?<!\\)\\[dwsDWS]", text.replace("\\\\", "")), text


def test_lone_star_matches_every_event() -> None:
    from engines.spl_engine import SplEngine

    engine = SplEngine()
    assert engine.run("search * | where isnotnull(a)", [{"a": 1}, {}]) == [True, False]
    assert engine.run("*", [{"a": 1}, {}]) == [True, True]
