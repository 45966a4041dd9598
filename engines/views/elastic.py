"""Elastic view: the ``_source`` the Elastic AWS integration (data stream ``aws.cloudtrail``) stores.

Modelled on the ingest pipeline ``packages/aws/data_stream/cloudtrail/elasticsearch/ingest_pipeline/
default.yml`` of elastic/integrations at commit 7d5030ab (package ``aws`` 9.0.0), the revision that
produced the expected documents in ``shared/corpus/elastic-cloudtrail-pipeline`` (semantics.md A.1).
That revision differs from the sheet's A.1 in ways the fixtures confirm: ``user.id`` is the IAM ARN
(role ARN for assumed roles; the principalId moves to ``aws.cloudtrail.user_identity.principal_id``),
``sessionIssuer.userName`` overrides ``user.name`` only for AssumedRole/FederatedUser identities,
``cloud.provider``/``cloud.service.name``/``related.ip``/``related.hosts``/``user.email`` are set, the
category table is longer, and the first purge also drops the placeholder strings ``"-"`` and ``"none"``.

Not modelled (see tests/test_views_elastic.py for the list and reasons): GeoIP/ASN enrichment,
the parsed ``user_agent.*`` parts, the ``actor_target_mapping`` entity fields, ``event.original``
and ``event.created``, the ``_conf.retain`` option (its default, keep everything, is modelled),
CloudTrail digest files, and ``error.message`` texts (only ``event.kind: pipeline_error``).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from engines.base import View

NOT_STORED = "not stored by the Elastic AWS integration"
DIGEST_ONLY = "CloudTrail digest-file field: not modelled by siemc's Elastic view"

# The first purge (before any rename) drops these strings as well as null, empty maps and lists.
# "-" and "none" are placeholders CloudTrail writes for "no value" (pipeline @7d5030ab).
FIRST_PURGE_STRINGS = frozenset({"", "-", "none"})
# The last purge (after all renames) drops only null, "" and empty maps and lists.
FINAL_PURGE_STRINGS = frozenset({""})
# request_parameters & co get a `flattened` copy only while their text is shorter than this.
FLATTENED_MAX_CHARS = 32766
# request_parameters/response_elements are keyword with ignore_above 8191: longer text is stored
# in _source but not indexed, so no term, wildcard or exists query sees it (fields.yml).
KEYWORD_IGNORE_ABOVE = 8191

# Java's HashMap: default capacity, load factor 3/4, a bin of this many nodes makes a table smaller
# than MIN_TREEIFY_CAPACITY double instead of turning into a tree.
_HASHMAP_CAPACITY = 16
_TREEIFY_BIN_NODES = 9
_MIN_TREEIFY_CAPACITY = 64

# Actions the pipeline categorises: (event.category, event.type) -> event.action values.
_CATEGORIES: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {
    ("authentication", ("info",)): ("AssumeRole", "ConsoleLogin", "GetCallerIdentity"),
    ("file", ("creation",)): ("CreateBucket", "CreateDocument"),
    ("file", ("deletion",)): ("DeleteBucket", "DeleteObject"),
    ("file", ("info",)): ("ListBuckets", "ListObjects", "HeadObject", "GetObject"),
    ("file", ("change",)): ("PutObject",),
    ("iam", ("group", "change")): (
        "AddUserToGroup", "AttachGroupPolicy", "DeleteGroupPolicy", "DetachGroupPolicy",
        "PutGroupPolicy", "RemoveUserFromGroup", "UpdateGroup",
    ),
    ("iam", ("group", "creation")): ("CreateGroup",),
    ("iam", ("group", "deletion")): ("DeleteGroup",),
    ("iam", ("group", "info")): (
        "GetGroup", "GetGroupPolicy", "ListAttachedGroupPolicies", "ListGroupPolicies", "ListGroups",
    ),
    ("iam", ("user", "change")): (
        "AttachUserPolicy", "ChangePassword", "CreateAccessKey", "CreateVirtualMFADevice",
        "DeactivateMFADevice", "DeleteAccessKey", "DeleteSSHPublicKey", "DeleteUserPermissionsBoundary",
        "DeleteUserPolicy", "DeleteVirtualMFADevice", "DetachUserPolicy", "EnableMFADevice",
        "PutUserPermissionsBoundary", "PutUserPolicy", "TagUser", "UntagUser", "UpdateAccessKey",
        "UpdateLoginProfile", "UpdateSSHPublicKey", "UpdateUser",
    ),
    ("iam", ("user", "creation")): ("CreateUser",),
    ("iam", ("user", "deletion")): ("DeleteUser",),
    ("iam", ("user", "info")): (
        "GetUser", "GetUserPolicy", "ListAttachedUserPolicies", "ListGroupsForUser",
        "ListUserPolicies", "ListUsers", "ListUserTags",
    ),
    ("iam", ("admin", "creation")): ("CreateKeyPair",),
    ("iam", ("admin", "change")): (
        "SetDefaultPolicyVersion", "SetSecurityTokenServicePreferences", "UpdateAccountPasswordPolicy",
        "UpdateRole",
    ),
    ("iam", ("info",)): ("ListRoles", "GetPolicy", "ListAttachedRolePolicies"),
    ("iam", ("creation",)): ("CreatePolicy",),
    ("iam", ("change",)): ("AttachRolePolicy",),
    ("host", ("info",)): ("DescribeInstances", "DescribeVolumes", "ListInstanceAssociations"),
    ("network", ("info",)): (
        "DescribeSecurityGroups", "DescribeNetworkInterfaces", "DescribeVpcs", "DescribeNetworkAcls",
        "DescribeLoadBalancers",
    ),
    ("network", ("access",)): ("AuthorizeSecurityGroupIngress",),
    ("api", ("info",)): ("DescribeRegions", "Publish", "Converse"),
    ("configuration", ("info",)): ("DescribeTrails",),
    ("configuration", ("creation",)): ("CreateTopic",),
    ("configuration", ("change",)): ("Subscribe",),
    ("configuration", ("deletion",)): ("DeleteTrail",),
    ("package", ("info",)): ("ListFunctions",),
    ("database", ("info",)): ("ListTables", "DescribeDBInstances"),
    ("process", ("start",)): ("SendCommand",),
    ("session", ("start",)): (
        "StartSession", "CreateControlChannel", "OpenControlChannel", "CreateDataChannel", "OpenDataChannel",
    ),
    ("session", ("end",)): ("TerminateSession",),
}
CATEGORIZED_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    action: key for key, actions in _CATEGORIES.items() for action in actions
}

# Plain renames: raw path -> Elastic field (order-independent; the identity logic is in the code).
_RENAMES: tuple[tuple[str, str], ...] = (
    ("eventVersion", "aws.cloudtrail.event_version"),
    ("userIdentity.type", "aws.cloudtrail.user_identity.type"),
    ("userIdentity.arn", "aws.cloudtrail.user_identity.arn"),
    ("userIdentity.accessKeyId", "aws.cloudtrail.user_identity.access_key_id"),
    ("userIdentity.sessionContext.attributes.mfaAuthenticated",
     "aws.cloudtrail.user_identity.session_context.mfa_authenticated"),
    ("userIdentity.sessionContext.sessionIssuer.type",
     "aws.cloudtrail.user_identity.session_context.session_issuer.type"),
    ("userIdentity.sessionContext.sessionIssuer.principalId",
     "aws.cloudtrail.user_identity.session_context.session_issuer.principal_id"),
    ("userIdentity.sessionContext.sessionIssuer.arn",
     "aws.cloudtrail.user_identity.session_context.session_issuer.arn"),
    ("userIdentity.sessionContext.sessionIssuer.accountId",
     "aws.cloudtrail.user_identity.session_context.session_issuer.account_id"),
    ("userIdentity.onBehalfOf.identityStoreArn",
     "aws.cloudtrail.user_identity.on_behalf_of.identity_store_arn"),
    ("userIdentity.invokedBy", "aws.cloudtrail.user_identity.invoked_by"),
    ("userIdentity.invokedByDelegate.accountId",
     "aws.cloudtrail.user_identity.invoked_by_delegate.account_id"),
    ("userIdentity.credentialId", "aws.cloudtrail.user_identity.credential_id"),
    ("userIdentity.identityProvider", "aws.cloudtrail.user_identity.identity_provider"),
    ("userIdentity.inScopeOf.issuerType", "aws.cloudtrail.user_identity.in_scope_of.issuer_type"),
    ("userIdentity.inScopeOf.credentialsIssuedTo",
     "aws.cloudtrail.user_identity.in_scope_of.credentials_issued_to"),
    ("userIdentity.inScopeOf.sourceArn", "aws.cloudtrail.user_identity.in_scope_of.source_arn"),
    ("userIdentity.inScopeOf.sourceAccount", "aws.cloudtrail.user_identity.in_scope_of.source_account"),
    ("userIdentity.sessionContext.ec2RoleDelivery",
     "aws.cloudtrail.user_identity.session_context.ec2_role_delivery"),
    ("userIdentity.sessionContext.sourceIdentity",
     "aws.cloudtrail.user_identity.session_context.source_identity"),
    ("userIdentity.sessionContext.webIdFederationData.federatedProvider",
     "aws.cloudtrail.user_identity.session_context.web_id_federation_data.federated_provider"),
    ("userIdentity.sessionContext.webIdFederationData.attributes",
     "aws.cloudtrail.user_identity.session_context.web_id_federation_data.attributes"),
    ("userIdentity.sessionContext.assumedRoot", "aws.cloudtrail.user_identity.session_context.assumed_root"),
    ("userIdentity.sessionContext.signInSessionArn",
     "aws.cloudtrail.user_identity.session_context.sign_in_session_arn"),
    ("sessionCredentialFromConsole", "aws.cloudtrail.session_credential_from_console"),
    ("eventSource", "event.provider"),
    ("eventCategory", "aws.cloudtrail.event_category"),
    ("errorCode", "aws.cloudtrail.error_code"),
    ("errorMessage", "aws.cloudtrail.error_message"),
    ("requestID", "aws.cloudtrail.request_id"),
    ("eventID", "event.id"),
    ("eventType", "aws.cloudtrail.event_type"),
    ("apiVersion", "aws.cloudtrail.api_version"),
    ("readOnly", "aws.cloudtrail.read_only"),
    ("recipientAccountId", "aws.cloudtrail.recipient_account_id"),
    ("vpcEndpointId", "aws.cloudtrail.vpc_endpoint_id"),
    ("vpcEndpointAccountId", "aws.cloudtrail.vpc_endpoint_account_id"),
    ("addendum.reason", "aws.cloudtrail.addendum.reason"),
    ("addendum.updatedFields", "aws.cloudtrail.addendum.updated_fields"),
    ("addendum.originalRequestID", "aws.cloudtrail.addendum.original_request_id"),
    ("addendum.originalEventID", "aws.cloudtrail.addendum.original_event_id"),
    ("insightDetails", "aws.cloudtrail.flattened.insight_details"),
)
# Objects stored as text plus a flattened copy: raw name -> aws.cloudtrail.<name>.
_TEXT_OBJECTS: tuple[tuple[str, str], ...] = (
    ("requestParameters", "request_parameters"),
    ("responseElements", "response_elements"),
    ("additionalEventData", "additional_eventdata"),
    ("serviceEventDetails", "service_event_details"),
)
# Raw paths handled by dedicated code below (or stored whole); anything else is not stored.
_SPECIAL = (
    "eventTime", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "managementEvent",
    "resources", "sharedEventID", "sharedEventId", "userIdentity.userName", "userIdentity.principalId",
    "userIdentity.accountId", "userIdentity.sessionContext.attributes.creationDate",
    "userIdentity.sessionContext.sessionIssuer.userName", "userIdentity.onBehalfOf.userId",
    "tlsDetails.tlsVersion", "tlsDetails.cipherSuite", "tlsDetails.clientProvidedHostHeader",
    "tlsDetails.keyExchange",
)
_STORED = frozenset([raw for raw, _ in _RENAMES] + [raw for raw, _ in _TEXT_OBJECTS] + list(_SPECIAL))
_STORED_PARENTS = frozenset(p.rsplit(".", i)[0] for p in _STORED for i in range(1, p.count(".") + 1))
_DIGEST_FIELDS = frozenset({
    "awsAccountId", "digestStartTime", "digestEndTime", "digestS3Bucket", "digestS3Object",
    "newestEventTime", "oldestEventTime", "previousDigestS3Bucket", "previousDigestS3Object",
    "previousDigestHashValue", "previousDigestHashAlgorithm", "previousDigestSignature",
    "digestPublicKeyFingerprint", "publicKeyFingerprint", "digestSignatureAlgorithm", "logFiles",
})

_K, _D, _B = "keyword", "date", "boolean"
ELASTIC_FIELD_TYPES: dict[str, str] = {
    "@timestamp": _D,
    "ecs.version": _K,
    "event.dataset": "constant_keyword",
    "event.module": "constant_keyword",
    "event.kind": _K,
    "event.type": _K,
    "event.category": _K,
    "event.outcome": _K,
    "event.action": _K,
    "event.provider": _K,
    "event.id": _K,
    "cloud.provider": _K,
    "cloud.region": _K,
    "cloud.account.id": _K,
    "cloud.service.name": _K,
    "source.address": _K,
    "source.ip": "ip",
    "user_agent.original": _K,
    "user.id": _K,
    "user.name": _K,
    "user.email": _K,
    "user.target.id": _K,
    "user.target.name": _K,
    "user.changes.name": _K,
    "group.id": _K,
    "group.name": _K,
    "related.user": _K,
    "related.ip": "ip",
    "related.hosts": _K,
    "tls.version": _K,
    "tls.version_protocol": _K,
    "tls.cipher": _K,
    "tls.client.server_name": _K,
    **{target: _K for _, target in _RENAMES},
    "aws.cloudtrail.read_only": _B,
    "aws.cloudtrail.user_identity.session_context.assumed_root": _B,
    "aws.cloudtrail.user_identity.session_context.web_id_federation_data.attributes": "flattened",
    "aws.cloudtrail.flattened.insight_details": "flattened",
    "aws.cloudtrail.user_identity.principal_id": _K,
    "aws.cloudtrail.user_identity.on_behalf_of.user_id": _K,
    "aws.cloudtrail.user_identity.session_context.creation_date": _D,
    "aws.cloudtrail.management_event": _K,
    "aws.cloudtrail.shared_event_id": _K,
    "aws.cloudtrail.tls_details.key_exchange": _K,
    "aws.cloudtrail.resources.arn": _K,
    "aws.cloudtrail.resources.account_id": _K,
    "aws.cloudtrail.resources.type": _K,
    **{f"aws.cloudtrail.{name}": _K for _, name in _TEXT_OBJECTS},
    **{f"aws.cloudtrail.flattened.{name}": "flattened" for _, name in _TEXT_OBJECTS},
    "aws.cloudtrail.console_login.additional_eventdata.mobile_version": _B,
    "aws.cloudtrail.console_login.additional_eventdata.login_to": _K,
    "aws.cloudtrail.console_login.additional_eventdata.mfa_used": _B,
}


# ---------------------------------------------------------------------------------------------
# Java text: Painless `Map.toString()` of the parsed JSON, in Java HashMap iteration order.
# ---------------------------------------------------------------------------------------------

def _java_hash(key: str) -> int:
    """HashMap.hash(key): String.hashCode over UTF-16 code units, high bits folded in."""
    h = 0
    data = key.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return h ^ (h >> 16)


def java_hashmap_order(keys: list[str]) -> list[str]:
    """Iteration order of a java.util.HashMap filled with ``keys`` in this order (no removals).

    Entries iterate by bucket index, then insertion order within a bucket; the table doubles when
    size exceeds 3/4 of it or when one bucket reaches 9 nodes below capacity 64. Bins that become
    red-black trees (9+ colliding keys at capacity >= 64) are not modelled: never seen in CloudTrail.
    Removing keys later (the purge) keeps the relative order of the rest, so callers filter this.
    """
    hashes = {key: _java_hash(key) for key in keys}
    capacity = _HASHMAP_CAPACITY
    bins: dict[int, list[str]] = {}

    def rehash(new_capacity: int) -> dict[int, list[str]]:
        # A split keeps each old bucket's order and new buckets draw from one old bucket only.
        out: dict[int, list[str]] = {}
        for index in sorted(bins):
            for k in bins[index]:
                out.setdefault(hashes[k] & (new_capacity - 1), []).append(k)
        return out

    for size, key in enumerate(dict.fromkeys(keys), start=1):
        bucket = bins.setdefault(hashes[key] & (capacity - 1), [])
        bucket.append(key)
        if len(bucket) >= _TREEIFY_BIN_NODES and capacity < _MIN_TREEIFY_CAPACITY:
            capacity *= 2
            bins = rehash(capacity)
        if size > capacity * 3 // 4:
            capacity *= 2
            bins = rehash(capacity)
    return [k for index in sorted(bins) for k in bins[index]]


def _java_double(value: float) -> str:
    """Double.toString: plain decimal in [1e-3, 1e7), else d.dddE<exp>; always a fractional part."""
    if value == 0:
        return "-0.0" if str(value).startswith("-") else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)).rstrip("0") or "0"
    power = exponent + len(digits) - 1
    return ("-" if sign else "") + text[0] + "." + (text[1:] or "0") + "E" + str(power)


def java_text(value: Any, omit: frozenset[str] = frozenset()) -> str:
    """Painless ``toString()`` of a parsed JSON value, after the first purge (purged parts skipped).

    ``omit`` names top-level keys a processor removed before the text was made.
    """
    if isinstance(value, dict):
        parts = [
            f"{key}={java_text(value[key])}"
            for key in java_hashmap_order(list(value))
            if key not in omit and not _purged(value[key], FIRST_PURGE_STRINGS)
        ]
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(java_text(v) for v in value if not _purged(v, FIRST_PURGE_STRINGS)) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return _java_double(value)
    return str(value)


# ---------------------------------------------------------------------------------------------
# Purge, paths, dates
# ---------------------------------------------------------------------------------------------

def _purged(value: Any, strings: frozenset[str]) -> bool:
    """Whether the purge script deletes this value (null, a listed string, or an all-empty container)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value in strings
    if isinstance(value, dict):
        return all(_purged(v, strings) for v in value.values())
    if isinstance(value, list):
        return all(_purged(v, strings) for v in value)
    return False


def _purge_reason(value: Any) -> str:
    if value is None:
        what = "null"
    elif isinstance(value, str):
        what = "empty string" if value == "" else f'placeholder "{value}"'
    elif not value:
        what = "empty object" if isinstance(value, dict) else "empty array"
    else:
        what = "holds only empty values"
    return f"{what}: dropped by the Elastic AWS integration"


def _purge(value: Any, strings: frozenset[str], path: str, losses: dict[str, str] | None) -> Any:
    """A copy without purged values; each dropped raw path is recorded in ``losses`` if given."""
    if losses is not None and path and _purged(value, strings):
        losses.setdefault(path, _purge_reason(value))
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            kept = _purge(v, strings, f"{path}.{key}" if path else key, losses)
            if not _purged(v, strings):
                out[key] = kept
        return out
    if isinstance(value, list):
        copies = [_purge(v, strings, path, losses) for v in value]
        return [c for v, c in zip(value, copies) if not _purged(v, strings)]
    return value


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        doc = doc.setdefault(part, {})
    doc[leaf] = value


def _append(doc: dict[str, Any], path: str, value: Any) -> None:
    """The append processor with allow_duplicates: false."""
    current = _get(doc, path)
    if current is None:
        _set(doc, path, [value])
    elif value not in current:
        current.append(value)


def _template(value: Any) -> str:
    """A value rendered through a mustache ``{{{field}}}`` template."""
    return value if isinstance(value, str) else java_text(value)


_ISO8601 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?"
)
_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d{3}))?(Z|[+-]\d{2}:?\d{2})")


def _date(value: Any, *, basic: bool = False) -> str | None:
    """The date processor (formats ISO8601 [, basic_date_time_no_millis, basic_date_time]), UTC out.

    Output is the processor's default ``yyyy-MM-dd'T'HH:mm:ss.SSSXXX``: milliseconds, truncated.
    """
    if not isinstance(value, str):
        return None
    match = _ISO8601.fullmatch(value) or (_BASIC.fullmatch(value) if basic else None)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0), int((fraction or "0").ljust(6, "0")[:6]), tzinfo=UTC)
    except ValueError:
        return None
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        moment -= offset if zone[0] == "+" else -offset
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _is_ip(value: Any) -> bool:
    """The convert processor's ``type: ip`` test: the whole value is an IPv4 or IPv6 address."""
    if not isinstance(value, str):
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------------------------

def elastic_view(event: dict[str, Any]) -> View:
    """The document the Elastic AWS integration stores for one raw CloudTrail record."""
    losses: dict[str, str] = {}
    doc: dict[str, Any] = {"event": {"dataset": "aws.cloudtrail", "module": "aws"}}
    _set(doc, "ecs.version", "8.11.0")
    failed = False

    # The date processor runs on the raw value, before the purge.
    event_time = event.get("eventTime")
    if event_time is not None and event_time != "":
        timestamp = _date(event_time)
        if timestamp is None:
            failed = True
            losses["eventTime"] = "not an ISO8601 date: @timestamp is the ingest time instead"
        else:
            doc["@timestamp"] = timestamp

    j = _purge(event, FIRST_PURGE_STRINGS, "", losses)
    _unstored(j, "", losses)
    if "readOnly" in j and not isinstance(j["readOnly"], bool):
        # CloudTrail writes readOnly as a JSON boolean and the integration maps it as boolean: any
        # other value is coerced or rejected by Elasticsearch, which this view does not model.
        losses["readOnly"] = ("not a JSON boolean, as CloudTrail writes it: Elasticsearch's boolean mapping "
                              "coerces or rejects it")
    for raw, target in _RENAMES:
        value = _get(j, raw)
        if value is not None:
            _set(doc, target, value)
    failed |= _identity(j, doc, losses)

    source = j.get("eventSource")
    if isinstance(source, str) and source.endswith(".amazonaws.com"):
        _set(doc, "cloud.service.name", source.split(".amazonaws.com", 1)[0])
    if j.get("eventName") is not None:
        _set(doc, "event.action", _template(j["eventName"]))
    additional_omit: frozenset[str] = frozenset()
    aed = j.get("additionalEventData")
    if (_get(doc, "event.action") == "UserAuthentication" and _get(doc, "user.name") is None
            and isinstance(aed, dict) and aed.get("UserName") is not None):
        _set(doc, "user.name", aed["UserName"])
        additional_omit = frozenset({"UserName"})
        losses["additionalEventData.UserName"] = "moved to user.name by the Elastic AWS integration"
    _set(doc, "cloud.provider", "aws")
    if j.get("awsRegion") is not None:
        _set(doc, "cloud.region", j["awsRegion"])
    if j.get("sourceIPAddress") is not None:
        _set(doc, "source.address", j["sourceIPAddress"])
        if _is_ip(j["sourceIPAddress"]):
            _set(doc, "source.ip", j["sourceIPAddress"])
    if j.get("userAgent") is not None:
        _set(doc, "user_agent.original", _template(j["userAgent"]))

    _text_objects(event, j, doc, losses, additional_omit)
    if j.get("managementEvent") is not None:
        _set(doc, "aws.cloudtrail.management_event", _template(j["managementEvent"]))
    _resources(j, doc, losses)
    if _get(doc, "cloud.account.id") is None and j.get("recipientAccountId") is not None:
        _set(doc, "cloud.account.id", j["recipientAccountId"])
    shared = j.get("sharedEventID", j.get("sharedEventId"))
    if shared is not None:
        _set(doc, "aws.cloudtrail.shared_event_id", shared)
    for raw in ("requestParameters.userName", "requestParameters.newUserName",
                "responseElements.user.userId"):
        if _get(j, raw) is not None:
            _append(doc, "related.user", _template(_get(j, raw)))
    _console_login(j, doc)
    failed |= _categorize(j, doc)
    for raw, target in (("responseElements.group.groupId", "group.id"),
                        ("responseElements.user.userId", "user.target.id"),
                        ("requestParameters.newUserName", "user.changes.name"),
                        ("requestParameters.groupName", "group.name"),
                        ("requestParameters.userName", "user.target.name")):
        if _get(j, raw) is not None:
            _set(doc, target, _get(j, raw))
    _tls(j, doc, losses)
    _related(j, doc)

    doc = _purge(doc, FINAL_PURGE_STRINGS, "", None)
    if failed:
        doc["event"]["kind"] = "pipeline_error"
    return View(doc=doc, losses=dict(sorted(losses.items())))


def _unstored(j: dict[str, Any], prefix: str, losses: dict[str, str]) -> None:
    """Record every raw field no processor moves out of the temporary ``json`` object."""
    for key, value in j.items():
        path = prefix + key
        if path in _STORED:
            continue
        if not prefix and key in _DIGEST_FIELDS:
            losses[path] = DIGEST_ONLY
        elif path in _STORED_PARENTS and isinstance(value, dict):
            _unstored(value, path + ".", losses)
        else:
            losses[path] = NOT_STORED


def _identity(j: dict[str, Any], doc: dict[str, Any], losses: dict[str, str]) -> bool:
    """user.*, cloud.account.id and the session name; True if a processor failed."""
    failed = False
    identity_type = _get(j, "userIdentity.type")
    user_name = _get(j, "userIdentity.userName")
    if user_name is not None:
        _set(doc, "user.name", user_name)
    principal = _get(j, "userIdentity.principalId")
    if principal is not None:
        _set(doc, "user.id", principal)
        _set(doc, "aws.cloudtrail.user_identity.principal_id", principal)
    if _get(j, "userIdentity.accountId") is not None:
        _set(doc, "cloud.account.id", _get(j, "userIdentity.accountId"))
    created = _get(j, "userIdentity.sessionContext.attributes.creationDate")
    if created is not None:
        parsed = _date(created, basic=True)
        if parsed is None:
            failed = True
            losses["userIdentity.sessionContext.attributes.creationDate"] = (
                "not a date the Elastic AWS integration parses: dropped")
        else:
            _set(doc, "aws.cloudtrail.user_identity.session_context.creation_date", parsed)

    issuer_name = _get(j, "userIdentity.sessionContext.sessionIssuer.userName")
    if issuer_name is not None:
        if identity_type in ("AssumedRole", "FederatedUser"):
            if user_name is not None:
                losses["userIdentity.userName"] = (
                    "overwritten in user.name by sessionIssuer.userName (Elastic AWS integration)")
            _set(doc, "user.name", issuer_name)
        else:
            losses["userIdentity.sessionContext.sessionIssuer.userName"] = (
                NOT_STORED + " (kept only for AssumedRole and FederatedUser identities)")

    # grok '^arn:[a-z0-9-]+:sts:.*/%{GREEDYDATA:_tmp.session_name}$' on the identity ARN.
    arn = _get(j, "userIdentity.arn")
    if (identity_type in ("AssumedRole", "FederatedUser", "IdentityCenterUser") and isinstance(arn, str)
            and ":sts:" in arn and "/" in arn):
        match = re.match(r"arn:[a-z0-9-]+:sts:.*/(.*)\Z", arn)
        if match is None:
            failed = True
        else:
            session = match.group(1)
            _append(doc, "related.user", session)
            if "@" in session:
                _append(doc, "related.user", session.split("@", 1)[0])
                if _get(doc, "user.email") is None:
                    _set(doc, "user.email", session)

    behalf = _get(j, "userIdentity.onBehalfOf.userId")
    if behalf is not None:
        _set(doc, "aws.cloudtrail.user_identity.on_behalf_of.user_id", behalf)
        if identity_type == "IdentityCenterUser" and _get(doc, "user.id") is None:
            _set(doc, "user.id", behalf)
    if identity_type in ("IAMUser", "Root") and arn is not None:
        _set(doc, "user.id", arn)
    issuer_arn = _get(j, "userIdentity.sessionContext.sessionIssuer.arn")
    if identity_type == "AssumedRole" and issuer_arn is not None:
        _set(doc, "user.id", issuer_arn)
    return failed


def _text_objects(event: dict[str, Any], j: dict[str, Any], doc: dict[str, Any], losses: dict[str, str],
                  additional_omit: frozenset[str]) -> None:
    """request_parameters & co: Map.toString() text, plus a flattened copy while it is short enough."""
    for raw, name in _TEXT_OBJECTS:
        if raw not in j:
            continue
        omit = additional_omit if raw == "additionalEventData" else frozenset()
        text = java_text(event[raw], omit)
        _set(doc, f"aws.cloudtrail.{name}", text)
        copy = j[raw]
        if omit and isinstance(copy, dict):
            copy = {k: v for k, v in copy.items() if k not in omit}
        if len(text) < FLATTENED_MAX_CHARS:
            _set(doc, f"aws.cloudtrail.flattened.{name}", copy)
        else:
            losses[raw] = (f"aws.cloudtrail.{name} has {len(text)} characters: no flattened copy is "
                           "stored and the text is not indexed")
        if name in ("request_parameters", "response_elements") and len(text) > KEYWORD_IGNORE_ABOVE:
            losses.setdefault(raw, f"aws.cloudtrail.{name} has {len(text)} characters: stored but not "
                                   f"indexed (ignore_above {KEYWORD_IGNORE_ABOVE})")


def _resources(j: dict[str, Any], doc: dict[str, Any], losses: dict[str, str]) -> None:
    """resources -> aws.cloudtrail.resources, ARN/accountId renamed, de-duplicated in a HashMap."""
    resources = j.get("resources")
    if resources is None:
        return
    if not isinstance(resources, list):
        _set(doc, "aws.cloudtrail.resources", resources)
        return
    unique: dict[str, dict[str, Any]] = {}
    for original in resources:
        if not isinstance(original, dict):
            losses["resources"] = "entries that are not objects are dropped by the Elastic AWS integration"
            continue
        resource = dict(original)
        if "ARN" in resource:
            resource["arn"] = resource.pop("ARN")
        if "accountId" in resource:
            resource["account_id"] = resource.pop("accountId")
        key = "_".join(_template(resource.get(part, "")) for part in ("arn", "account_id", "type"))
        unique[key] = resource
    _set(doc, "aws.cloudtrail.resources", [unique[key] for key in java_hashmap_order(list(unique))])


def _console_login(j: dict[str, Any], doc: dict[str, Any]) -> None:
    aed = j.get("additionalEventData")
    if j.get("eventName") != "ConsoleLogin" or not isinstance(aed, dict):
        return
    out: dict[str, Any] = {}
    if aed.get("MobileVersion") is not None:
        out["mobile_version"] = aed["MobileVersion"] != "No"
    if aed.get("LoginTo") is not None:
        out["login_to"] = aed["LoginTo"]
    if aed.get("MFAUsed") is not None:
        out["mfa_used"] = aed["MFAUsed"] != "No"
    if out:
        _set(doc, "aws.cloudtrail.console_login.additional_eventdata", out)


def _categorize(j: dict[str, Any], doc: dict[str, Any]) -> bool:
    """event.kind/type/outcome/category; True if the script failed."""
    event = doc["event"]
    event["kind"] = "event"
    event["type"] = ["info"]
    errored = any(_get(doc, f"aws.cloudtrail.{name}") is not None for name in ("error_code", "error_message"))
    event["outcome"] = "failure" if errored else "success"
    action = event.get("action")
    if action is None:
        return False
    console = _get(j, "responseElements.ConsoleLogin")
    if action == "ConsoleLogin" and console is not None:
        if not isinstance(console, str):
            return True
        event["outcome"] = console.lower()
    if action in CATEGORIZED_ACTIONS:
        category, types = CATEGORIZED_ACTIONS[action]
        event["category"] = [category]
        event["type"] = list(types)
    return False


def _tls(j: dict[str, Any], doc: dict[str, Any], losses: dict[str, str]) -> None:
    tls = j.get("tlsDetails")
    if not isinstance(tls, dict):
        return
    if tls.get("tlsVersion") == "tlsVersion":
        # A placeholder record: the pipeline removes tlsDetails whole.
        losses["tlsDetails"] = ('placeholder tlsVersion "tlsVersion": tlsDetails dropped by the '
                                "Elastic AWS integration")
        return
    version = tls.get("tlsVersion")
    if version is not None:
        text = _template(version)
        protocol, sep, number = text.partition("v")  # dissect "%{version_protocol}v%{version}"
        if sep:
            _set(doc, "tls.version_protocol", protocol.lower())
            _set(doc, "tls.version", number)
        else:
            _set(doc, "tls.version", text)
    for raw, target in (("cipherSuite", "tls.cipher"), ("clientProvidedHostHeader", "tls.client.server_name"),
                        ("keyExchange", "aws.cloudtrail.tls_details.key_exchange")):
        if tls.get(raw) is not None:
            _set(doc, target, tls[raw])


def _related(j: dict[str, Any], doc: dict[str, Any]) -> None:
    """user.email from an e-mail user.name, then related.user, related.ip and related.hosts."""
    name = _get(doc, "user.name")
    if _get(doc, "user.email") is None and isinstance(name, str) and name.find("@") > 0:
        _set(doc, "user.email", name)
    for field in ("aws.cloudtrail.user_identity.principal_id", "user.id", "user.name", "user.changes.name",
                  "aws.cloudtrail.user_identity.on_behalf_of.user_id"):
        if _get(doc, field) is not None:
            _append(doc, "related.user", _template(_get(doc, field)))
    if _get(doc, "source.ip") is not None:
        _append(doc, "related.ip", _get(doc, "source.ip"))
    if _is_ip(_get(j, "serviceEventDetails.sourceIpAddress")):
        _append(doc, "related.ip", _get(j, "serviceEventDetails.sourceIpAddress"))

    server = _get(doc, "tls.client.server_name")
    if isinstance(server, str) and not server.endswith(".amazonaws.com"):
        _append(doc, "related.hosts", server)
    address = _get(doc, "source.address")
    if (_get(doc, "source.ip") is None and isinstance(address, str) and "." in address and " " not in address
            and not address.endswith(".amazonaws.com")):
        _append(doc, "related.hosts", address)
    if _get(j, "requestParameters.computerName") is not None:
        _append(doc, "related.hosts", _template(_get(j, "requestParameters.computerName")))
    for instance in _instance_ids(j, doc):
        _append(doc, "related.hosts", instance)


def _instance_ids(j: dict[str, Any], doc: dict[str, Any]) -> list[str]:
    """EC2 instance ids from resources ARNs and the request/response shapes the pipeline knows."""
    found: list[str] = []

    def add(value: Any) -> None:
        if isinstance(value, str) and len(value) >= 10 and value.startswith("i-") and value not in found:
            found.append(value)

    resources = _get(doc, "aws.cloudtrail.resources")
    for resource in resources if isinstance(resources, list) else ():
        arn = resource.get("arn") if isinstance(resource, dict) else None
        if isinstance(arn, str) and ":instance/" in arn:
            add(arn[arn.rfind("/") + 1:])
    for container in (j.get("requestParameters"), j.get("responseElements")):
        if not isinstance(container, dict):
            continue
        for key in ("instanceId", "target", "resourceId"):
            add(container.get(key))
        if isinstance(container.get("instanceIds"), list):
            for value in container["instanceIds"]:
                add(value)
        items = _get(container, "instancesSet.items")
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict):
                add(item.get("instanceId"))
    return found
