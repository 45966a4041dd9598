"""Sigma in, a CloudWatch Logs metric filter pattern (or its refusal) out.

The expected patterns are written from AWS's "Filter pattern syntax for metric filters" (JSON form:
``{ ($.field = "value") && ... }``, ``!=``, ``*`` at the ends of a value, ``NOT EXISTS``, ``IS NULL``,
``IS TRUE``, ``%regex%`` with its listed characters and ``\\xhh``) and the Sigma semantics of
design.md, not from the backend's output. A pattern is exact or refused: the refusal rows name the
reason's text. The differential tests run every compiled pattern on the metricfilter engine next to
the reference evaluator.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from compiler.cases import Case
from compiler.check import run_check
from compiler.driver import Compiled, compile_rule
from compiler.loader import LoadedRule, load_rules
from compiler.registry import resolve
from engines.base import QueryError
from engines.metricfilter_engine import (
    BOOLEAN_REASON,
    CASE_REASON,
    NAME_REASON,
    PRESENCE_REASON,
    MetricFilterEngine,
)
from tests.conftest import ROOT, loaded, shared_path, sigma_rule

TARGET = resolve("metricfilter")[0]
MFA = "userIdentity.sessionContext.attributes.mfaAuthenticated"


class Refused(str):
    """Expected refusal: the error must contain this text."""


def sel(**fields: Any) -> dict[str, Any]:
    return {"selection": fields, "condition": "selection"}


def compiled(detection: dict[str, Any], **extra: Any) -> Compiled:
    return compile_rule(loaded(sigma_rule(detection, **extra)), TARGET)


ROWS: list[tuple[str, dict[str, Any], str]] = [
    # --- case: exact only where the case is known -------------------------------------------------------
    ("eventName as the API names it", sel(eventName="ConsoleLogin"), '{ ($.eventName = "ConsoleLogin") }'),
    ("eventSource in lower case", sel(eventSource="iam.amazonaws.com"), '{ ($.eventSource = "iam.amazonaws.com") }'),
    ("eventName in lower case", sel(eventName="consolelogin"), Refused("CloudTrail writes eventName as the API names")),
    ("eventName in capitals", sel(eventName="CONSOLELOGIN"), Refused("CloudTrail writes eventName as the API names")),
    ("eventSource in upper case", sel(eventSource="IAM.amazonaws.com"),
     Refused("CloudTrail writes eventSource in lower case")),
    ("eventName prefix", {"selection": {"eventName|startswith": "Delete"}, "condition": "selection"},
     '{ ($.eventName = "Delete*") }'),
    ("eventName suffix", {"selection": {"eventName|endswith": "Policy"}, "condition": "selection"},
     '{ ($.eventName = "*Policy") }'),
    ("eventName fragment", {"selection": {"eventName|contains": "Bucket"}, "condition": "selection"},
     '{ ($.eventName = "*Bucket*") }'),
    ("eventName fragment in lower case", {"selection": {"eventName|endswith": "policy"}, "condition": "selection"},
     Refused("CloudTrail writes eventName as the API names")),
    ("cased", {"selection": {"userAgent|cased": "Boto3"}, "condition": "selection"}, '{ ($.userAgent = "Boto3") }'),
    ("cased contains", {"selection": {"userAgent|cased|contains": "Boto3"}, "condition": "selection"},
     '{ ($.userAgent = "*Boto3*") }'),
    ("any case elsewhere", sel(userAgent="Boto3"), Refused("match strings case-sensitively only")),
    ("case-fixed only on CloudTrail", {"selection": {"eventName": "ConsoleLogin"}, "condition": "selection"},
     Refused("case-sensitively only")),  # rendered with a non-CloudTrail log source below
    ("no letters, no case", sel(sourceIPAddress="203.0.113.7"), '{ ($.sourceIPAddress = "203.0.113.7") }'),
    ("digits below requestParameters", sel(**{"requestParameters.port": "443"}), Refused("may be a JSON array")),
    # --- values -----------------------------------------------------------------------------------------
    ("quotes and backslashes", {"selection": {"userAgent|cased": 'say "hi" C:\\x'}, "condition": "selection"},
     r'{ ($.userAgent = "say \"hi\" C:\\x") }'),
    ("unicode", {"selection": {"userAgent|cased": "zoë"}, "condition": "selection"}, '{ ($.userAgent = "zoë") }'),
    ("control character", {"selection": {"userAgent|cased": "a\nb"}, "condition": "selection"},
     Refused("control character")),
    ("inner *", sel(eventName="Delete*Policy"), Refused("only at the start or end")),
    ("? wildcard", sel(eventName="Create?ccessKey"), Refused("no single-character wildcard")),
    ("literal *", {"selection": {"userAgent|cased": "a\\*b"}, "condition": "selection"},
     Refused("no escape for a literal asterisk")),
    ("empty string", sel(userAgent=""), '{ ($.userAgent = "") }'),
    ("* also matches JSON booleans in Sigma", sel(errorCode="*"),
     '{ ($.errorCode = "*") || ($.errorCode IS TRUE) || ($.errorCode IS FALSE) }'),
    ("cased true also matches the JSON literal", {"selection": {f"{MFA}|cased": "true"}, "condition": "selection"},
     f'{{ ($.{MFA} = "true") || ($.{MFA} IS TRUE) }}'),
    ("windash expands to alternatives", {"selection": {"userAgent|windash": " -1 "}, "condition": "selection"},
     '{ ($.userAgent = " -1 ") || ($.userAgent = " /1 ") || ($.userAgent = " –1 ") || ($.userAgent = " —1 ") '
     '|| ($.userAgent = " ―1 ") }'),
    # --- readOnly and managementEvent: JSON booleans in every record CloudTrail writes ------------------
    ("boolean field", sel(readOnly=False), "{ ($.readOnly IS FALSE) }"),
    ("boolean field, the text in any case", sel(managementEvent="TRUE"), "{ ($.managementEvent IS TRUE) }"),
    ("boolean field, other text", sel(readOnly="*"), Refused("only the value true or false can match it")),
    ("boolean field negated", {"s": {"readOnly": True}, "condition": "not s"}, Refused("no IS NOT TRUE")),
    # --- existence --------------------------------------------------------------------------------------
    ("exists false", {"selection": {"errorCode|exists": False}, "condition": "selection"},
     "{ ($.errorCode NOT EXISTS) }"),
    ("not exists true", {"selection": {"errorCode|exists": True}, "condition": "not selection"},
     "{ ($.errorCode NOT EXISTS) }"),
    ("exists true", {"selection": {"errorCode|exists": True}, "condition": "selection"}, Refused("no EXISTS test")),
    ("not exists false", {"selection": {"errorCode|exists": False}, "condition": "not selection"},
     Refused("no EXISTS test")),
    ("null is absent or null", sel(**{"userIdentity.invokedBy": None}),
     "{ ($.userIdentity.invokedBy NOT EXISTS) || ($.userIdentity.invokedBy IS NULL) }"),
    ("not null", {"selection": {"userIdentity.invokedBy": None}, "condition": "not selection"},
     Refused("present and not null")),
    ("exists inside requestParameters", {"selection": {"requestParameters.bucketName|exists": False},
                                         "condition": "selection"},
     "{ ($.requestParameters.bucketName NOT EXISTS) }"),
    # --- negation pushed to the leaves -------------------------------------------------------------------
    ("not on a field every record has", {"s": {"eventSource": "s3.amazonaws.com"}, "f": {"eventName": "GetObject"},
                                         "condition": "s and not f"},
     '{ ($.eventSource = "s3.amazonaws.com") && ($.eventName != "GetObject") }'),
    ("De Morgan: not (a and b)", {"s": {"eventSource": "s3.amazonaws.com", "eventName": "GetObject"},
                                  "condition": "not s"},
     '{ ($.eventSource != "s3.amazonaws.com") || ($.eventName != "GetObject") }'),
    ("De Morgan: not (a or b)", {"s": {"eventName": ["GetObject", "PutObject"]}, "condition": "not s"},
     '{ ($.eventName != "GetObject") && ($.eventName != "PutObject") }'),
    ("not not", {"s": {"eventName": "GetObject"}, "condition": "not (not s)"}, '{ ($.eventName = "GetObject") }'),
    ("|neq", {"s": {"eventSource": "s3.amazonaws.com", "eventName|neq": "GetObject"}, "condition": "s"},
     '{ ($.eventSource = "s3.amazonaws.com") && ($.eventName != "GetObject") }'),
    ("nested or under and", {"a": {"eventSource": "s3.amazonaws.com"}, "b": {"eventName": ["GetObject", "PutObject"]},
                             "c": {"errorCode|exists": False}, "condition": "a and b and c"},
     '{ ($.eventSource = "s3.amazonaws.com") && (($.eventName = "GetObject") || ($.eventName = "PutObject")) '
     "&& ($.errorCode NOT EXISTS) }"),
    ("not on a field a record may lack", {"s": {"eventName": "GetObject"},
                                          "f": {"userIdentity.invokedBy|cased": "s3.amazonaws.com"},
                                          "condition": "s and not f"},
     Refused("!= never matches a record without userIdentity.invokedBy")),
    # --- regexes (%regex%) ------------------------------------------------------------------------------
    ("regex", {"s": {"userAgent|re": r"aws-cli/1\.[0-9]+"}, "condition": "s"},
     r"{ ($.userAgent = %aws-cli/1\.[0-9]+%) }"),
    ("regex i: both cases spelled out", {"s": {"userAgent|re|i": "kali"}, "condition": "s"},
     "{ ($.userAgent = %[kK][aA][lL][iI]%) }"),
    ("regex $ also before a final newline (PCRE)", {"s": {"userAgent|re": "Boto3$"}, "condition": "s"},
     r"{ ($.userAgent = %Boto3\x0a?$%) }"),
    ("regex ^", {"s": {"userAgent|re": "^Boto3"}, "condition": "s"}, "{ ($.userAgent = %^Boto3%) }"),
    ("regex group around all of it", {"s": {"userAgent|re": "(kali|parrot)"}, "condition": "s"},
     "{ ($.userAgent = %kali|parrot%) }"),
    ("regex classes spelled out, other symbols as \\xhh", {"s": {"userAgent|re": r"a\d\s!"}, "condition": "s"},
     r"{ ($.userAgent = %a[0-9][\x09-\x0d\x20]\x21%) }"),
    ("regex quantifiers", {"s": {"userAgent|re": "a{2,}b?c*d+e{3}f{1,2}"}, "condition": "s"},
     "{ ($.userAgent = %a{2,}b?c*d+e{3}f{1,2}%) }"),
    ("regex negated on eventName", {"s": {"eventName|re": "^Get"}, "condition": "not s"},
     "{ ($.eventName != %^Get%) }"),
    ("regex group", {"s": {"userAgent|re": "(a|b)c"}, "condition": "s"}, Refused("no parentheses")),
    ("regex anchor inside", {"s": {"userAgent|re": "a^b"}, "condition": "s"}, Refused("at its ends only")),
    ("regex multi-byte", {"s": {"userAgent|re": "zoë"}, "condition": "s"}, Refused("no multi-byte characters")),
    ("regex m with anchors", {"s": {"userAgent|re|m": "^a$"}, "condition": "s"}, Refused("with the m flag")),
    ("regex s with .", {"s": {"userAgent|re|s": "a.b"}, "condition": "s"}, Refused("with the s flag")),
    ("three regexes", {"s": {"userAgent|re": ["a", "b", "c"]}, "condition": "s"}, Refused("at most 2")),
    # --- what a metric filter cannot say ----------------------------------------------------------------
    ("number", sel(**{"tlsDetails.port": 443}), Refused("quote the value")),
    ("numeric comparison", {"s": {"tlsDetails.port|gt": 443}, "condition": "s"}, Refused("JSON numbers only")),
    ("cidr", {"s": {"sourceIPAddress|cidr": "10.0.0.0/8"}, "condition": "s"}, Refused("no network test")),
    ("boolean where CloudTrail may write text", sel(**{MFA: False}),
     Refused("IS TRUE / IS FALSE test only the JSON literal")),
    ("keywords", {"keywords": ["AKIAEXAMPLE"], "condition": "keywords"}, Refused("would need a text pattern")),
    ("fieldref", {"s": {"userIdentity.arn|fieldref": "sourceIPAddress"}, "condition": "s"},
     Refused("compares a field with constants only")),
    ("values below requestParameters", {"s": {"requestParameters.layers|cased": "*"}, "condition": "s"},
     Refused("may be a JSON array, whose elements a selector does not match")),
    ("inside an array", {"s": {"resources.ARN|cased": "x"}, "condition": "s"}, Refused("inside a JSON array")),
    ("a whole JSON object", {"s": {"requestParameters|cased": "x"}, "condition": "s"},
     Refused("names a whole JSON object")),
    ("a name no selector can hold", {"s": {"user name|cased": "x"}, "condition": "s"},
     Refused("cannot be a property selector")),
    ("longer than 1024 characters", sel(eventName=[f"DeleteThing{i:04d}" for i in range(40)]),
     Refused("at most 1024 characters")),
]


@pytest.mark.parametrize("name,detection,expected", ROWS, ids=[r[0] for r in ROWS])
def test_translation(name: str, detection: dict[str, Any], expected: str) -> None:
    extra = {"logsource": {"product": "okta", "service": "okta"}} if name == "case-fixed only on CloudTrail" else {}
    got = compiled(detection, **extra)
    if isinstance(expected, Refused):
        assert got.query is None and got.refused, f"expected a refusal, got {got.query}"
        assert expected in (got.error or ""), got.error
        assert re.fullmatch(r".+ is not supported on metricfilter: .+", got.error or "")
    else:
        assert got.error is None, got.error
        assert got.query == expected


def test_seed_pattern() -> None:
    [rule] = list(load_rules([ROOT / "sigma" / "rules" / "cloud" / "aws" / "cloudtrail"]))
    got = compile_rule(rule, TARGET)  # type: ignore[arg-type]
    # artifacts.md's own example has this shape
    assert got.query == ('{ ($.eventSource = "rds.amazonaws.com") && (($.eventName = "RestoreDBInstanceFromDBSnapshot")'
                         ' || ($.eventName = "RestoreDBInstanceFromS3")) && ($.errorCode NOT EXISTS) }')
    assert any("case-sensitively in the case CloudTrail writes them" in n for n in got.notes)


def test_notes_say_what_is_assumed() -> None:
    got = compiled({"s": {"eventSource": "s3.amazonaws.com"}, "f": {"eventName": "GetObject"},
                    "condition": "s and not f"})
    assert any("never matches a record without the field" in n and "eventName" in n for n in got.notes)
    assert compiled({"s": {"userAgent|cased": "x"}, "condition": "s"}).notes == []


def test_other_log_sources_use_field_names_as_written() -> None:
    got = compiled({"s": {"CommandLine|cased|contains": "whoami"}, "condition": "s"},
                   logsource={"product": "windows", "category": "process_creation"})
    assert got.query == '{ ($.CommandLine = "*whoami*") }'
    assert any("field names are used as written" in n for n in got.notes)
    # eventName has no known case outside CloudTrail, and no field is known to be always present
    refused = compiled({"s": {"eventName": "GetObject"}, "condition": "not s"},
                       logsource={"product": "windows", "category": "process_creation"})
    assert refused.query is None and "case-sensitively only" in (refused.error or "")


def test_alias_and_registry_entry() -> None:
    [t] = resolve("metric-filter")
    assert (t.name, t.language, t.extension) == ("metricfilter", "CloudWatch metric filter pattern", "txt")
    assert t.engine == "engines.metricfilter_engine:MetricFilterEngine"
    assert "metricfilter" in [x.name for x in resolve("all")]


# --- the engine's view: the case assumption made visible -------------------------------------------------
API = {"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromS3"}


@pytest.mark.parametrize("event,lossy", [
    ({"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromS3"}, set()),
    ({"eventSource": "RDS.amazonaws.com", "eventName": "RestoreDBInstanceFromS3"}, {"eventSource"}),
    ({"eventSource": "rds.amazonaws.com", "eventName": "restoredbinstancefroms3"}, {"eventName"}),
    ({"eventSource": "rds.amazonaws.com", "eventName": "RESTOREDBINSTANCEFROMS3"}, {"eventName"}),
    ({"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromS3 "}, {"eventName"}),
    # Lambda's versioned eventNames are not in the API models: their case is unknown, so lossy
    ({"eventSource": "lambda.amazonaws.com", "eventName": "UpdateFunctionConfiguration20150331v2"}, {"eventName"}),
    ({"eventSource": "rds.amazonaws.com", "eventName": "RebootDBCluster"}, set()),
    ({"eventSource": "neptune-graph.amazonaws.com", "eventName": "RebootDbCluster"}, set()),
    ({"eventSource": "rds.amazonaws.com"}, {"eventName"}),  # every record has both, as strings
    ({"eventSource": None, "eventName": 5}, {"eventSource", "eventName"}),
    ({**API, "readOnly": False, "managementEvent": True}, set()),
    ({**API, "readOnly": None}, set()),  # null: neither IS TRUE nor Sigma's true/false matches
    ({**API, "readOnly": "false", "managementEvent": 1}, {"readOnly", "managementEvent"}),
])
def test_view_reports_a_record_cloudtrail_would_not_write(event: dict[str, Any], lossy: set[str]) -> None:
    view = MetricFilterEngine().view(event)
    assert view.doc is event
    assert set(view.losses) == lossy
    for field, reason in view.losses.items():
        if field in ("readOnly", "managementEvent"):
            assert reason == BOOLEAN_REASON
        else:
            expected = CASE_REASON if field == "eventSource" else NAME_REASON
            assert reason == (expected if isinstance(event.get(field), str) else PRESENCE_REASON)


# --- differential: the compiled pattern on the engine, next to the reference evaluator -------------------
MISSING = object()
# No JSON arrays: the fields probed are ones CloudTrail writes as one value, never a list (see
# test_an_array_where_cloudtrail_writes_one_value); values below requestParameters are refused.
VALUES: list[Any] = [MISSING, None, "", True, False, 0, 5, 2.5, "5", "true", "false", "TRUE", {"a": 1}]


def _events(base: dict[str, Any], probes: dict[str, list[Any]]) -> list[Case]:
    cases = [Case("base", base, None, "t")]
    for field, extra in probes.items():
        for i, value in enumerate([*VALUES, *extra]):
            event = dict(base)
            head, _, rest = field.partition(".")
            if rest:  # one level of nesting is enough for these probes
                inner = dict(event.get(head) or {})
                if value is MISSING:
                    inner.pop(rest, None)
                else:
                    inner[rest] = value
                event[head] = inner
            elif value is MISSING:
                event.pop(field, None)
            else:
                event[field] = value
            cases.append(Case(f"{field} #{i}", event, None, "t"))
    return cases


BASE = {"eventVersion": "1.09", "eventTime": "2026-11-30T09:14:27Z", "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject", "awsRegion": "eu-west-1", "eventID": "e1", "eventType": "AwsApiCall",
        "userAgent": "Boto3/1.35.0", "userIdentity": {"type": "IAMUser", "invokedBy": "s3.amazonaws.com"}}
DIFFERENTIAL: list[tuple[dict[str, Any], dict[str, list[Any]]]] = [
    ({"s": {"eventSource": "s3.amazonaws.com", "eventName": ["GetObject", "PutObject"]}, "condition": "s"},
     {"eventName": ["GetObject", "getobject", "GETOBJECT", "GetObject ", "GetObjectAcl", "Get*"],
      "eventSource": ["S3.amazonaws.com", "s3.amazonaws.com\n"]}),
    ({"s": {"eventSource": "s3.amazonaws.com"}, "f": {"eventName|startswith": "Get"}, "condition": "s and not f"},
     {"eventName": ["GetObject", "PutObject", "getObject", "Get"]}),
    ({"s": {"userAgent|cased|startswith": "Boto3/"}, "condition": "s"},
     {"userAgent": ["Boto3/", "boto3/1", "Boto3/1\n", "xBoto3/"]}),
    ({"s": {"userAgent|cased": ["true", "*e"]}, "condition": "s"}, {"userAgent": ["e", "TRUE", "True"]}),
    ({"s": {"errorCode": "*"}, "condition": "s"}, {"errorCode": ["AccessDenied", "*"]}),
    ({"s": {"userIdentity.invokedBy": None}, "condition": "s"}, {"userIdentity.invokedBy": ["null"]}),
    ({"s": {"userIdentity.invokedBy|exists": True}, "condition": "not s"}, {"userIdentity.invokedBy": []}),
    ({"s": {"userAgent|re": r"^Boto3/\d+\.\d+$"}, "condition": "s"},
     {"userAgent": ["Boto3/1.35", "Boto3/1.35\n", "Boto3/1.35\n\n", "Boto3/1.35x", "boto3/1.35", "Boto3/١.35"]}),
    ({"s": {"userAgent|re|i": "k[a-c]li|^p.rrot"}, "condition": "s"},
     {"userAgent": ["KALI", "xkbli", "parrot", "p\nrrot", "xparrot", "Kdli"]}),
    ({"s": {"userAgent|re": r"^\.+!+\x28?[%\]]$"}, "condition": "s"},
     {"userAgent": ["..!%", ".!!(]", "!%", "..!%\n", "..!!((%"]}),
    ({"s": {"userAgent|re": r"\s[^a-z]!"}, "condition": "s"},
     {"userAgent": [" A!", "\tA!", "\x0bA!", " a!", " é!", "\n\n!"]}),
    ({"s": {"eventName|re": "^Get"}, "condition": "not s"}, {"eventName": ["GetObject", "PutObject", "xGet"]}),
    ({"s": {"readOnly": False}, "condition": "s"}, {"readOnly": ["False", "0", "no"]}),
    ({"s": {"sourceIPAddress": "203.0.113.*"}, "condition": "s"},
     {"sourceIPAddress": ["203.0.113.7", "203.0.113.", "203.0.113", "x203.0.113.7"]}),
]


@pytest.mark.parametrize("detection,probes", DIFFERENTIAL, ids=[str(i) for i in range(len(DIFFERENTIAL))])
def test_engine_agrees_with_the_reference(detection: dict[str, Any], probes: dict[str, list[Any]]) -> None:
    rule = loaded(sigma_rule(detection))
    cases = _events(BASE, probes)
    report = run_check([rule], {rule.id: cases}, [], [TARGET])
    [result] = report.results
    assert result.status == "agree", (result.query, result.reason)
    diverging = [(c.name, c.reference, c.target) for c in result.cases if c.status == "diverge"]
    assert diverging == [], result.query
    # only the CloudTrail facts the view reports may make a case lossy
    assert {c.reason for c in result.cases if c.status == "lossy"} <= {
        *(f"{field}: {reason}" for field in ("eventName", "eventSource")
          for reason in (CASE_REASON, NAME_REASON, PRESENCE_REASON)),
        f"readOnly: {BOOLEAN_REASON}"}


def test_an_array_where_cloudtrail_writes_one_value() -> None:
    # Sigma matches any element of an array; a selector never matches an array (AWS-FPS). Exact because
    # CloudTrail writes errorCode, userAgent, ... as one value; where it may write a list (below
    # requestParameters and the like) values are refused, and resources[] paths too.
    [query] = [compiled(sel(errorCode="*")).query]
    assert query is not None
    assert MetricFilterEngine().run(query, [{"errorCode": "x"}, {"errorCode": ["x"]}]) == [True, False]


# --- the SigmaHQ AWS rules ---------------------------------------------------------------------------------
@cache
def corpus() -> list[tuple[LoadedRule, Compiled]]:
    rules = [r for r in load_rules([shared_path("corpus", "sigmahq", "rules", "cloud", "aws")])
             if isinstance(r, LoadedRule)]
    return [(r, compile_rule(r, TARGET)) for r in rules]


def test_corpus_patterns_run_on_the_engine_or_are_refused_with_a_reason() -> None:
    engine = MetricFilterEngine()
    results = corpus()
    assert len(results) == 57
    for rule, c in results:
        if c.query is None:
            assert c.refused and re.fullmatch(r".+ is not supported on metricfilter: .+", c.error or ""), (
                f"{rule.path}: {c.error}")
            continue
        assert len(c.query) <= 1024
        try:
            engine.run(c.query, [{}])
        except QueryError as e:  # pragma: no cover - the message is the point
            pytest.fail(f"{rule.path}: the engine rejects {c.query}: {e}")


def test_corpus_counts() -> None:
    compiled_ = [c for _, c in corpus() if c.query is not None]
    # most SigmaHQ AWS rules name an API by eventSource and eventName, which CloudTrail writes in a fixed case
    assert len(compiled_) == 30
