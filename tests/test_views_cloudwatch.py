"""CloudWatch view: Logs Insights JSON discovery, its losses, and each [U] assumption."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engines.views import cloudwatch_assumptions as assume
from engines.views.cloudwatch import AS_NUMBER, BY_INDEX, cloudwatch_view

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus" / "elastic-cloudtrail-pipeline"


def corpus_events() -> list[dict[str, Any]]:
    if not CORPUS.is_dir():
        pytest.skip(f"fixture corpus not found at {CORPUS}")
    return [json.loads(line) for log in sorted(CORPUS.glob("test-*.log"))
            for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def event(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "accountId": "111122223333", "userName": "alice"},
        "eventTime": "2024-05-06T07:08:09Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "RunInstances",
        "requestParameters": {"instancesSet": {"items": [{"instanceId": "i-1"}, {"instanceId": "i-2"}]},
                              "maxCount": 2, "ratio": 0.5},
        "readOnly": False,
        "managementEvent": True,
    }
    base.update(changes)
    return base


def test_discovered_names_and_values() -> None:
    doc = cloudwatch_view(event(grid=[[1, 2], [3]])).doc
    assert doc["userIdentity.userName"] == "alice"
    assert doc["requestParameters.instancesSet.items.0.instanceId"] == "i-1"
    assert doc["requestParameters.instancesSet.items.1.instanceId"] == "i-2"
    assert doc["grid.0.1"] == 2 and doc["grid.1.0"] == 3
    assert doc["requestParameters.maxCount"] == 2 and doc["requestParameters.ratio"] == 0.5
    assert doc["userIdentity.accountId"] == "111122223333"  # a string stays a string
    assert doc["readOnly"] == 0 and doc["managementEvent"] == 1
    assert "requestParameters" not in doc and "requestParameters.instancesSet.items" not in doc


def test_message_and_timestamp() -> None:
    raw = event()
    doc = cloudwatch_view(raw).doc
    assert doc["@message"] == assume.message_text(raw)
    assert json.loads(doc["@message"]) == raw
    assert doc["@timestamp"] == "2024-05-06 07:08:09.000"
    assert "@timestamp" not in cloudwatch_view(event(eventTime="later")).doc


def test_losses() -> None:
    view = cloudwatch_view(event(vpcEndpointId=None, resources=[], tags={}))
    assert view.losses["requestParameters.instancesSet.items.instanceId"] == BY_INDEX
    assert view.losses["requestParameters.instancesSet.items"] == BY_INDEX
    assert view.losses["readOnly"] == view.losses["managementEvent"] == AS_NUMBER
    assert "null" in view.losses["vpcEndpointId"] and "vpcEndpointId" not in view.doc
    assert "empty" in view.losses["tags"] and "empty" in view.losses["resources"]
    assert BY_INDEX in view.losses["resources"]
    assert "eventName" not in view.losses and "requestParameters.maxCount" not in view.losses


def test_boolean_inside_an_array_has_both_reasons() -> None:
    reason = cloudwatch_view(event(flags=[True])).losses["flags"]
    assert BY_INDEX in reason and AS_NUMBER in reason


def test_names_starting_with_at_get_another_at() -> None:
    doc = cloudwatch_view({"@example.com": "x", "a": {"@b": "y"}}).doc
    assert doc["@@example.com"] == "x" and doc["a.@b"] == "y"


# ---- the [U] assumptions, one test each -----------------------------------------------------------

def test_assumed_message_is_compact_json() -> None:
    assert assume.message_text({"a": [1, "é"], "b": None}) == '{"a":[1,"é"],"b":null}'


def test_assumed_null_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    assert assume.discovers_json_null() is False
    monkeypatch.setattr(assume, "discovers_json_null", lambda: True)
    view = cloudwatch_view(event(vpcEndpointId=None))
    assert "vpcEndpointId" in view.doc and view.doc["vpcEndpointId"] is None


def test_assumed_empty_string_is_a_field(monkeypatch: pytest.MonkeyPatch) -> None:
    assert assume.discovers_empty_string() is True
    assert cloudwatch_view(event(errorCode="")).doc["errorCode"] == ""
    monkeypatch.setattr(assume, "discovers_empty_string", lambda: False)
    view = cloudwatch_view(event(errorCode=""))
    assert "errorCode" not in view.doc and "empty string" in view.losses["errorCode"]


def test_assumed_first_200_fields_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    assert assume.FIELD_LIMIT == 200
    assert assume.within_field_limit(199) and not assume.within_field_limit(200)
    wide = {"skip": None, **{f"f{i:03d}": i for i in range(250)}}  # a null is not a discovered field
    view = cloudwatch_view(wide)
    assert view.doc["f199"] == 199 and "f200" not in view.doc
    assert "200-field" in view.losses["f200"] and "200-field" in view.losses["f249"]
    assert "@message" in view.doc  # system fields come on top of the 200
    assert sum(not name.startswith("@") for name in view.doc) == 200
    monkeypatch.setattr(assume, "within_field_limit", lambda position: position < 10)
    assert "f010" not in cloudwatch_view(wide).doc


def test_assumed_boolean_numbers() -> None:
    assert assume.boolean_value(True) == 1 and assume.boolean_value(False) == 0


@pytest.mark.parametrize(("event_time", "shown"), [
    ("2014-07-08T17:35:27Z", "2014-07-08 17:35:27.000"),
    ("2014-07-08T19:35:27.25+02:00", "2014-07-08 17:35:27.250"),
    ("not a time", None),
    (None, None),
])
def test_assumed_timestamp_is_event_time(event_time: Any, shown: str | None) -> None:
    assert assume.log_event_timestamp({"eventTime": event_time}) == shown


# ---- whole-corpus properties ----------------------------------------------------------------------

def test_every_leaf_is_a_field_or_a_loss() -> None:
    def leaves(value: Any, name: str, path: str) -> list[tuple[str, str]]:
        if isinstance(value, dict):
            return [leaf for k, v in value.items()
                    for leaf in leaves(v, f"{name}.{k}" if name else k, f"{path}.{k}" if path else k)]
        if isinstance(value, list):
            return [leaf for i, v in enumerate(value) for leaf in leaves(v, f"{name}.{i}", path)]
        return [(name, path)]

    for raw in corpus_events():
        view = cloudwatch_view(raw)
        for name, path in leaves(raw, "", ""):
            assert name in view.doc or path in view.losses, path


def test_deterministic() -> None:
    assert json.dumps(cloudwatch_view(event()).doc) == json.dumps(cloudwatch_view(event()).doc)


def test_a_readonly_that_is_not_a_boolean_is_a_loss() -> None:
    from engines.views.cloudwatch import cloudwatch_view

    assert "readOnly" in cloudwatch_view({"readOnly": "false"}).losses
    assert "readOnly" in cloudwatch_view({"readOnly": 0}).losses
    assert cloudwatch_view({"readOnly": False}).doc["readOnly"] == 0
