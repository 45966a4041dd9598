"""Sentinel view: the AWSCloudTrail row, its column types, and what a row cannot tell apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engines.views.sentinel import (
    ABSENT_STRING,
    NOT_STORED,
    SENTINEL_COLUMNS,
    UNMODELLED_COLUMNS,
    sentinel_view,
)

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus" / "elastic-cloudtrail-pipeline"

# Sheet A.3, in its order (AwsRequestId_ before the deprecated AwsRequestId).
A3_COLUMNS = [
    "TimeGenerated", "AwsEventId", "EventVersion", "EventSource", "EventName", "EventTypeName", "Category",
    "AWSRegion", "SourceIpAddress", "UserAgent", "ErrorCode", "ErrorMessage", "UserIdentityType",
    "UserIdentityPrincipalid", "UserIdentityArn", "UserIdentityAccountId", "UserIdentityInvokedBy",
    "UserIdentityAccessKeyId", "UserIdentityUserName", "SessionMfaAuthenticated", "SessionCreationDate",
    "SessionIssuerType", "SessionIssuerPrincipalId", "SessionIssuerArn", "SessionIssuerAccountId",
    "SessionIssuerUserName", "EC2RoleDelivery", "UserIdentityUserId", "UserIdentityStoreArn",
    "RequestParameters", "ResponseElements", "AdditionalEventData", "ServiceEventDetails", "Resources",
    "AwsRequestId_", "AwsRequestId", "APIVersion", "ReadOnly", "ManagementEvent", "RecipientAccountId",
    "SharedEventId", "VpcEndpointId", "TlsVersion", "CipherSuite", "ClientProvidedHostHeader", "CidrIp",
    "IpProtocol", "SourcePort", "DestinationPort", "OperationName", "SourceSystem", "TenantId", "Type",
    "_BilledSize", "_IsBillable",
]
PYTHON_TYPES = {"string": (str,), "bool": (bool, type(None)), "datetime": (str, type(None)),
                "real": (float, type(None))}


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
        "userIdentity": {
            "type": "AssumedRole", "principalId": "AROA1:s", "arn": "arn:aws:sts::111:assumed-role/R/s",
            "accountId": "111", "accessKeyId": "ASIA1",
            "sessionContext": {"attributes": {"mfaAuthenticated": "true", "creationDate": "20131102T010628Z"},
                               "sessionIssuer": {"type": "Role", "principalId": "AROA1", "userName": "R",
                                                 "arn": "arn:aws:iam::111:role/R", "accountId": "111"}},
        },
        "eventTime": "2014-07-08T17:35:27Z",
        "eventSource": "rds.amazonaws.com",
        "eventName": "RestoreDBInstanceFromDBSnapshot",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.0",
        "requestParameters": {"dBInstanceIdentifier": "db1", "port": 5432, "multiAZ": False},
        "responseElements": None,
        "requestID": "r-1",
        "eventID": "e-1",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "111",
        "eventCategory": "Management",
    }
    base.update(changes)
    return base


def test_every_column_in_table_order() -> None:
    assert list(SENTINEL_COLUMNS) == A3_COLUMNS
    row = sentinel_view(event()).doc
    assert list(row) == A3_COLUMNS
    assert row["Type"] == "AWSCloudTrail" and row["OperationName"] == "CloudTrail"
    assert {"TenantId", "SourceSystem", "_BilledSize", "_IsBillable"} <= set(row)


def test_values_have_their_column_types() -> None:
    for raw in [*corpus_events(required=False), event(), {}]:
        for column, value in sentinel_view(raw).doc.items():
            assert isinstance(value, PYTHON_TYPES[SENTINEL_COLUMNS[column]]), (column, value)


def test_string_columns() -> None:
    row = sentinel_view(event()).doc
    assert row["EventName"] == "RestoreDBInstanceFromDBSnapshot"
    assert row["UserIdentityPrincipalid"] == "AROA1:s"
    assert row["SessionIssuerUserName"] == "R"
    assert row["AwsRequestId_"] == "r-1" and row["AwsEventId"] == "e-1"
    assert row["EventTypeName"] == "AwsApiCall" and row["Category"] == "Management"


@pytest.mark.parametrize(("value", "what"), [(None, "JSON null"), ("", "empty string"), (..., "absent")])
def test_absent_null_and_empty_strings_are_all_empty(value: Any, what: str) -> None:
    raw = event() if value is ... else event(errorCode=value)
    view = sentinel_view(raw)
    assert view.doc["ErrorCode"] == ""
    assert view.losses["errorCode"] == f"{what}: {ABSENT_STRING}"


def test_failed_console_login_is_not_defaulted() -> None:
    row = sentinel_view(event(eventName="ConsoleLogin", errorMessage="Failed authentication",
                              responseElements={"ConsoleLogin": "Failure"})).doc
    assert row["ErrorCode"] == ""
    assert row["ErrorMessage"] == "Failed authentication"
    assert row["ResponseElements"] == '{"ConsoleLogin":"Failure"}'


def test_json_text_columns() -> None:
    resource = {"ARN": "arn:aws:rds:eu-west-1:111:db:db1", "accountId": "111", "type": "AWS::RDS::DBInstance"}
    raw = event(resources=[resource], additionalEventData={"note": "ünï"})
    view = sentinel_view(raw)
    row = view.doc
    assert row["RequestParameters"] == '{"dBInstanceIdentifier":"db1","port":5432,"multiAZ":false}'
    assert json.loads(row["Resources"]) == raw["resources"]
    assert row["AdditionalEventData"] == '{"note":"ünï"}'  # not ASCII-escaped
    assert row["ResponseElements"] == "" and "null" in view.losses["responseElements"]
    assert row["ServiceEventDetails"] == "" and "absent" in view.losses["serviceEventDetails"]
    assert "requestParameters.*" in view.losses  # absent keys read as "" through tostring()


def test_nested_empty_values_are_losses() -> None:
    view = sentinel_view(event(requestParameters={"a": "", "b": None, "c": {"d": ""}, "e": "x"}))
    for path in ("requestParameters.a", "requestParameters.b", "requestParameters.c.d"):
        assert ABSENT_STRING in view.losses[path], path
    assert "requestParameters.e" not in view.losses


def test_bool_columns() -> None:
    row = sentinel_view(event()).doc
    assert row["SessionMfaAuthenticated"] is True  # from the raw "true" text
    assert row["ReadOnly"] is False and row["ManagementEvent"] is True
    absent = sentinel_view({"eventName": "x"})
    assert absent.doc["ReadOnly"] is None and "readOnly" not in absent.losses
    odd = sentinel_view(event(readOnly="maybe", managementEvent=None))
    assert odd.doc["ReadOnly"] is None and "not a bool" in odd.losses["readOnly"]
    assert odd.doc["ManagementEvent"] is None and "JSON null" in odd.losses["managementEvent"]


@pytest.mark.parametrize(("raw", "stored"), [
    ("2014-07-08T17:35:27Z", "2014-07-08T17:35:27Z"),
    ("2014-07-08T17:35:27.1230Z", "2014-07-08T17:35:27.123Z"),
    ("2014-07-08T19:35:27+02:00", "2014-07-08T17:35:27Z"),
    ("20131102T010628Z", "2013-11-02T01:06:28Z"),
])
def test_datetime_columns(raw: str, stored: str) -> None:
    assert sentinel_view(event(eventTime=raw)).doc["TimeGenerated"] == stored


def test_session_creation_date_and_bad_dates() -> None:
    assert sentinel_view(event()).doc["SessionCreationDate"] == "2013-11-02T01:06:28Z"
    bad = sentinel_view(event(eventTime="soon"))
    assert bad.doc["TimeGenerated"] is None and "eventTime" in bad.losses


def test_fields_without_a_column_are_reported() -> None:
    identity = dict(event()["userIdentity"], onBehalfOf={"userId": "u-1"})
    view = sentinel_view(event(userIdentity=identity, vpcEndpointAccountId="9", addendum={"reason": "x"},
                               tlsDetails={"tlsVersion": "TLSv1.3", "keyExchange": "x25519"}))
    for path in ("userIdentity.onBehalfOf", "vpcEndpointAccountId", "addendum", "tlsDetails.keyExchange"):
        assert view.losses[path] == NOT_STORED, path
    assert view.doc["TlsVersion"] == "TLSv1.3"
    assert "tlsDetails.tlsVersion" not in view.losses and "eventName" not in view.losses
    assert all(view.doc[column] in ("", None) for column in UNMODELLED_COLUMNS)


def test_deterministic() -> None:
    assert json.dumps(sentinel_view(event()).doc) == json.dumps(sentinel_view(event()).doc)
