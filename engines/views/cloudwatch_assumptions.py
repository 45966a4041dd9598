"""Every unconfirmed CloudWatch Logs Insights behaviour the CloudWatch view relies on, in one place.

Facts tagged [U] (or only [D]) in shared/reference/semantics.md A.4 and F.1 that no public source
settles. The view reads them only through this module; tests/test_views_cloudwatch.py pins each.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

FIELD_LIMIT = 200
"""Logs Insights extracts at most 200 fields from a JSON event (sheet F.6 item 1: current docs [V])."""


def message_text(event: dict[str, Any]) -> str:
    """``@message``: the record as CloudTrail delivers it, compact JSON in the record's key order. [U]

    Sheet A.4: each record is one log event whose ``@message`` is the record's JSON text [V]; the
    exact serialisation is not documented. Compact JSON is how CloudTrail writes its files.
    """
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


def discovers_json_null() -> bool:
    """Whether a JSON ``null`` becomes a discovered field. Assumed not: the field is absent. [U]

    No statement in sheet A.4 or F.1; F.1 row 1.5 only says missing fields are null. Absent makes
    ``ispresent(f)`` false for a null, which is the conservative reading.
    """
    return False


def discovers_empty_string() -> bool:
    """Whether a JSON ``""`` becomes a discovered field holding ``""``. Assumed yes. [U]

    Sheet B.4: ``isempty(f)`` is 1 "if missing or empty string", which implies a field can hold
    "", but nothing says JSON discovery produces one.
    """
    return True


def within_field_limit(position: int) -> bool:
    """Whether the leaf at ``position`` (0-based, JSON document order) is still discovered. [U]

    The 200-field limit is [V] (sheet F.6 item 1, A.4); *which* fields survive when an event has
    more is not documented. Assumed: the first 200 leaves in document order; later ones are only
    reachable through ``@message`` or ``parse``. JSON nulls and empty containers do not count.
    """
    return position < FIELD_LIMIT


def boolean_value(value: bool) -> int:
    """A JSON boolean as a discovered field: ``1``/``0``. [D]

    Sheet F.1 row 1.6: an AWS Powertools maintainer observed that Insights stores JSON true/false
    as 1/0 (issue PT-667); derived, not in a CloudWatch document.
    """
    return 1 if value else 0


def log_event_timestamp(event: dict[str, Any]) -> str | None:
    """``@timestamp``, as the console shows it (``2014-07-08 17:35:27.000``), from ``eventTime``. [U]

    Sheet A.4 / F.1 row 1.13: ``@timestamp`` is the log event's timestamp, about the delivery time,
    not ``eventTime`` [D]. A view has no delivery time, so eventTime stands in; rules should not
    depend on ``@timestamp``. None when eventTime is absent or not ISO 8601.
    """
    value = event.get("eventTime")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
