"""Sentinel view: the row a CloudTrail record becomes in the Log Analytics table ``AWSCloudTrail``.

Columns, types and sources per semantics.md A.3. Every column is present in every row. A string
column cannot be null in Kusto, so an absent, null or empty raw value is ``""``; bool, datetime and
real columns are None when there is no value. requestParameters, responseElements,
additionalEventData, serviceEventDetails and resources are stored as compact JSON text (the
documented ``string`` type) and are read through ``parse_json``. Datetimes are ISO 8601 text in UTC
(``2014-07-08T17:35:27Z``, a fraction only when non-zero), the way Kusto renders them.

Columns whose source is unconfirmed hold ``""`` rather than a guess (see UNMODELLED_COLUMNS): a
rule on those raw fields is then reported lossy instead of passing on a made-up mapping.

Losses use raw paths, plus one convention: ``requestParameters.*`` (and the like) stands for every
key that the object lacks, since ``tostring(parse_json(RequestParameters).key)`` reads an absent
key, a null and ``""`` alike as ``""``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from engines.base import View

ABSENT_STRING = 'Sentinel stores an absent string as ""'
NOT_STORED = "not stored in AWSCloudTrail"

SENTINEL_COLUMNS: dict[str, str] = {
    "TimeGenerated": "datetime",
    "AwsEventId": "string",
    "EventVersion": "string",
    "EventSource": "string",
    "EventName": "string",
    "EventTypeName": "string",
    "Category": "string",
    "AWSRegion": "string",
    "SourceIpAddress": "string",
    "UserAgent": "string",
    "ErrorCode": "string",
    "ErrorMessage": "string",
    "UserIdentityType": "string",
    "UserIdentityPrincipalid": "string",
    "UserIdentityArn": "string",
    "UserIdentityAccountId": "string",
    "UserIdentityInvokedBy": "string",
    "UserIdentityAccessKeyId": "string",
    "UserIdentityUserName": "string",
    "SessionMfaAuthenticated": "bool",
    "SessionCreationDate": "datetime",
    "SessionIssuerType": "string",
    "SessionIssuerPrincipalId": "string",
    "SessionIssuerArn": "string",
    "SessionIssuerAccountId": "string",
    "SessionIssuerUserName": "string",
    "EC2RoleDelivery": "string",
    "UserIdentityUserId": "string",
    "UserIdentityStoreArn": "string",
    "RequestParameters": "string",
    "ResponseElements": "string",
    "AdditionalEventData": "string",
    "ServiceEventDetails": "string",
    "Resources": "string",
    "AwsRequestId_": "string",
    "AwsRequestId": "string",
    "APIVersion": "string",
    "ReadOnly": "bool",
    "ManagementEvent": "bool",
    "RecipientAccountId": "string",
    "SharedEventId": "string",
    "VpcEndpointId": "string",
    "TlsVersion": "string",
    "CipherSuite": "string",
    "ClientProvidedHostHeader": "string",
    "CidrIp": "string",
    "IpProtocol": "string",
    "SourcePort": "string",
    "DestinationPort": "string",
    "OperationName": "string",
    "SourceSystem": "string",
    "TenantId": "string",
    "Type": "string",
    "_BilledSize": "real",
    "_IsBillable": "string",
}

# String columns copied from one raw field.
_STRING_SOURCES: dict[str, str] = {
    "AwsEventId": "eventID",
    "EventVersion": "eventVersion",
    "EventSource": "eventSource",
    "EventName": "eventName",
    "EventTypeName": "eventType",
    "Category": "eventCategory",
    "AWSRegion": "awsRegion",
    "SourceIpAddress": "sourceIPAddress",
    "UserAgent": "userAgent",
    "ErrorCode": "errorCode",
    "ErrorMessage": "errorMessage",
    "UserIdentityType": "userIdentity.type",
    "UserIdentityPrincipalid": "userIdentity.principalId",
    "UserIdentityArn": "userIdentity.arn",
    "UserIdentityAccountId": "userIdentity.accountId",
    "UserIdentityInvokedBy": "userIdentity.invokedBy",
    "UserIdentityAccessKeyId": "userIdentity.accessKeyId",
    "UserIdentityUserName": "userIdentity.userName",
    "SessionIssuerType": "userIdentity.sessionContext.sessionIssuer.type",
    "SessionIssuerPrincipalId": "userIdentity.sessionContext.sessionIssuer.principalId",
    "SessionIssuerArn": "userIdentity.sessionContext.sessionIssuer.arn",
    "SessionIssuerAccountId": "userIdentity.sessionContext.sessionIssuer.accountId",
    "SessionIssuerUserName": "userIdentity.sessionContext.sessionIssuer.userName",
    "EC2RoleDelivery": "userIdentity.sessionContext.ec2RoleDelivery",  # [D] in sheet A.3
    "AwsRequestId_": "requestID",
    "APIVersion": "apiVersion",
    "RecipientAccountId": "recipientAccountId",
    "SharedEventId": "sharedEventID",
    "VpcEndpointId": "vpcEndpointId",
    "TlsVersion": "tlsDetails.tlsVersion",
    "CipherSuite": "tlsDetails.cipherSuite",
    "ClientProvidedHostHeader": "tlsDetails.clientProvidedHostHeader",
}
# String columns holding a raw object or array as compact JSON text.
_JSON_SOURCES: dict[str, str] = {
    "RequestParameters": "requestParameters",
    "ResponseElements": "responseElements",
    "AdditionalEventData": "additionalEventData",
    "ServiceEventDetails": "serviceEventDetails",
    "Resources": "resources",
}
_BOOL_SOURCES: dict[str, str] = {
    # The raw value is the text "true"/"false".
    "SessionMfaAuthenticated": "userIdentity.sessionContext.attributes.mfaAuthenticated",
    "ReadOnly": "readOnly",
    "ManagementEvent": "managementEvent",
}
# TimeGenerated <- eventTime is an assumption: the connector's ingest mapping is [U] in sheet A.3.
_DATETIME_SOURCES: dict[str, str] = {
    "TimeGenerated": "eventTime",
    "SessionCreationDate": "userIdentity.sessionContext.attributes.creationDate",
}
# Columns whose raw source is unconfirmed (sheet A.3: UserIdentityUserId/StoreArn "[U]", the
# security-group columns "per doc descriptions", AwsRequestId deprecated): always "".
UNMODELLED_COLUMNS = (
    "UserIdentityUserId", "UserIdentityStoreArn", "AwsRequestId", "CidrIp", "IpProtocol", "SourcePort",
    "DestinationPort",
)
# Workspace metadata: placeholders, since they describe the workspace, not the record.
WORKSPACE_COLUMNS: dict[str, Any] = {
    "OperationName": "CloudTrail",
    "SourceSystem": "",
    "TenantId": "00000000-0000-0000-0000-000000000000",
    "Type": "AWSCloudTrail",
    "_BilledSize": None,
    "_IsBillable": "",
}

_STORED = frozenset([*_STRING_SOURCES.values(), *_JSON_SOURCES.values(), *_BOOL_SOURCES.values(),
                     *_DATETIME_SOURCES.values()])
_STORED_PARENTS = frozenset(p.rsplit(".", i)[0] for p in _STORED for i in range(1, p.count(".") + 1))
_MISSING = object()


def sentinel_view(event: dict[str, Any]) -> View:
    """The AWSCloudTrail row for one raw CloudTrail record (every column, in table order)."""
    losses: dict[str, str] = {}
    row: dict[str, Any] = {}
    for column, kind in SENTINEL_COLUMNS.items():
        if column in WORKSPACE_COLUMNS:
            row[column] = WORKSPACE_COLUMNS[column]
        elif column in _STRING_SOURCES:
            row[column] = _string(event, _STRING_SOURCES[column], losses)
        elif column in _JSON_SOURCES:
            row[column] = _json_text(event, _JSON_SOURCES[column], losses)
        elif column in _BOOL_SOURCES:
            row[column] = _bool(event, _BOOL_SOURCES[column], losses)
        elif column in _DATETIME_SOURCES:
            row[column] = _datetime(event, _DATETIME_SOURCES[column], losses)
        else:
            assert column in UNMODELLED_COLUMNS, column
            row[column] = "" if kind == "string" else None
    _unstored(event, "", losses)
    return View(doc=row, losses=dict(sorted(losses.items())))


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return _MISSING
        obj = obj[part]
    return obj


def _describe(value: Any) -> str:
    return "absent" if value is _MISSING else "JSON null" if value is None else "empty string"


def _text(value: Any) -> str:
    """What tostring() gives for a JSON value: strings as is, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _string(event: dict[str, Any], path: str, losses: dict[str, str]) -> str:
    value = _get(event, path)
    if value is _MISSING or value is None or value == "":
        losses[path] = f"{_describe(value)}: {ABSENT_STRING}"
        return ""
    return _text(value)


def _json_text(event: dict[str, Any], path: str, losses: dict[str, str]) -> str:
    value = _get(event, path)
    if path != "resources":
        losses[f"{path}.*"] = (f"a key absent from {path} reads as \"\" through "
                               "tostring(parse_json(...)), like a null or an empty string")
    if value is _MISSING or value is None or value == "":
        losses[path] = f"{_describe(value)}: {ABSENT_STRING}"
        return ""
    _empty_leaves(value, path, losses)
    return _text(value)


def _empty_leaves(value: Any, path: str, losses: dict[str, str]) -> None:
    """Nested nulls and empty strings: tostring(parse_json(...).key) reads them as "" (absent too)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _empty_leaves(item, f"{path}.{key}", losses)
    elif isinstance(value, list):
        for item in value:
            _empty_leaves(item, path, losses)
    elif value is None or value == "":
        losses[path] = f"{_describe(value)} inside a JSON text column: {ABSENT_STRING} through tostring()"


def _bool(event: dict[str, Any], path: str, losses: dict[str, str]) -> bool | None:
    value = _get(event, path)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if value is None:
        losses[path] = "JSON null: stored as a null bool, like an absent value"
    elif value is not _MISSING:
        losses[path] = f"{_text(value)!r} is not a bool: stored as null"
    return None


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7})\d*)?(Z|[+-]\d{2}:?\d{2})?")
_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d{1,7})\d*)?(Z|[+-]\d{2}:?\d{2})?")


def _datetime(event: dict[str, Any], path: str, losses: dict[str, str]) -> str | None:
    """ISO 8601 (or CloudTrail's basic ``20131102T010628Z``) as UTC text with 100 ns precision."""
    value = _get(event, path)
    if value is _MISSING:
        return None
    match = (_ISO.fullmatch(value) or _BASIC.fullmatch(value)) if isinstance(value, str) else None
    if match is None:
        losses[path] = ("JSON null: stored as a null datetime, like an absent value" if value is None
                        else f"{_text(value)!r} is not a datetime Sentinel parses: stored as null")
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                          tzinfo=UTC)
    except ValueError:
        losses[path] = f"{value!r} is not a valid date: stored as null"
        return None
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment -= offset if zone[0] == "+" else -offset
    ticks = (fraction or "").ljust(7, "0").rstrip("0")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{ticks}" if ticks else "") + "Z"


def _unstored(event: dict[str, Any], prefix: str, losses: dict[str, str]) -> None:
    """Record every raw field that no column holds."""
    for key, value in event.items():
        path = prefix + key
        if path in _STORED:
            continue
        if path in _STORED_PARENTS and isinstance(value, dict):
            _unstored(value, path + ".", losses)
        else:
            losses[path] = NOT_STORED
