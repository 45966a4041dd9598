"""Splunk view: KV_MODE=json naming, the add-on's aliases and EVALs, and each [U] assumption."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engines.views import splunk_assumptions as assume
from engines.views.splunk import FIELD_ALIASES, SOURCETYPE, _leaves, splunk_view

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus" / "elastic-cloudtrail-pipeline"


def corpus_events(required: bool = True) -> list[dict[str, Any]]:
    """The fixture corpus' raw records; skips the test if it is required and absent."""
    if not CORPUS.is_dir():
        if not required:
            return []
        pytest.skip(f"fixture corpus not found at {CORPUS}")
    return [json.loads(line) for log in sorted(CORPUS.glob("test-*.log"))
            for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def event(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAX", "arn": "arn:aws:iam::111:user/alice",
                         "accountId": "111", "accessKeyId": "AKIA1", "userName": "alice"},
        "eventTime": "2024-05-06T07:08:09Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "RunInstances",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.0",
        "requestParameters": {"instanceType": "t3.micro",
                              "instancesSet": {"items": [{"imageId": "ami-1", "minCount": 1},
                                                         {"imageId": "ami-2", "minCount": 2}]}},
        "responseElements": {"ok": True},
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": "222",
    }
    base.update(changes)
    return base


def test_raw_and_sourcetype() -> None:
    raw = event()
    doc = splunk_view(raw).doc
    assert doc["sourcetype"] == SOURCETYPE == "aws:cloudtrail"
    assert doc["_raw"] == assume.raw_text(raw)
    assert json.loads(doc["_raw"]) == raw
    assert ", " not in doc["_raw"] and '": ' not in doc["_raw"]  # compact


def test_json_paths_arrays_and_value_types() -> None:
    doc = splunk_view(event(tags=[["a", "b"], ["c"]], one=[{"x": 1.5}])).doc
    assert doc["userIdentity.arn"] == "arn:aws:iam::111:user/alice"
    assert doc["requestParameters.instancesSet.items{}.imageId"] == ["ami-1", "ami-2"]
    assert doc["requestParameters.instancesSet.items{}.minCount"] == [1, 2]  # numbers stay numbers
    assert doc["tags{}{}"] == ["a", "b", "c"]
    assert doc["one{}.x"] == 1.5  # a single value is not a list
    assert doc["readOnly"] == "false" and doc["responseElements.ok"] == "true"
    assert "requestParameters" not in doc and "requestParameters.instancesSet.items" not in doc


def test_null_empty_and_empty_containers_are_not_fields() -> None:
    view = splunk_view(event(errorMessage="", vpcEndpointId=None, responseElements={}, resources=[]))
    for name in ("errorMessage", "vpcEndpointId", "responseElements", "resources"):
        assert name not in view.doc
        assert name in view.losses
    assert "null" in view.losses["vpcEndpointId"] and "empty string" in view.losses["errorMessage"]


def test_error_code_defaults() -> None:
    ok = splunk_view(event())
    assert ok.doc["errorCode"] == "success" and ok.doc["msg"] == "success"
    assert ok.losses["errorCode"] == "the Splunk Add-on for AWS defaults errorCode to success"
    assert "result_id" not in ok.doc  # the alias ran before the EVAL, on the absent raw field

    denied = splunk_view(event(errorCode="AccessDenied"))
    assert denied.doc["errorCode"] == denied.doc["msg"] == denied.doc["result_id"] == "AccessDenied"
    assert "errorCode" not in denied.losses

    login = splunk_view(event(eventName="ConsoleLogin", responseElements={"ConsoleLogin": "Failure"}))
    assert login.doc["errorCode"] == "failure"
    assert login.doc["msg"] == "success"  # EVALs see pre-EVAL values: msg never sees the defaulted code
    assert login.losses["errorCode"].endswith("to failure")

    empty = splunk_view(event(errorCode=""))
    assert empty.doc["errorCode"] == "success"
    assert "empty string" in empty.losses["errorCode"] and "defaults errorCode" in empty.losses["errorCode"]


def test_field_aliases() -> None:
    doc = splunk_view(event(errorMessage="denied", errorCode="X",
                            responseElements={"credentials": {"accessKeyId": "ASIA1"}})).doc
    expected = {
        "app": "AwsApiCall", "dvc": "ec2.amazonaws.com", "region": "eu-west-1", "vendor_region": "eu-west-1",
        "signature": "RunInstances", "command": "RunInstances",
        "src": "198.51.100.7", "src_ip": "198.51.100.7",
        "user_group_id": "111", "reason": "denied", "result": "denied", "result_id": "X",
        "start_time": "2024-05-06T07:08:09Z", "temp_access_key": "ASIA1", "user_access_key": "AKIA1",
        "image_id": ["ami-1", "ami-2"], "instance_type": "t3.micro",
    }
    for alias, value in expected.items():
        assert doc[alias] == value, alias
    assert {alias for _, alias in FIELD_ALIASES} == set(expected) | {"desc"}
    assert "desc" not in doc  # requestParameters is an object, not a field (assumed)


def test_alias_removes_its_target_when_the_source_is_absent() -> None:
    doc = splunk_view(event(src="spoofed", sourceIPAddress=None)).doc
    assert "src" not in doc and "src_ip" not in doc


def test_identity_evals() -> None:
    doc = splunk_view(event()).doc
    assert doc["user_arn"] == "arn:aws:iam::111:user/alice"
    assert doc["userName"] == "alice"
    assert doc["vendor_account"] == "111"
    assert doc["aws_account_id"] == "111"
    assert doc["user_agent"] == "aws-cli/2.0"
    assert doc["vendor_product"] == "AWS CloudTrail"

    role = {"type": "AssumedRole", "arn": "arn:aws:sts::111:assumed-role/Admin/sess", "accountId": "111"}
    assumed = splunk_view(event(userIdentity=role)).doc
    assert assumed["userName"] == "sess"  # last segment of the ARN

    service = splunk_view(event(userIdentity={"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
                                requestParameters={"roleArn": "arn:aws:iam::222:role/path/Worker"})).doc
    assert service["aws_account_id"] == "222"
    assert service["vendor_account"] == "222"
    assert service["user_arn"] == "arn:aws:iam::222:role/path/Worker"
    assert service["userName"] == "Worker"


def test_authentication_method() -> None:
    mfa = splunk_view(event(eventName="ConsoleLogin", additionalEventData={"MFAUsed": "Yes"})).doc
    assert mfa["authentication_method"] == "MFA"
    sfa = splunk_view(event(eventName="ConsoleLogin", additionalEventData={"MFAUsed": "No"})).doc
    assert sfa["authentication_method"] == "SFA"
    assert "authentication_method" not in splunk_view(event()).doc


# ---- the [U] assumptions, one test each -----------------------------------------------------------

def test_assumed_raw_text_is_compact_json() -> None:
    assert assume.raw_text({"a": [1, "é"], "b": None}) == '{"a":[1,"é"],"b":null}'


def test_assumed_null_is_not_extracted(monkeypatch: pytest.MonkeyPatch) -> None:
    assert assume.extracts_json_null() is False
    monkeypatch.setattr(assume, "extracts_json_null", lambda: True)
    view = splunk_view(event(vpcEndpointId=None))
    assert view.doc["vpcEndpointId"] == "null" and "vpcEndpointId" not in view.losses


def test_assumed_empty_string_is_not_extracted(monkeypatch: pytest.MonkeyPatch) -> None:
    assert assume.extracts_empty_string() is False
    monkeypatch.setattr(assume, "extracts_empty_string", lambda: True)
    assert splunk_view(event(errorMessage="")).doc["errorMessage"] == ""


def padded(pad: int, tail: str = "x") -> dict[str, Any]:
    """An event whose field "last" ends exactly 5000 bytes into _raw when pad = 0 ("é" is 2 bytes)."""
    head = {"pad": ""}
    fixed = len(assume.raw_text({**head, "last": tail}).encode()) - 1  # minus the closing brace
    filler = assume.EXTRACTION_CUTOFF_BYTES - fixed + pad
    return {"pad": "é" * (filler // 2) + "a" * (filler % 2), "last": tail}


def test_assumed_extraction_cutoff() -> None:
    assert assume.EXTRACTION_CUTOFF_BYTES == 5000
    assert assume.within_extraction_cutoff(5000) and not assume.within_extraction_cutoff(5001)
    at_limit = splunk_view(padded(0))
    raw = at_limit.doc["_raw"].encode()
    assert raw[:5000].endswith(b'"last":"x"')  # the value ends on the limit byte: extracted
    assert at_limit.doc["last"] == "x"
    over = splunk_view(padded(1))
    assert "last" not in over.doc and "extraction_cutoff" in over.losses["last"]
    assert '"last":"x"' in over.doc["_raw"]  # still in _raw, so a raw-text search sees it


def test_assumed_no_kv_field_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    assert assume.kv_field_limit() is None
    wide = {f"f{i:03d}": i for i in range(150)}
    assert all(f"f{i:03d}" in splunk_view(wide).doc for i in range(150))
    monkeypatch.setattr(assume, "kv_field_limit", lambda: 100)
    limited = splunk_view(wide)
    assert "f099" in limited.doc and "f100" not in limited.doc and "f100" in limited.losses


def test_assumed_parent_objects_are_not_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    assert assume.extracts_parent_objects() is False
    monkeypatch.setattr(assume, "extracts_parent_objects", lambda: True)
    doc = splunk_view(event()).doc
    assert json.loads(doc["desc"])["instanceType"] == "t3.micro"


def test_assumed_like_is_case_sensitive() -> None:
    assert assume.like_matches("Failure", "Failure")
    assert not assume.like_matches("failure", "Failure")
    assert not assume.like_matches(None, "Failure")
    lower = splunk_view(event(eventName="ConsoleLogin", responseElements={"ConsoleLogin": "failure"}))
    assert lower.doc["errorCode"] == "success"


# ---- whole-corpus properties ----------------------------------------------------------------------

def test_byte_offsets_point_at_each_value() -> None:
    for raw in [*corpus_events(required=False), event(note="ünïcödé ✓", n=[1.25, None, True])]:
        data = assume.raw_text(raw).encode()
        leaves, _, _ = _leaves(raw)
        for _, _, value, end in leaves:
            assert data[:end].endswith(json.dumps(value, ensure_ascii=False).encode())


def test_every_leaf_is_a_field_or_a_loss() -> None:
    for raw in corpus_events():
        view = splunk_view(raw)
        leaves, _, _ = _leaves(raw)
        for name, path, _, _ in leaves:
            assert name in view.doc or path in view.losses, path


def test_deterministic() -> None:
    raw = event()
    assert json.dumps(splunk_view(raw).doc) == json.dumps(splunk_view(json.loads(json.dumps(raw))).doc)
