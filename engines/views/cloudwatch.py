"""CloudWatch view: the fields Logs Insights discovers in a CloudTrail record delivered to a log group.

Semantics.md A.4 and F.1: the log event's ``@message`` is the record's JSON text; JSON discovery
flattens it into dotted paths with array positions as numeric segments
(``requestParameters.instancesSet.items.0.instanceId``); booleans read as 1/0, numbers stay numbers.
A discovered name that starts with ``@`` is shown with one more ``@`` ([V], A.4).

Unconfirmed behaviour (null rendering, which fields survive the 200-field limit, ``@timestamp``)
is read from ``cloudwatch_assumptions`` only.
"""

from __future__ import annotations

from typing import Any

from engines.base import View
from engines.views import cloudwatch_assumptions as assume

BY_INDEX = "Logs Insights addresses array elements only by index"
AS_NUMBER = "boolean stored as 1/0 by Logs Insights"


BOOLEAN_FIELDS = ("readOnly", "managementEvent")  # JSON booleans in every record CloudTrail writes


def cloudwatch_view(event: dict[str, Any]) -> View:
    """The system fields and discovered fields Logs Insights gives one raw CloudTrail record."""
    losses: dict[str, str] = {}
    fields: dict[str, Any] = {}
    position = 0
    for name, path, value, in_array in _leaves(event, losses):
        if in_array:
            _lose(losses, path, BY_INDEX)
        if value is None and not assume.discovers_json_null():
            _lose(losses, path, "JSON null: Logs Insights discovers no field for it (assumed)")
            continue
        if value == "" and not assume.discovers_empty_string():
            _lose(losses, path, "empty string: Logs Insights discovers no field for it (assumed)")
            continue
        if not assume.within_field_limit(position):
            _lose(losses, path, f"beyond Logs Insights' {assume.FIELD_LIMIT}-field JSON discovery limit "
                                "(which fields are kept is assumed)")
            continue
        position += 1
        if isinstance(value, bool):
            _lose(losses, path, AS_NUMBER)
            value = assume.boolean_value(value)
        fields.setdefault("@" + name if name.startswith("@") else name, value)
    for name in BOOLEAN_FIELDS:
        if name in event and event[name] is not None and not isinstance(event[name], bool):
            # CloudTrail writes these as JSON booleans; Insights stores booleans as 1/0, so a
            # record holding a number or text here cannot be told from a boolean one.
            _lose(losses, name, "not a JSON boolean, as CloudTrail writes it: Logs Insights stores booleans "
                                "as 1/0, like numbers")
    doc: dict[str, Any] = {"@message": assume.message_text(event)}
    timestamp = assume.log_event_timestamp(event)
    if timestamp is not None:
        doc["@timestamp"] = timestamp
    doc.update(fields)
    return View(doc=doc, losses=dict(sorted(losses.items())))


def _leaves(event: dict[str, Any], losses: dict[str, str]) -> list[tuple[str, str, Any, bool]]:
    """(discovered name, raw path, value, reached through an array) per JSON leaf, in document order.

    Empty objects and arrays have no leaf: they are recorded in ``losses`` here.
    """
    out: list[tuple[str, str, Any, bool]] = []

    def walk(value: Any, name: str, path: str, in_array: bool) -> None:
        if isinstance(value, dict | list) and not value:
            if path:
                _lose(losses, path, "empty object or array: Logs Insights discovers no field for it")
            if isinstance(value, list) and path:
                _lose(losses, path, BY_INDEX)
            return
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{name}.{key}" if name else key, f"{path}.{key}" if path else key, in_array)
        elif isinstance(value, list):
            _lose(losses, path, BY_INDEX)
            for index, item in enumerate(value):
                walk(item, f"{name}.{index}", path, True)
        else:
            out.append((name, path, value, in_array))

    walk(event, "", "", False)
    return out


def _lose(losses: dict[str, str], path: str, reason: str) -> None:
    if path not in losses:
        losses[path] = reason
    elif reason not in losses[path]:
        losses[path] += "; " + reason
