"""The EQL executor: Elastic's eql parser plus our Elasticsearch-semantics layer.

Every expectation here comes from Elasticsearch's documented or source-level behaviour
(semantics.md B.1 and F.2, engines.md), never from a backend.
"""

from __future__ import annotations

import re

import pytest

eql = pytest.importorskip("eql", reason="Elastic's eql package is missing: pip install 'siemc[verify]'")

from eql import ast  # noqa: E402

from engines.base import QueryError  # noqa: E402
from engines.eql import assumptions  # noqa: E402
from engines.eql.lucene_regex import (  # noqa: E402
    LuceneRegexError,
    LuceneRegexUnsupported,
    compile_lucene_regex,
)
from engines.eql.parse import PREDICATE_PREFIX, OptionalField, parse_es_eql  # noqa: E402
from engines.eql_engine import EqlEngine  # noqa: E402

TYPES = {
    "event.action": "keyword",
    "event.category": "keyword",
    "event.provider": "keyword",
    "user.name": "keyword",
    "tags": "keyword",
    "aws.cloudtrail.resources.arn": "keyword",
    "aws.cloudtrail.request_parameters": "keyword",
    "aws.cloudtrail.read_only": "boolean",
    "aws.cloudtrail.flattened.request_parameters": "flattened",
    "source.ip": "ip",
    "source.address": "keyword",
    "source.port": "long",
    "message": "text",
    "@timestamp": "date",
    "event.dataset": "constant_keyword",
}


@pytest.fixture(scope="module")
def engine() -> EqlEngine:
    return EqlEngine(TYPES, ignore_above={"aws.cloudtrail.request_parameters": 10})


def one(engine: EqlEngine, query: str, doc: dict) -> bool:
    return engine.run(query, [doc])[0]


def action(value: object) -> dict:
    return {"event": {"action": value}}


# (query, document, expected): Elasticsearch's answer for that document.
BEHAVIOUR = [
    # == / != / in: case-sensitive, no wildcards
    ('any where event.action == "CreateUser"', action("CreateUser"), True),
    ('any where event.action == "createuser"', action("CreateUser"), False),
    ('any where event.action == "Create*"', action("CreateUser"), False),
    ('any where event.action == "Create*"', action("Create*"), True),
    ('any where event.action != "CreateUser"', action("createuser"), True),
    ('any where event.action in ("x", "CreateUser")', action("CreateUser"), True),
    ('any where event.action in ("x", "createuser")', action("CreateUser"), False),
    ('any where event.action in ("Create*")', action("CreateUser"), False),
    ('any where event.action not in ("x", "CreateUser")', action("CreateUser"), False),
    # in~: insensitive, still no wildcards (#68172)
    ('any where event.action in~ ("createuser")', action("CreateUser"), True),
    ('any where event.action in~ ("create*")', action("CreateUser"), False),
    ('any where event.action not in~ ("CREATEUSER")', action("CreateUser"), False),
    # `:` insensitive, `*` and `?` wildcards, whole value
    ('any where event.action : "createuser"', action("CreateUser"), True),
    ('any where event.action : "create*"', action("CreateUser"), True),
    ('any where event.action : "create"', action("CreateUser"), False),
    ('any where event.action : "c?eateuser"', action("CreateUser"), True),
    ('any where event.action : "c?reateuser"', action("CreateUser"), False),
    ('any where event.action : ("x", "*USER")', action("CreateUser"), True),
    # a backslash does not escape a wildcard: "a\\*" is a literal backslash then a wildcard
    ('any where event.action : "a\\\\*"', action("a\\bc"), True),
    ('any where event.action : "a\\\\*"', action("a*"), False),
    ('any where event.action : "*"', action(""), True),
    # like sensitive, like~ insensitive
    ('any where event.action like "create*"', action("CreateUser"), False),
    ('any where event.action like "Create*"', action("CreateUser"), True),
    ('any where event.action like~ "create*"', action("CreateUser"), True),
    ('any where event.action like "Creat?User"', action("CreateUser"), True),
    # regex: Lucene, whole value, sensitive; regex~ insensitive
    ('any where event.action regex "Create"', action("CreateUser"), False),
    ('any where event.action regex "Create.*"', action("CreateUser"), True),
    ('any where event.action regex ".*User"', action("CreateUser"), True),
    ('any where event.action regex "create.*"', action("CreateUser"), False),
    ('any where event.action regex~ "create.*"', action("CreateUser"), True),
    ('any where event.action regex~ "[a-z]+"', action("CreateUser"), False),  # ranges stay cased
    ('any where event.action regex~ "[c]reateuser"', action("CreateUser"), True),  # single chars fold
    ('any where event.action regex "^Create.*"', action("CreateUser"), False),  # ^ is a literal
    ('any where event.action regex "^Create.*"', action("^CreateUser"), True),
    ('any where event.action regex "a.b"', action("a\nb"), True),  # . matches a newline
    ('any where event.action regex ("x", "Create.*")', action("CreateUser"), True),
    ('any where event.action regex "u@x"', action("uabcx"), True),  # @ is "any string" under ALL
    ('any where event.action regex "u\\\\@x"', action("uabcx"), False),
    ('any where event.action regex "u\\\\@x"', action("u@x"), True),
    ('any where event.action regex "u@"', action("uANYTHING"), True),
    ('any where event.action regex "\\"a.b\\""', action("a.b"), True),  # "..." quotes a literal
    ('any where event.action regex "\\"a.b\\""', action("axb"), False),
    ('any where event.action regex "port<1-100>"', action("port42"), True),
    ('any where event.action regex "port<1-100>"', action("port101"), False),
    ('any where event.action regex "port<01-10>"', action("port07"), True),
    ('any where event.action regex "port<01-10>"', action("port7"), False),
    ('any where event.action regex "a#|b"', action("b"), True),  # # is the empty language
    ('any where event.action regex "\\\\d+"', action("123"), True),
    ('any where event.action regex "\\\\d+"', action("١٢٣"), False),  # \d is ASCII in Lucene
    ('any where event.action regex "a\\\\sb"', action("a\u00a0b"), False),  # \s is [ \t\n\r]
    # multi-valued fields: any value; `not` excludes the document if any value matches
    ('any where tags == "b"', {"tags": ["a", "b"]}, True),
    ('any where not tags == "b"', {"tags": ["a", "b"]}, False),
    ('any where tags != "b"', {"tags": ["a", "b"]}, False),
    ('any where tags : "A"', {"tags": ["a", "b"]}, True),
    ('any where aws.cloudtrail.resources.arn : "arn:*:role/x"',
     {"aws": {"cloudtrail": {"resources": [{"arn": "arn:1:user/y"}, {"arn": "arn:1:role/x"}]}}}, True),
    ('any where not aws.cloudtrail.resources.arn : "arn:*:role/x"',
     {"aws": {"cloudtrail": {"resources": [{"arn": "arn:1:user/y"}, {"arn": "arn:1:role/x"}]}}}, False),
    ('any where source.port > 1000', {"source": {"port": [22, 8080]}}, True),
    ('any where not source.port > 1000', {"source": {"port": [22, 8080]}}, True),  # becomes <= 1000
    # missing fields: a predicate is false, its `not` (must_not) is true
    ('any where event.action : "x"', {}, False),
    ('any where not event.action : "x"', {}, True),
    ('any where event.action != "x"', {}, True),
    ('any where not event.action in ("x")', {}, True),
    ('any where not event.action regex "x"', {}, True),
    ('any where not (event.action : "x" and user.name : "y")', {"user": {"name": "y"}}, True),
    ('any where source.port < 5', {}, False),
    ('any where not source.port < 5', {}, False),  # range negation flips: still needs a value
    ('any where not (source.port < 5 or event.action == "x")', {}, False),
    # null checks: absent, null and [] are all null
    ('any where ?user.name == null', {}, True),
    ('any where user.name == null', {"user": {"name": None}}, True),
    ('any where user.name == null', {"user": {"name": []}}, True),
    ('any where user.name != null', {"user": {"name": ""}}, True),  # "" is a value
    ('any where user.name != null', {"user": {"name": "bob"}}, True),
    ('any where not user.name == null', {"user": {"name": "bob"}}, True),
    # optional fields missing from the mapping read as null
    ('any where ?x.unmapped == null', {"x": {"unmapped": "x"}}, True),
    ('any where ?x.unmapped != null', {"x": {"unmapped": "x"}}, False),
    ('any where ?x.unmapped == "x"', {"x": {"unmapped": "x"}}, False),
    ('any where not ?x.unmapped == "x"', {}, False),
    ('any where ?x.unmapped == "x" or event.action == "a"', action("a"), True),
    # JSON numbers and booleans in a keyword field are indexed as text
    ('any where event.action == "5"', action(5), True),
    ('any where event.action : "TRUE"', action(True), True),
    # ignore_above: a longer value is stored but not indexed
    ('any where aws.cloudtrail.request_parameters : "*"', {"aws": {"cloudtrail": {"request_parameters": "x" * 11}}},
     False),
    ('any where aws.cloudtrail.request_parameters == null',
     {"aws": {"cloudtrail": {"request_parameters": "x" * 11}}}, True),
    # dotted keys in _source are the same field
    ('any where event.action == "a"', {"event.action": "a"}, True),
    # typed fields
    ('any where aws.cloudtrail.read_only == true', {"aws": {"cloudtrail": {"read_only": True}}}, True),
    ('any where aws.cloudtrail.read_only == false', {"aws": {"cloudtrail": {"read_only": "false"}}}, True),
    ('any where source.port == 443', {"source": {"port": "443"}}, True),
    ('any where source.port >= 443', {"source": {"port": 443}}, True),
    ('any where source.ip == "10.0.0.1"', {"source": {"ip": "10.0.0.1"}}, True),
    ('any where source.ip == "::ffff:10.0.0.1"', {"source": {"ip": "10.0.0.1"}}, True),
    ('any where event.action < "b"', action("a"), True),
    ('any where event.action < "b"', action("B"), True),  # code point order: "B" < "b"
    # cidrMatch: IPv4 and IPv6, ip fields only; a host name has no source.ip
    ('any where cidrMatch(source.ip, "10.0.0.0/8")', {"source": {"ip": "10.1.2.3"}}, True),
    ('any where cidrMatch(source.ip, "10.0.0.0/8", "2001:db8::/32")', {"source": {"ip": "2001:db8::1"}}, True),
    ('any where cidrMatch(source.ip, "10.0.0.0/8")', {"source": {"address": "ec2.amazonaws.com"}}, False),
    ('any where not cidrMatch(source.ip, "10.0.0.0/8")', {"source": {"address": "ec2.amazonaws.com"}}, True),
    ('any where not cidrMatch(source.ip, "10.0.0.0/8")', {"source": {"ip": "10.9.9.9"}}, False),
    # string functions: pushed down as prefix / wildcard queries
    ('any where startsWith(event.action, "Create")', action("CreateUser"), True),
    ('any where startsWith(event.action, "create")', action("CreateUser"), False),
    ('any where startsWith~(event.action, "create")', action("CreateUser"), True),
    ('any where startsWith(event.action, "C*")', action("CreateUser"), False),  # prefix is literal
    ('any where endsWith(event.action, "User")', action("CreateUser"), True),
    ('any where endsWith~(event.action, "USER")', action("CreateUser"), True),
    ('any where stringContains(event.action, "teU")', action("CreateUser"), True),
    ('any where stringContains~(event.action, "TEU")', action("CreateUser"), True),
    ('any where stringContains(event.action, "a*U")', action("CreateUser"), True),  # unescaped wildcard
    ('any where not startsWith(event.action, "x")', {}, True),
    # event categories: `any` matches everything; a named one needs it in event.category
    ('any where true', {}, True),
    ('iam where true', {"event": {"category": ["iam"]}}, True),
    ('iam where true', {"event": {"category": "authentication"}}, False),
    ('iam where true', {}, False),
    ('any where false', {}, False),
]


@pytest.mark.parametrize(("query", "doc", "expected"), BEHAVIOUR, ids=[f"{i}:{q}" for i, (q, _, _) in
                                                                         enumerate(BEHAVIOUR)])
def test_documented_behaviour(engine: EqlEngine, query: str, doc: dict, expected: bool) -> None:
    assert one(engine, query, doc) is expected


# The 17 cases engines.md measured (stock eql PythonEngine got 8 right): case rules per operator,
# wildcards, regex whole-value, insensitive variants.
DOC = action("Explorer.EXE")
ENGINES_MD_CASES = [
    ('any where event.action == "Explorer.EXE"', True),
    ('any where event.action == "explorer.exe"', False),
    ('any where event.action != "explorer.exe"', True),
    ('any where event.action : "explorer.exe"', True),
    ('any where event.action : "explorer.*"', True),
    ('any where event.action : "explorer.ex?"', True),
    ('any where event.action like "explorer.*"', False),
    ('any where event.action like~ "explorer.*"', True),
    ('any where event.action like "Explorer.?XE"', True),
    ('any where event.action in ("explorer.exe")', False),
    ('any where event.action in~ ("explorer.exe")', True),
    ('any where event.action in~ ("explorer*")', False),
    ('any where event.action regex "Explorer"', False),
    ('any where event.action regex "Explorer.*"', True),
    ('any where event.action regex "explorer.*"', False),
    ('any where event.action regex~ "explorer.*"', True),
    ('any where event.action : "*plorer*"', True),
]


@pytest.mark.parametrize(("query", "expected"), ENGINES_MD_CASES)
def test_engines_md_cases(engine: EqlEngine, query: str, expected: bool) -> None:
    assert one(engine, query, DOC) is expected


REJECTED = [
    ('any where nothere == "x"', "Unknown column"),
    ('any where aws.cloudtrail.flattened.request_parameters.userName == "x"', "101985"),
    ('any where aws.cloudtrail.flattened.request_parameters != null', "101985"),
    ('any where message : "x"', "text"),
    ('any where source.ip : "10.*"', "type [ip]"),
    ('any where source.ip like "10.*"', "type [ip]"),
    ('any where source.ip regex "10.*"', "type [ip]"),
    ('any where aws.cloudtrail.read_only : "true"', "type [boolean]"),
    ('any where source.port : "5"', "type [long]"),
    ('any where startsWith(source.ip, "10.")', "type [ip]"),
    ('any where cidrMatch(source.address, "10.0.0.0/8")', "type [ip]"),
    ('any where cidrMatch(source.ip, "10.0.0.0/33")', "cidrMatch"),  # the eql parser checks CIDRs too
    ('any where cidrMatch(source.ip, "::ffff:0:0/96")', "IPv4-mapped"),
    ('any where source.ip == "not-an-ip"', "not an IP"),
    ('any where event.action == 5', "cannot compare"),
    ('any where source.port == "5"', "cannot compare"),
    ('any where aws.cloudtrail.read_only == "true"', "cannot compare"),
    ('any where `@timestamp` > "2024-01-01"', "not modelled"),
    ('any where aws.cloudtrail == "x"', "object"),
    ('any where event.action regex "a~b"', "complement"),
    ('any where event.action regex "a&b"', "intersection"),
    ('any where event.action regex "<name>"', "not found"),
    ('any where event.action regex "a[b"', "invalid Lucene regexp"),
    ('any where event.action regex "\\\\n"', "invalid character class"),
    ('any where length(event.action) > 3', "length"),
    ('any where event.action : "a" | head 1', "pipes"),
    ("sequence [any where true] [any where true]", "sequence"),
    ('any where event.action = "x"', "syntax"),
    ("any where event.action == 'x'", "syntax"),
    ("any where event.action == user.name", "syntax"),
    ("", "empty"),
]


@pytest.mark.parametrize(("query", "reason"), REJECTED)
def test_query_errors(engine: EqlEngine, query: str, reason: str) -> None:
    with pytest.raises(QueryError, match=re.escape(reason)):
        engine.run(query, [{}])


def test_tilde_recovered_from_the_parse_tree() -> None:
    """The eql AST alone cannot tell like from like~; the walker labels each predicate."""
    parsed = parse_es_eql(
        'any where a like "x" and b like~ "x" and c regex "x" and d regex~ "x" and e : "x" and f in~ ("x") '
        'and g in ("x") and startsWith~(h, "x") and startsWith(i, "x") and ?j == null'
    )
    terms = parsed.condition.terms
    names = [t.name if isinstance(t, ast.FunctionCall) else type(t).__name__ for t in terms]
    prefix = PREDICATE_PREFIX
    assert names == [prefix + "like", prefix + "like~", prefix + "regex", prefix + "regex~", prefix + ":",
                     prefix + "in~", "InSet", "startsWith~", "startsWith", "IsNull"]
    assert isinstance(terms[-1].expr, OptionalField)
    assert not isinstance(terms[0].arguments[0], OptionalField)


def test_stock_parser_drops_tilde() -> None:
    """Why the walker exists: the package's own AST is identical for like and like~."""
    with eql.parser.elasticsearch_syntax, eql.parser.ignore_missing_functions:
        sensitive = eql.parse_query('any where a like "x"')
        insensitive = eql.parse_query('any where a like~ "x"')
    assert sensitive == insensitive


# -- the named assumptions (engines/eql/assumptions.py) --

def test_assumption_case_folding_is_ascii(engine: EqlEngine) -> None:
    assert assumptions.CASE_FOLDING == "ascii"
    assert one(engine, 'any where event.action : "é"', action("É")) is False
    assert one(engine, 'any where event.action : "e"', action("E")) is True
    assert one(engine, 'any where event.action regex~ "é"', action("É")) is False


def test_assumption_string_functions_pushed_down(engine: EqlEngine) -> None:
    assert assumptions.STRING_FUNCTIONS_PUSHED_DOWN is True
    assert one(engine, 'any where not endsWith~(event.action, "x")', {}) is True


def test_assumption_malformed_values_are_ignored(engine: EqlEngine) -> None:
    assert assumptions.MALFORMED_VALUES_IGNORED is True
    bad_boolean = {"aws": {"cloudtrail": {"read_only": "FALSE"}}, "event": {"action": "a"}}
    assert one(engine, "any where aws.cloudtrail.read_only == false", bad_boolean) is False
    assert one(engine, "any where aws.cloudtrail.read_only == null", bad_boolean) is True
    assert one(engine, 'any where event.action == "a"', bad_boolean) is True  # the document is kept
    assert one(engine, 'any where not cidrMatch(source.ip, "10.0.0.0/8")', {"source": {"ip": "x.y"}}) is True


def test_assumption_range_negation_flips(engine: EqlEngine) -> None:
    assert assumptions.RANGE_NEGATION_FLIPS is True
    assert one(engine, "any where not source.port > 5", {}) is False


# -- Lucene regexp translation --

LUCENE = [
    # (pattern, insensitive, matches, does not match)
    ("abc", False, ["abc"], ["ab", "abcd", "ABC"]),
    ("a|b", False, ["a", "b"], ["ab", ""]),
    ("a+", False, ["a", "aaa"], [""]),
    ("a{2,3}", False, ["aa", "aaa"], ["a", "aaaa"]),
    ("a{2}", False, ["aa"], ["a", "aaa"]),
    ("a{2,}", False, ["aa", "aaaaa"], ["a"]),
    ("a{3,2}", False, [], ["", "aa", "aaa"]),
    ("a+?", False, ["", "a", "aa"], ["b"]),  # not lazy: optional of a+
    ("[^a]", False, ["b", "\n"], ["a", ""]),
    ("[a-c]+", True, ["abc"], ["ABC"]),
    ("[ab]", True, ["A", "b"], ["c"]),
    ("[^a]", True, ["b"], ["a", "A"]),
    ('"a"b', True, ["AB", "ab"], ["a"]),
    ("()", False, [""], ["a"]),
    ("*a", False, ["*a"], ["a", "xa"]),  # a leading star is literal
    ("a]}", False, ["a]}"], []),
    ("$^", False, ["$^"], [""]),
    ("\\w+", False, ["a_Z9"], ["é", "a-b"]),
    ("\\W", False, ["-"], ["a"]),
    ("\\S+", False, ["a\u00a0"], ["a b"]),
    ("[\\d.]+", False, ["1.2"], ["a"]),
    ("[\\\\-a]+", False, ["\\-a"], ["b"]),  # "\\" then "-" then "a": no range
    ("\\.", False, ["."], ["a"]),
    ("\\1", False, ["1"], []),
    ("@", False, ["", "anything\n"], []),
    ("#", False, [], ["", "a"]),
    ("<7-11>", False, ["7", "11", "007", "0010"], ["6", "12", "", "1"]),
    ("<11-7>", False, ["9"], ["12"]),  # bounds are swapped
    ("<005-120>", False, ["005", "120", "099"], ["5", "0120", "121"]),
    ("x<1-3>y", False, ["x2y"], ["x4y"]),
    ("a.b", False, ["a\nb", "a\u2028b"], ["ab"]),
]


@pytest.mark.parametrize(("pattern", "insensitive", "good", "bad"), LUCENE)
def test_lucene_regexp(pattern: str, insensitive: bool, good: list[str], bad: list[str]) -> None:
    compiled = compile_lucene_regex(pattern, case_insensitive=insensitive)
    for text in good:
        assert compiled.fullmatch(text), (pattern, text)
    for text in bad:
        assert not compiled.fullmatch(text), (pattern, text)


@pytest.mark.parametrize(("low", "high"), [(7, 123), (5, 10), (95, 1234), (1, 100), (9, 1000)])
def test_lucene_variable_interval_brute_force(low: int, high: int) -> None:
    """Bounds of different lengths: any number of leading zeros."""
    compiled = compile_lucene_regex(f"<{low}-{high}>")
    for n in range(0, 1300):
        for text in (str(n), "0" + str(n), "00" + str(n)):
            assert bool(compiled.fullmatch(text)) == (low <= n <= high), text


@pytest.mark.parametrize(("low", "high"), [("0017", "0250"), ("1", "9"), ("300", "300"), ("00", "99"), ("0", "5")])
def test_lucene_fixed_interval_brute_force(low: str, high: str) -> None:
    """Bounds of the same length: exactly that many digits, zero-padded."""
    compiled = compile_lucene_regex(f"<{low}-{high}>")
    width = len(low)
    for n in range(0, 1300):
        for text in (str(n), f"{n:0{width}d}", "0" + f"{n:0{width}d}"):
            expected = len(text) == width and int(low) <= n <= int(high)
            assert bool(compiled.fullmatch(text)) == expected, text


@pytest.mark.parametrize(
    ("pattern", "error"),
    [("a~b", LuceneRegexUnsupported), ("a&b", LuceneRegexUnsupported), ("<0-10>", LuceneRegexUnsupported),
     ("<+1-5>", LuceneRegexUnsupported), ("<x>", LuceneRegexError), ("(a", LuceneRegexError),
     ("a)", LuceneRegexError), ("[b-a]", LuceneRegexError), ('"abc', LuceneRegexError), ("a{,2}", LuceneRegexError),
     ("\\", LuceneRegexError), ("\\e", LuceneRegexError), ("[]", LuceneRegexError), ("<1-2-3>", LuceneRegexError)],
)
def test_lucene_regexp_errors(pattern: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        compile_lucene_regex(pattern)


# -- cross-check with Elastic's stock PythonEngine, where its semantics coincide with Elasticsearch's --

def _stock(query: str, docs: list[dict]) -> list[bool]:
    with eql.parser.elasticsearch_syntax, eql.parser.ignore_missing_functions:
        parsed = eql.parse_query(query)
    stock = eql.PythonEngine()
    hits: list[int] = []
    stock.add_query(parsed)
    stock.add_output_hook(lambda out: hits.extend(e.data["_i"] for e in out.events))
    stock.stream_events([eql.Event("any", 0, {**d, "_i": i}) for i, d in enumerate(docs)])
    return [i in hits for i in range(len(docs))]


# Single values, every field present, cases that differ in letters not only in case, regexes
# whose prefix match equals their whole match: here both engines must agree.
CROSS_DOCS = [
    {"event": {"action": "CreateUser", "provider": "iam.amazonaws.com"}, "user": {"name": "alice"}},
    {"event": {"action": "DeleteUser", "provider": "iam.amazonaws.com"}, "user": {"name": "bob"}},
    {"event": {"action": "RunInstances", "provider": "ec2.amazonaws.com"}, "user": {"name": "carol"}},
]
CROSS_QUERIES = [
    'any where event.action == "CreateUser"',
    'any where event.action != "CreateUser"',
    'any where event.action : "createuser"',
    'any where event.action : "*user"',
    'any where event.action : ("run*", "delete*")',
    'any where event.action like "Create*"',
    'any where event.action in ("CreateUser", "RunInstances")',
    'any where event.action regex "Delete.*"',
    'any where event.provider : "iam.*" and not user.name : "bob"',
    'any where event.provider == "ec2.amazonaws.com" or user.name in ("alice")',
    'any where ?user.name != null',
    'any where not (event.action : "*user" and user.name == "alice")',
]


@pytest.mark.parametrize("query", CROSS_QUERIES)
def test_cross_check_with_stock_engine(engine: EqlEngine, query: str) -> None:
    assert engine.run(query, CROSS_DOCS) == _stock(query, CROSS_DOCS)


def test_default_mapping_is_the_elastic_view() -> None:
    views = pytest.importorskip("engines.views.elastic")
    default = EqlEngine()
    doc = views.elastic_view({"eventSource": "iam.amazonaws.com", "eventName": "CreateUser",
                              "eventTime": "2024-01-01T00:00:00Z"}).doc
    query = 'any where event.action : "createuser" and event.provider == "iam.amazonaws.com"'
    assert default.run(query, [doc]) == [True]


def test_compiled_queries_are_cached(engine: EqlEngine) -> None:
    assert engine.compile('any where event.action == "x"') is engine.compile('any where event.action == "x"')
