"""Elastic view: Elastic's own pipeline test fixtures, then the pipeline's rules one at a time."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from engines.base import View
from engines.views.elastic import (
    CATEGORIZED_ACTIONS,
    ELASTIC_FIELD_TYPES,
    FLATTENED_MAX_CHARS,
    NOT_STORED,
    elastic_view,
    java_hashmap_order,
    java_text,
)
from engines.views.registry import VIEWS

# CI clones main into another folder with shared/ beside the clone: <clone>/../shared.
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus" / "elastic-cloudtrail-pipeline"
FIXTURES = sorted(CORPUS.glob("test-*.log")) if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"fixture corpus not found at {CORPUS}")

# Fields of the expected documents the view deliberately does not model (prefix -> reason).
ENTITY = "entity mapping, produced only with the actor_target_mapping tag; not used by detection rules"
NOT_MODELLED: dict[str, str] = {
    "event.original": "the raw line itself, kept only with the preserve_original_event tag",
    "event.created": "the agent's read time, fixed by the test harness (test-common-config.yml)",
    "tags": "set by the test configuration (preserve_original_event, actor_target_mapping)",
    "source.geo.": "GeoIP enrichment from MaxMind databases, not derivable from the record",
    "source.as.": "GeoIP ASN enrichment from MaxMind databases, not derivable from the record",
    "user_agent.name": "parsed by Elasticsearch's user_agent processor (uap-core regexes)",
    "user_agent.version": "parsed by Elasticsearch's user_agent processor (uap-core regexes)",
    "user_agent.os.": "parsed by Elasticsearch's user_agent processor (uap-core regexes)",
    "user_agent.device.": "parsed by Elasticsearch's user_agent processor (uap-core regexes)",
    "related.entity": ENTITY,
    "actor.": ENTITY,
    "target.": ENTITY,
    "user.entity.": ENTITY,
    "user.target.entity.": ENTITY,
    "host.": ENTITY,
    "entity.": ENTITY,
    "service.": ENTITY + " (service.name comes from an older entity-mapping revision)",
}
# Fields the view has and the fixtures cannot show.
VIEW_ONLY: dict[str, str] = {
    "event.dataset": "constant_keyword of the data stream mapping (base-fields.yml), not set by the pipeline",
    "event.module": "constant_keyword of the data stream mapping (base-fields.yml), not set by the pipeline",
}
# Expected files produced by an older pipeline revision than the one modelled (7d5030ab).
OLDER_REVISION: dict[str, tuple[str, frozenset[str]]] = {
    "test-create-db-instance-json.log": (
        "expected file from commit d6bf98bb, before the pipeline set cloud.provider, cloud.service.name, "
        "related.ip and the IAM Identity Center user fields",
        frozenset({
            "cloud.provider", "cloud.service.name", "related.ip", "related.user", "user.id",
            "aws.cloudtrail.user_identity.credential_id",
            "aws.cloudtrail.user_identity.on_behalf_of.identity_store_arn",
            "aws.cloudtrail.user_identity.on_behalf_of.user_id",
        }),
    ),
}
BLANK_LINE_TIMESTAMP = "@timestamp of a blank input line is the agent's read time: there is no eventTime"
# Painless Map.toString() text: compared as parsed structures (key order is Java HashMap order;
# test_map_text_matches_java_hashmap_order checks the exact text separately).
MAP_KEY = re.compile(r"[^=,{}\[\]]+=")
MAP_TEXT_FIELDS = frozenset(
    f"aws.cloudtrail.{name}"
    for name in ("request_parameters", "response_elements", "additional_eventdata", "service_event_details")
)


def flatten(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted paths to values; flattened-typed fields and lists stay whole."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        path = prefix + key
        if isinstance(value, dict) and ELASTIC_FIELD_TYPES.get(path) != "flattened":
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def parse_map_text(text: str) -> Any:
    """Java ``Map.toString()`` text back into dicts/lists/strings, for an order-free comparison.

    Ambiguous in general: inside a map, ", " counts as a separator only when a ``key=`` follows
    (CloudTrail values such as "Oct 8, 2024, 4:15:32 PM" hold ", "); inside a list it always does.
    """
    pos = 0

    def scalar(in_map: bool) -> str:
        nonlocal pos
        start = pos
        while pos < len(text) and text[pos] not in "}]":
            if text.startswith(", ", pos) and (not in_map or MAP_KEY.match(text, pos + 2)):
                break
            pos += 1
        return text[start:pos]

    def value(in_map: bool) -> Any:
        nonlocal pos
        opener = text[pos] if pos < len(text) else ""
        if not opener or opener not in "{[":
            return scalar(in_map)
        pos += 1
        closer = "}" if opener == "{" else "]"
        out: Any = {} if opener == "{" else []
        while not text.startswith(closer, pos):
            if opener == "{":
                eq = text.index("=", pos)
                key, pos = text[pos:eq], eq + 1
                out[key] = value(True)
            else:
                out.append(value(False))
            if text.startswith(", ", pos):
                pos += 2
        pos += 1
        return out

    parsed = value(False)
    assert pos == len(text), f"unparsed tail in {text!r}"
    return parsed


def skipped(path: str, extra: frozenset[str]) -> bool:
    return path in extra or path in VIEW_ONLY or any(path.startswith(p) for p in NOT_MODELLED)


def fixture_pairs(log: Path) -> list[tuple[str, dict[str, Any]]]:
    """(input line, expected document) pairs; elastic-package turns a blank line into a document too."""
    lines = log.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    expected = json.loads(log.with_name(log.name + "-expected.json").read_text(encoding="utf-8"))["expected"]
    assert len(lines) == len(expected), f"{log.name}: {len(lines)} lines, {len(expected)} documents"
    return list(zip(lines, expected))


def test_not_modelled_reasons_are_stated() -> None:
    for table in (NOT_MODELLED, VIEW_ONLY):
        assert all(reason.strip() for reason in table.values())


@needs_corpus
def test_corpus_has_the_seed_apis() -> None:
    names = {log.name for log in FIXTURES}
    assert "test-restore-db-instnace-from-s3-json.log" in names
    assert "test-restore-db-instnace-from-snapshot-json.log" in names
    assert len(FIXTURES) == 24


@needs_corpus
@pytest.mark.parametrize("log", FIXTURES, ids=lambda p: p.name)
def test_reproduces_elastic_fixture(log: Path) -> None:
    reason, older = OLDER_REVISION.get(log.name, ("", frozenset()))
    for line, expected in fixture_pairs(log):
        if line.strip():
            assert expected["event"]["original"] == line, "fixture lines and documents out of step"
            view = elastic_view(json.loads(line))
            extra = older
        else:
            assert "original" not in expected.get("event", {})
            view = elastic_view({})
            extra = older | {"@timestamp"}
        got, want = flatten(view.doc), flatten(expected)
        for path in sorted(set(got) | set(want)):
            if skipped(path, extra):
                continue
            if path in MAP_TEXT_FIELDS and path in got and path in want:
                assert parse_map_text(got[path]) == parse_map_text(want[path]), path
            else:
                assert got.get(path) == want.get(path), f"{log.name}: {path}"
        for path in VIEW_ONLY:
            assert path in got
    if reason:
        # The exemption must still be needed, or it hides nothing and should go.
        line = next(line for line, _ in fixture_pairs(log) if line.strip())
        expected = next(doc for line, doc in fixture_pairs(log) if line.strip())
        got, want = flatten(elastic_view(json.loads(line)).doc), flatten(expected)
        assert any(got.get(path) != want.get(path) for path in older), reason


@needs_corpus
def test_map_text_matches_java_hashmap_order() -> None:
    """Beyond the order-free check: the exact text, i.e. the simulated Java HashMap iteration order."""
    compared = 0
    for log in FIXTURES:
        for line, expected in fixture_pairs(log):
            if not line.strip():
                continue
            got = flatten(elastic_view(json.loads(line)).doc)
            for path in MAP_TEXT_FIELDS & set(flatten(expected)):
                assert got[path] == flatten(expected)[path], f"{log.name}: {path}"
                compared += 1
    assert compared >= 50


@needs_corpus
def test_field_types_cover_every_produced_field() -> None:
    docs = [elastic_view(json.loads(line)).doc for log in FIXTURES for line, _ in fixture_pairs(log)
            if line.strip()]
    docs.append(elastic_view(RICH_EVENT).doc)
    for doc in docs:
        for path, value in flatten(doc).items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                paths = [f"{path}.{key}" for item in value for key in item]
            else:
                paths = [path]
            for field in paths:
                assert field in ELASTIC_FIELD_TYPES, field


RICH_EVENT: dict[str, Any] = {
    "eventVersion": "1.10",
    "userIdentity": {
        "type": "IdentityCenterUser", "accountId": "111122223333", "credentialId": "cred",
        "onBehalfOf": {"userId": "u-1", "identityStoreArn": "arn:aws:identitystore::1:identitystore/d-1"},
        "invokedBy": "svc", "invokedByDelegate": {"accountId": "2"}, "identityProvider": "idp",
        "inScopeOf": {"issuerType": "AWS::Lambda::Function", "credentialsIssuedTo": "x", "sourceArn": "y",
                      "sourceAccount": "3"},
        "sessionContext": {"ec2RoleDelivery": "2.0", "sourceIdentity": "alice", "assumedRoot": True,
                           "signInSessionArn": "arn:s",
                           "webIdFederationData": {"federatedProvider": "accounts.google.com",
                                                   "attributes": {"a": "b"}},
                           "attributes": {"mfaAuthenticated": "true",
                                          "creationDate": "2024-01-01T00:00:00Z"}},
    },
    "eventTime": "2024-01-01T00:00:01Z",
    "eventSource": "iam.amazonaws.com",
    "eventName": "UpdateUser",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "host.example.org",
    "userAgent": "aws-cli/2",
    "errorCode": "AccessDenied",
    "errorMessage": "denied",
    "requestParameters": {"userName": "bob", "newUserName": "robert", "groupName": "g",
                          "computerName": "pc1"},
    "responseElements": {"group": {"groupId": "AGPA1"}, "user": {"userId": "AIDA1"}},
    "additionalEventData": {"x": 1},
    "serviceEventDetails": {"sourceIpAddress": "192.0.2.9"},
    "insightDetails": {"state": "Start"},
    "requestID": "r", "eventID": "e", "readOnly": False, "eventType": "AwsApiCall", "apiVersion": "v",
    "managementEvent": True, "recipientAccountId": "111122223333", "sharedEventID": "s",
    "vpcEndpointId": "vpce-1", "vpcEndpointAccountId": "4", "eventCategory": "Management",
    "sessionCredentialFromConsole": "true",
    "addendum": {"reason": "UPDATED_DATA", "updatedFields": "f", "originalRequestID": "o",
                 "originalEventID": "p"},
    "tlsDetails": {"tlsVersion": "TLSv1.2", "cipherSuite": "c", "clientProvidedHostHeader": "h.example.org",
                   "keyExchange": "x25519"},
    "resources": [{"ARN": "arn:aws:ec2:us-east-1:1:instance/i-0123456789abcdef0", "accountId": "1",
                   "type": "AWS::EC2::Instance"}],
}


def base(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAX", "arn": "arn:aws:iam::1:user/alice",
                         "accountId": "111122223333", "userName": "alice"},
        "eventTime": "2024-05-06T07:08:09Z",
        "eventSource": "rds.amazonaws.com",
        "eventName": "RestoreDBInstanceFromDBSnapshot",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.0",
        "requestParameters": {"dBInstanceIdentifier": "db1"},
        "responseElements": None,
        "eventID": "id-1",
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333",
    }
    event.update(changes)
    return event


def field(doc: dict[str, Any], path: str) -> Any:
    return flatten(doc).get(path)


@pytest.mark.parametrize("empty", ["", None, "-", "none"])
def test_empty_values_are_purged_and_reported(empty: Any) -> None:
    view = elastic_view(base(errorCode=empty))
    assert field(view.doc, "aws.cloudtrail.error_code") is None
    assert field(view.doc, "event.outcome") == "success"
    assert "dropped by the Elastic AWS integration" in view.losses["errorCode"]


def test_empty_containers_and_nested_empties_are_purged() -> None:
    parameters = {"a": "", "b": {"c": None}, "d": [], "keep": "x"}
    view = elastic_view(base(requestParameters=parameters, resources=[]))
    assert field(view.doc, "aws.cloudtrail.request_parameters") == "{keep=x}"
    assert field(view.doc, "aws.cloudtrail.flattened.request_parameters") == {"keep": "x"}
    for path in ("requestParameters.a", "requestParameters.b", "requestParameters.b.c", "requestParameters.d",
                 "resources", "responseElements"):
        assert path in view.losses, path
    assert field(view.doc, "aws.cloudtrail.resources") is None


def test_error_fields_make_the_outcome_failure() -> None:
    assert field(elastic_view(base(errorCode="AccessDenied")).doc, "event.outcome") == "failure"
    assert field(elastic_view(base(errorMessage="denied")).doc, "event.outcome") == "failure"


def test_console_login_outcome_comes_from_the_response() -> None:
    failed = elastic_view(base(eventName="ConsoleLogin", responseElements={"ConsoleLogin": "Failure"}))
    assert field(failed.doc, "event.outcome") == "failure"
    # The override wins even over an error message: the response is what the pipeline reads last.
    odd = elastic_view(base(eventName="ConsoleLogin", errorMessage="x",
                            responseElements={"ConsoleLogin": "Success"}))
    assert field(odd.doc, "event.outcome") == "success"
    assert field(odd.doc, "event.category") == ["authentication"]


def test_category_only_for_listed_actions() -> None:
    restore = elastic_view(base()).doc
    assert field(restore, "event.category") is None
    assert field(restore, "event.type") == ["info"]
    create = elastic_view(base(eventName="CreateUser")).doc
    assert field(create, "event.category") == ["iam"]
    assert field(create, "event.type") == ["user", "creation"]
    assert CATEGORIZED_ACTIONS["AuthorizeSecurityGroupIngress"] == ("network", ("access",))


@pytest.mark.parametrize(("address", "ip", "host"), [
    ("198.51.100.7", "198.51.100.7", None),
    ("2001:db8::1", "2001:db8::1", None),
    ("ec2.amazonaws.com", None, None),
    ("AWS Internal", None, None),
    ("build.example.org", None, ["build.example.org"]),
    (" 198.51.100.7", None, None),
])
def test_source_ip_only_for_a_whole_ip(address: str, ip: str | None, host: list[str] | None) -> None:
    doc = elastic_view(base(sourceIPAddress=address)).doc
    assert field(doc, "source.address") == address
    assert field(doc, "source.ip") == ip
    assert field(doc, "related.ip") == ([ip] if ip else None)
    assert field(doc, "related.hosts") == host


def test_user_name_and_id_for_an_assumed_role() -> None:
    identity = {
        "type": "AssumedRole", "principalId": "AROA1:sess",
        "arn": "arn:aws:sts::1:assumed-role/Admin/jo@example.com", "accountId": "1",
        "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::1:role/Admin",
                                             "userName": "Admin"}},
    }
    doc = elastic_view(base(userIdentity=identity)).doc
    assert field(doc, "user.name") == "Admin"
    assert field(doc, "user.id") == "arn:aws:iam::1:role/Admin"
    assert field(doc, "aws.cloudtrail.user_identity.principal_id") == "AROA1:sess"
    assert field(doc, "user.email") == "jo@example.com"
    # Session name, its e-mail prefix, principalId, user.id, user.name: the pipeline's append order.
    assert field(doc, "related.user") == ["jo@example.com", "jo", "AROA1:sess", "arn:aws:iam::1:role/Admin",
                                          "Admin"]


def test_session_issuer_name_is_not_user_name_for_other_identities() -> None:
    identity = {"type": "IAMUser", "userName": "alice", "arn": "arn:aws:iam::1:user/alice",
                "sessionContext": {"sessionIssuer": {"userName": "Other"}}}
    view = elastic_view(base(userIdentity=identity))
    assert field(view.doc, "user.name") == "alice"
    assert field(view.doc, "user.id") == "arn:aws:iam::1:user/alice"
    assert view.losses["userIdentity.sessionContext.sessionIssuer.userName"].startswith(NOT_STORED)


def test_account_id_falls_back_to_the_recipient() -> None:
    doc = elastic_view(base(userIdentity={"type": "AWSService", "invokedBy": "ec2.amazonaws.com"})).doc
    assert field(doc, "cloud.account.id") == "111122223333"
    assert field(doc, "user.name") is None


def test_map_text_is_java_map_to_string() -> None:
    value = {"b": True, "a": [1, "x", {"k": None}, {"n": 2.5}], "c": {"d": 1e-4, "e": 1e7, "f": 123.0}}
    text = java_text(value)
    # Java renders doubles with Double.toString and drops what the purge removed.
    assert text == "{a=[1, x, {n=2.5}], b=true, c={d=1.0E-4, e=1.0E7, f=123.0}}"


def test_java_hashmap_order() -> None:
    # "Aa" and "BB" share a String.hashCode: one bucket, insertion order kept.
    assert java_hashmap_order(["BB", "Aa"]) == ["BB", "Aa"]
    assert java_hashmap_order(["Aa", "BB"]) == ["Aa", "BB"]
    # Single characters hash to their code point: bucket order, not insertion order.
    assert java_hashmap_order(["c", "a", "b"]) == ["a", "b", "c"]
    # "Q" (81) and "A" (65) share bucket 1 of 16 but not of 32 (81 & 31 = 17). Up to 12 keys the
    # table has 16 buckets; the 13th key makes it double.
    twelve = ["Q", "A", *"bcdefghijk"]
    assert java_hashmap_order(twelve)[:2] == ["Q", "A"]
    assert java_hashmap_order([*twelve, "l"])[:2] == ["A", "b"]
    assert java_hashmap_order([*twelve, "l"]).index("Q") == 12
    # Two-letter keys whose hashCode is 1 mod 16 (17 mod 32 for the second of each pair): a 9th node
    # in one bucket of a table below 64 buckets doubles the table instead of making a tree.
    colliding = ["ar", "ab", "bs", "bc", "ct", "cd", "du", "de"]
    assert java_hashmap_order(colliding) == colliding
    assert java_hashmap_order([*colliding, "ev"]) == ["ab", "bc", "cd", "de", "ar", "bs", "ct", "du", "ev"]


def test_long_request_parameters_lose_the_flattened_copy() -> None:
    view = elastic_view(base(requestParameters={"policy": "x" * FLATTENED_MAX_CHARS}))
    assert field(view.doc, "aws.cloudtrail.request_parameters").startswith("{policy=xxx")
    assert field(view.doc, "aws.cloudtrail.flattened.request_parameters") is None
    assert "no flattened copy" in view.losses["requestParameters"]
    medium = elastic_view(base(requestParameters={"policy": "x" * 9000}))
    assert field(medium.doc, "aws.cloudtrail.flattened.request_parameters") == {"policy": "x" * 9000}
    assert "not indexed" in medium.losses["requestParameters"]


def test_resources_are_renamed_and_deduplicated() -> None:
    item = {"ARN": "arn:aws:s3:::b", "accountId": "1", "type": "AWS::S3::Bucket"}
    doc = elastic_view(base(resources=[item, dict(item), "junk"])).doc
    assert field(doc, "aws.cloudtrail.resources") == [{"arn": "arn:aws:s3:::b", "account_id": "1",
                                                       "type": "AWS::S3::Bucket"}]


@pytest.mark.parametrize(("tls", "expected"), [
    ({"tlsVersion": "TLSv1.2", "cipherSuite": "c"}, {"tls.version": "1.2", "tls.version_protocol": "tls",
                                                    "tls.cipher": "c"}),
    ({"tlsVersion": "1.3"}, {"tls.version": "1.3", "tls.version_protocol": None}),
    ({"tlsVersion": "tlsVersion", "cipherSuite": "c"}, {"tls.version": None, "tls.cipher": None}),
])
def test_tls_fields(tls: dict[str, str], expected: dict[str, Any]) -> None:
    doc = elastic_view(base(tlsDetails=tls)).doc
    for path, value in expected.items():
        assert field(doc, path) == value, path


def test_dates() -> None:
    attributes = {"creationDate": "20131102T010628Z"}
    identity = dict(base()["userIdentity"], sessionContext={"attributes": attributes})
    doc = elastic_view(base(eventTime="2014-07-08T19:35:27.123456+02:00", userIdentity=identity)).doc
    assert doc["@timestamp"] == "2014-07-08T17:35:27.123Z"
    created = field(doc, "aws.cloudtrail.user_identity.session_context.creation_date")
    assert created == "2013-11-02T01:06:28.000Z"
    bad = elastic_view(base(eventTime="yesterday"))
    assert "@timestamp" not in bad.doc
    assert field(bad.doc, "event.kind") == "pipeline_error"
    assert "eventTime" in bad.losses


def test_fields_without_a_rename_are_reported() -> None:
    identity = dict(base()["userIdentity"], extra="y")
    view = elastic_view(base(edgeDeviceDetails={"x": 1}, userIdentity=identity))
    assert view.losses["edgeDeviceDetails"] == NOT_STORED
    assert view.losses["userIdentity.extra"] == NOT_STORED
    assert "eventName" not in view.losses and "userIdentity.userName" not in view.losses


def test_user_authentication_moves_the_user_name() -> None:
    view = elastic_view(base(eventName="UserAuthentication", userIdentity={"type": "Unknown"},
                             additionalEventData={"UserName": "carol", "x": "1"}))
    assert field(view.doc, "user.name") == "carol"
    assert field(view.doc, "aws.cloudtrail.additional_eventdata") == "{x=1}"
    assert "additionalEventData.UserName" in view.losses


def test_console_login_booleans() -> None:
    aed = {"MobileVersion": "No", "MFAUsed": "Yes"}
    doc = elastic_view(base(eventName="ConsoleLogin", additionalEventData=aed)).doc
    assert field(doc, "aws.cloudtrail.console_login.additional_eventdata.mobile_version") is False
    assert field(doc, "aws.cloudtrail.console_login.additional_eventdata.mfa_used") is True


def test_rich_event_reaches_its_fields() -> None:
    doc = elastic_view(RICH_EVENT).doc
    assert field(doc, "user.id") == "u-1"  # IdentityCenterUser without a principalId
    assert field(doc, "user.target.name") == "bob"
    assert field(doc, "user.changes.name") == "robert"
    assert field(doc, "group.name") == "g"
    assert field(doc, "group.id") == "AGPA1"
    assert field(doc, "user.target.id") == "AIDA1"
    assert field(doc, "aws.cloudtrail.management_event") == "true"
    assert field(doc, "aws.cloudtrail.shared_event_id") == "s"
    assert field(doc, "related.ip") == ["192.0.2.9"]
    assert field(doc, "related.hosts") == ["h.example.org", "host.example.org", "pc1", "i-0123456789abcdef0"]
    assert field(doc, "related.user") == ["bob", "robert", "AIDA1", "u-1"]


def test_deterministic_and_input_untouched() -> None:
    event = json.loads(json.dumps(RICH_EVENT))
    first = json.dumps(elastic_view(event).doc)
    assert json.dumps(elastic_view(event).doc) == first
    assert event == RICH_EVENT


@needs_corpus
def test_registry_views_give_json_documents() -> None:
    assert set(VIEWS) == {"eql", "spl", "kql", "cwli"}
    assert VIEWS["eql"] is elastic_view
    events = [json.loads(line) for log in FIXTURES for line, _ in fixture_pairs(log) if line.strip()]
    for target, view_of in VIEWS.items():
        for raw in [*events, RICH_EVENT, {}]:
            view = view_of(raw)
            assert isinstance(view, View), target
            json.dumps(view.doc, allow_nan=False)  # `siemc view` prints it as JSON Lines
            assert all(isinstance(p, str) and isinstance(r, str) for p, r in view.losses.items())


def test_a_readonly_that_is_not_a_boolean_is_a_loss() -> None:
    from engines.views.elastic import elastic_view

    assert "readOnly" in elastic_view({"eventName": "X", "readOnly": "FALSE"}).losses
    assert "readOnly" not in elastic_view({"eventName": "X", "readOnly": False}).losses
