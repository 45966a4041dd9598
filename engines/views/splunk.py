"""Splunk view: the fields a search sees for a CloudTrail record under the Splunk Add-on for AWS.

Sourcetype ``aws:cloudtrail`` with ``KV_MODE = json`` (semantics.md A.2): every JSON leaf becomes a
field named by its dotted path, an array adds ``{}`` to its segment and makes the field multivalued
(a list here; one value stays a scalar, as Splunk does not tell them apart). JSON booleans read as
the text ``true``/``false``; numbers stay numbers. Then the add-on's search-time knowledge objects
in Splunk's order: FIELDALIAS (overwrites its target, or removes it when the source is absent), then
the EVALs, each computed from the pre-EVAL values.

Modelled knowledge objects: every FIELDALIAS of the stanza, EVAL-errorCode, msg, user_arn, userName,
vendor_account, aws_account_id, user_agent, vendor_product, authentication_method. Not modelled:
the long ``case(eventName=...)`` CIM EVALs (user, user_name, user_id, dest, object, ...), the
REPORT extraction and the lookups (action, status, vendor, change_type, ...).

Unconfirmed behaviour (null and "" rendering, the 5000-byte extraction cutoff, ...) is read from
``splunk_assumptions`` only.
"""

from __future__ import annotations

import json
from typing import Any

from engines.base import View
from engines.views import splunk_assumptions as assume

SOURCETYPE = "aws:cloudtrail"

# FIELDALIAS-* of [aws:cloudtrail] (Splunk_TA_aws 7.0.0 props.conf): source field -> alias.
FIELD_ALIASES: tuple[tuple[str, str], ...] = (
    ("requestParameters", "desc"),
    ("eventTime", "start_time"),
    ("responseElements.credentials.accessKeyId", "temp_access_key"),
    ("userIdentity.accessKeyId", "user_access_key"),
    ("eventType", "app"),
    ("eventSource", "dvc"),
    ("awsRegion", "region"),
    ("eventName", "signature"),
    ("sourceIPAddress", "src"),
    ("sourceIPAddress", "src_ip"),
    ("userIdentity.accountId", "user_group_id"),
    ("awsRegion", "vendor_region"),
    ("errorMessage", "reason"),
    ("eventName", "command"),
    ("requestParameters.instancesSet.items{}.imageId", "image_id"),
    ("requestParameters.instanceType", "instance_type"),
    ("errorMessage", "result"),
    ("errorCode", "result_id"),
)

def splunk_view(event: dict[str, Any]) -> View:
    """The fields Splunk extracts and derives at search time for one raw CloudTrail record."""
    losses: dict[str, str] = {}
    values: dict[str, list[Any]] = {}
    leaves, empty_paths, array_paths = _leaves(event)
    for path in array_paths:
        # a field written without {} does not reach the elements (KV_MODE=json names them path{})
        _lose(losses, path, "a JSON array: Splunk names its elements with {} (multivalue)")
    limit = assume.kv_field_limit()
    for name, path, value, end in leaves:
        if value is None and not assume.extracts_json_null():
            _lose(losses, path, "JSON null: Splunk extracts no field for it (assumed)")
        elif value == "" and not assume.extracts_empty_string():
            _lose(losses, path, 'empty string: Splunk extracts no field for it (assumed)')
        elif not assume.within_extraction_cutoff(end):
            _lose(losses, path, f"past the first {assume.EXTRACTION_CUTOFF_BYTES} bytes of _raw: not "
                                "auto-extracted (assumed [spath] extraction_cutoff)")
        elif limit is not None and name not in values and len(values) >= limit:
            _lose(losses, path, f"beyond the first {limit} auto-extracted fields (assumed [kv] limit)")
        else:
            values.setdefault(name, []).append(_render(value))
    for path in empty_paths:
        _lose(losses, path, "empty object or array: Splunk extracts no field for it")

    fields: dict[str, Any] = {name: vals[0] if len(vals) == 1 else vals for name, vals in values.items()}
    if assume.extracts_parent_objects():
        for name, text in _parent_objects(event).items():
            fields.setdefault(name, text)
    for source, alias in FIELD_ALIASES:
        if source in fields:
            fields[alias] = fields[source]
        else:
            fields.pop(alias, None)
    evals = _evals(fields)
    if "errorCode" not in fields:
        _lose(losses, "errorCode", f"the Splunk Add-on for AWS defaults errorCode to {evals['errorCode']}")
    fields.update((name, value) for name, value in evals.items() if value is not None)
    for name, value in evals.items():
        if value is None:
            fields.pop(name, None)  # an EVAL that yields null leaves no field
    doc = {"_raw": assume.raw_text(event), "sourcetype": SOURCETYPE, **fields}
    return View(doc=doc, losses=dict(sorted(losses.items())))


def _leaves(event: dict[str, Any]) -> tuple[list[tuple[str, str, Any, int]], list[str], list[str]]:
    """(field name, raw path, value, end byte in _raw) per JSON leaf, and the empty containers' paths.

    Byte offsets follow ``splunk_assumptions.raw_text`` (same separators, UTF-8).
    """
    item_sep, key_sep = (len(s.encode()) for s in assume.RAW_SEPARATORS)
    leaves: list[tuple[str, str, Any, int]] = []
    empty: list[str] = []
    arrays: list[str] = []
    offset = 0

    def walk(value: Any, name: str, path: str) -> None:
        nonlocal offset
        if isinstance(value, list) and path:
            arrays.append(path)
        if isinstance(value, dict | list):
            if not value and path:
                empty.append(path)
            offset += 1  # the opening bracket
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for i, (key, item) in enumerate(items):
                offset += item_sep if i else 0
                if key is None:
                    walk(item, name + "{}", path)
                else:
                    offset += len(json.dumps(key, ensure_ascii=False).encode()) + key_sep
                    walk(item, f"{name}.{key}" if name else key, f"{path}.{key}" if path else key)
            offset += 1  # the closing bracket
        else:
            offset += len(json.dumps(value, ensure_ascii=False).encode())
            leaves.append((name, path, value, offset))

    walk(event, "", "")
    return leaves, empty, arrays


def _parent_objects(event: dict[str, Any]) -> dict[str, str]:
    """Object-valued fields as JSON text, for the extracts_parent_objects() assumption."""
    out: dict[str, str] = {}

    def walk(value: Any, name: str) -> None:
        if isinstance(value, dict):
            if name:
                out[name] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
            for key, item in value.items():
                walk(item, f"{name}.{key}" if name else key)

    walk(event, "")
    return out


def _render(value: Any) -> Any:
    """A JSON leaf as Splunk holds it: booleans as their text, numbers and strings unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"  # only reached if extracts_json_null() is switched on
    return value


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _last_arn_segment(arn: Any) -> Any:
    """mvindex(split(mvindex(split(arn, ":"), -1), "/"), -1)."""
    if arn is None:
        return None
    text = arn if isinstance(arn, str) else str(arn[-1] if isinstance(arn, list) else arn)
    return text.split(":")[-1].split("/")[-1]


def _evals(f: dict[str, Any]) -> dict[str, Any]:
    """The modelled EVAL-* fields, all from the same pre-EVAL values (Splunk runs them in parallel)."""
    identity_type = f.get("userIdentity.type")
    console_failed = assume.like_matches(f.get("responseElements.ConsoleLogin"), "Failure")
    arn = f.get("userIdentity.arn")
    mfa_used = f.get("additionalEventData.MFAUsed")
    action = f.get("eventName")
    if (mfa_used == "Yes" and action == "ConsoleLogin") or action == "CheckMfa":
        method = "MFA"
    elif (mfa_used == "No" and action == "ConsoleLogin") or (
            action in ("AssumeRole", "ListAliases") and identity_type == "AssumedRole"
            and f.get("userIdentity.sessionContext.attributes.mfaAuthenticated") == "false"):
        method = "SFA"
    else:
        method = None
    return {
        "errorCode": _coalesce(f.get("errorCode"), "failure" if console_failed else "success"),
        "msg": _coalesce(f.get("errorCode"), "success"),
        "user_arn": _coalesce(arn, f.get("requestParameters.roleArn")),
        "userName": _coalesce(
            f.get("userIdentity.userName"),
            f.get("requestParameters.sourceIdentity"),
            f.get("userIdentity.sessionContext.sessionIssuer.userName"),
            _last_arn_segment(f.get("requestParameters.roleArn") if arn is None else arn),
        ),
        "vendor_account": _coalesce(f.get("userIdentity.accountId"), f.get("recipientAccountId")),
        "aws_account_id": (f.get("recipientAccountId") if identity_type in ("AWSAccount", "AWSService")
                           else f.get("userIdentity.accountId")),
        "user_agent": _coalesce(f.get("userAgent"), f.get("userAgent{}")),
        "vendor_product": "AWS CloudTrail",
        "authentication_method": method,
    }


def _lose(losses: dict[str, str], path: str, reason: str) -> None:
    if path not in losses:
        losses[path] = reason
    elif reason not in losses[path]:
        losses[path] += "; " + reason
