"""Per-platform template contexts: a rule's resolved settings checked against what each importer
accepts, plus the values each format derives (Elastic's threat map, Splunk's search prefix, ...).

Each function takes the rule's Meta and its compiled query and returns the dict its templates see.
A value the platform would reject raises SettingsError with the setting's name.
"""

from __future__ import annotations

import math
import re
import uuid
from typing import Any

from outputs import attack
from outputs.filters import EscapeError, iso8601, seconds, short_duration
from outputs.metadata import Meta, SettingsError

ELASTIC_SEVERITIES = ("low", "medium", "high", "critical")
SPLUNK_SEVERITIES = ("informational", "low", "medium", "high", "critical")
SENTINEL_SEVERITIES = ("Informational", "Low", "Medium", "High")


def _check(ok: bool, setting: str, message: str) -> None:
    if not ok:
        raise SettingsError(f"{setting}: {message}")


def _duration(value: Any, setting: str) -> int:
    try:
        return seconds(value)
    except EscapeError as e:
        raise SettingsError(f"{setting}: {e}") from None


def _strings(value: Any, setting: str, allow_empty: bool = True) -> list[str]:
    _check(isinstance(value, list) and all(isinstance(v, str) and v for v in value), setting,
           f"expected a list of non-empty strings, got {value!r}")
    _check(allow_empty or bool(value), setting, "must not be empty")
    return list(value)


def _int(value: Any, setting: str, low: int, high: int | None = None) -> int:
    _check(isinstance(value, int) and not isinstance(value, bool) and value >= low
           and (high is None or value <= high), setting,
           f"expected a whole number from {low}" + (f" to {high}" if high is not None else "") + f", got {value!r}")
    return int(value)


def _one_of(value: Any, choices: tuple[str, ...], setting: str) -> str:
    _check(value in choices, setting, f"{value!r} is not one of {', '.join(choices)}")
    return str(value)


# --- Elastic ---------------------------------------------------------------------------------------
def _ref_tactic(t: dict[str, Any], setting: str) -> dict[str, str]:
    _check(isinstance(t, dict) and isinstance(t.get("id"), str), setting, "a tactic needs an id (TA0005)")
    known = next((x for x in attack.TACTICS.values() if x.id == t["id"]), None)
    name = t.get("name") or (known.name if known else None)
    _check(bool(name), setting, f"tactic {t['id']} needs a name (siemc's table does not know it)")
    return {"id": t["id"], "name": str(name), "reference": t.get("reference") or f"https://attack.mitre.org/tactics/{t['id']}/"}


def _ref_technique(t: dict[str, Any], setting: str) -> dict[str, str]:
    _check(isinstance(t, dict) and isinstance(t.get("id"), str), setting, "a technique needs an id (T1578)")
    known = attack.technique(t["id"])
    return {"id": t["id"], "name": str(t.get("name") or known.name),
            "reference": t.get("reference") or known.reference}


def _threat_from_settings(threat: Any) -> list[dict[str, Any]]:
    setting = "elastic.threat"
    _check(isinstance(threat, list), setting, "expected a list of {tactic, technique} entries")
    out = []
    for entry in threat:
        _check(isinstance(entry, dict) and "tactic" in entry, setting, "each entry needs a tactic")
        techniques = entry.get("technique") or []
        if isinstance(techniques, dict):  # one technique may be written without the list
            techniques = [techniques]
        rendered = []
        for tech in techniques:
            item: dict[str, Any] = _ref_technique(tech, setting)
            subs = tech.get("subtechnique") or []
            item["subtechnique"] = [_ref_technique(s, setting) for s in (subs if isinstance(subs, list) else [subs])]
            rendered.append(item)
        out.append({"framework": entry.get("framework", "MITRE ATT&CK"),
                    "tactic": _ref_tactic(entry["tactic"], setting), "technique": rendered})
    return out


def _rule_tactics(meta: Meta) -> list[attack.Tactic]:
    """The rule's tactic tags; without any, the tactics of its techniques (from the table)."""
    if meta.tactics:
        return list(meta.tactics)
    found: list[attack.Tactic] = []
    for tech in meta.techniques:
        for short in tech.tactics[:1]:
            if attack.TACTICS[short] not in found:
                found.append(attack.TACTICS[short])
    return found


def _threat_from_tags(meta: Meta) -> list[dict[str, Any]]:
    tactics = _rule_tactics(meta)
    homes: dict[str, list[attack.Technique]] = {t.shortname: [] for t in tactics}
    for tech in meta.techniques:
        # Under each tagged tactic the technique belongs to; else under the rule's first tactic.
        fits = [t.shortname for t in tactics if t.shortname in tech.tactics] or [t.shortname for t in tactics[:1]]
        if not fits:
            meta.notes.append(f"Elastic: {tech.id} has no tactic to sit under: left out of the threat mapping")
        for short in fits:
            homes[short].append(tech)
    out = []
    for tactic in tactics:
        parents: dict[str, dict[str, Any]] = {}
        for tech in homes[tactic.shortname]:
            pid = tech.parent or tech.id
            if pid not in parents:
                parent = attack.technique(pid)
                parents[pid] = {"id": parent.id, "name": parent.name, "reference": parent.reference,
                                "subtechnique": []}
            if tech.parent:
                parents[pid]["subtechnique"].append({"id": tech.id, "name": tech.name, "reference": tech.reference})
        out.append({"framework": "MITRE ATT&CK",
                    "tactic": {"id": tactic.id, "name": tactic.name, "reference": tactic.reference},
                    "technique": list(parents.values())})
    return out


def _guide(meta: Meta, e: dict[str, Any]) -> str:
    """An investigation guide from what the Sigma rule says, for rules that bring none."""
    parts = ["## Triage and analysis", "", f"### Investigating {e['name']}", "", e["description"]]
    if e["false_positives"]:
        parts += ["", "### False positive analysis", ""] + [f"- {fp}" for fp in e["false_positives"]]
    parts += ["", "### Source", "", f"- Sigma rule `{meta.rule.id}` ({meta.rule.path.name}), compiled by siemc"]
    parts += [f"- {ref}" for ref in e["references"]]
    return "\n".join(parts) + "\n"


_DATE = re.compile(r"\d{4}/\d{2}/\d{2}")


def elastic(meta: Meta, query: str) -> dict[str, Any]:
    e = dict(meta.section("elastic"))
    e["severity"] = _one_of(e["severity"], ELASTIC_SEVERITIES, "elastic.severity")
    e["risk_score"] = _int(e["risk_score"], "elastic.risk_score", 0, 100)
    e["max_signals"] = _int(e["max_signals"], "elastic.max_signals", 1)
    e["version"] = _int(e["version"], "elastic.version", 1)
    interval = _duration(e["interval"], "elastic.interval")
    e["interval"] = short_duration(interval)
    _check(isinstance(e["from"], str) and e["from"].startswith("now-"), "elastic.from",
           f"expected now-<duration> (now-6m), got {e['from']!r}")
    _check(_duration(e["from"][4:], "elastic.from") >= interval, "elastic.from",
           f"{e['from']} looks back less than the interval {e['interval']}: events between runs would be missed")
    e["index"] = _strings(e["index"], "elastic.index", allow_empty=False)
    for key in ("author", "tags", "references", "false_positives", "integration"):
        e[key] = _strings(e[key], f"elastic.{key}")
    for key in ("creation_date", "updated_date"):
        _check(e[key] is None or bool(_DATE.fullmatch(str(e[key]))), f"elastic.{key}",
               f"expected YYYY/MM/DD, got {e[key]!r}")
    _check(isinstance(e["rule_id"], str) and bool(e["rule_id"]), "elastic.rule_id", "the rule needs an id")
    e["threat"] = _threat_from_settings(e["threat"]) if e["threat"] is not None else _threat_from_tags(meta)
    e["note"] = str(e["note"]) if e["note"] else _guide(meta, e)
    e["query"] = query
    return e


# --- Splunk ----------------------------------------------------------------------------------------
_SPLUNK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def splunk(meta: Meta, query: str) -> dict[str, Any]:
    s = dict(meta.section("splunk"))
    s["severity"] = _one_of(s["severity"], SPLUNK_SEVERITIES, "splunk.severity")
    s["risk_score"] = _int(s["risk_score"], "splunk.risk_score", 0)
    _check(not (s["index"] and s["macro"]), "splunk", "set index or macro, not both")
    prefix = ""
    if s["index"]:
        _check(isinstance(s["index"], str) and bool(_SPLUNK_NAME.fullmatch(s["index"])), "splunk.index",
               f"{s['index']!r} is not a Splunk index name")
        prefix = f'index="{s["index"]}" '
    elif s["macro"]:
        # A search macro (e.g. `cloudtrail`) that the customer defines as their index and sourcetype.
        _check(isinstance(s["macro"], str) and bool(_SPLUNK_NAME.fullmatch(s["macro"])), "splunk.macro",
               f"{s['macro']!r} is not a macro name")
        prefix = f"`{s['macro']}` "
    s["search"] = prefix + query
    s["annotations"] = {"mitre_attack": [t.id for t in meta.techniques]}
    risk: list[dict[str, Any]] = []
    if s["risk_object"]:
        ro = s["risk_object"]
        _check(isinstance(ro, dict) and {"field", "type"} <= set(ro), "splunk.risk_object", "needs field and type")
        risk.append({"risk_object_field": ro["field"], "risk_object_type": ro["type"], "risk_score": s["risk_score"]})
    if s["threat_object"]:
        to = s["threat_object"]
        _check(isinstance(to, dict) and {"field", "type"} <= set(to), "splunk.threat_object", "needs field and type")
        risk.append({"threat_object_field": to["field"], "threat_object_type": to["type"]})
    s["risk"] = risk
    s["suppress_fields"] = _strings(s["suppress_fields"], "splunk.suppress_fields")
    s["suppress_period"] = (short_duration(_duration(s["suppress_period"], "splunk.suppress_period"))
                            if s["suppress_period"] else None)
    _check(not s["suppress_fields"] or bool(s["suppress_period"]), "splunk.suppress_period",
           "suppressing by fields needs a period")
    return s


def splunk_app(settings: dict[str, Any]) -> dict[str, Any]:
    s = settings["splunk"]
    _check(isinstance(s["app"], str) and bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,79}", s["app"])), "splunk.app",
           f"{s['app']!r} is not a Splunk app id (a letter, then letters, digits, _ or -)")
    _check(bool(re.fullmatch(r"\d+\.\d+\.\d+", str(s["app_version"]))), "splunk.app_version",
           f"expected major.minor.patch, got {s['app_version']!r}")
    return {"id": s["app"], "label": str(s["app_label"]), "version": str(s["app_version"])}


# --- Sentinel --------------------------------------------------------------------------------------
def sentinel(meta: Meta, query: str) -> dict[str, Any]:
    s = dict(meta.section("sentinel"))
    try:
        s["id"] = str(uuid.UUID(str(s["id"])))
    except ValueError:
        raise SettingsError(f"sentinel.id: {s['id']!r} is not a GUID") from None
    s["severity"] = _one_of(s["severity"], SENTINEL_SEVERITIES, "sentinel.severity")
    _check(isinstance(s["name"], str) and 0 < len(s["name"]) <= 256, "sentinel.name", "1 to 256 characters")
    _check(len(s["description"]) <= 5000, "sentinel.description", "at most 5000 characters")
    _check(len(query) <= 10000, "sentinel query", f"{len(query)} characters, Sentinel takes at most 10000")
    freq = _duration(s["query_frequency"], "sentinel.query_frequency")
    period = _duration(s["query_period"], "sentinel.query_period")
    for name, value in (("query_frequency", freq), ("query_period", period)):
        _check(300 <= value <= 14 * 86400, f"sentinel.{name}", "Sentinel runs rules between every 5m and 14d")
    suppression = _duration(s["suppression_duration"], "sentinel.suppression_duration")
    s["event_grouping"] = _one_of(s["event_grouping"], ("AlertPerResult", "SingleAlert"), "sentinel.event_grouping")
    tactics = _rule_tactics(meta)
    s["tactics"] = list(dict.fromkeys(t.sentinel for t in tactics))
    meta.notes += [f"Sentinel has no tactic {t.name} (ATT&CK v19): rendered as {t.sentinel}"
                   for t in tactics if t.shortname in attack.SENTINEL_APPROXIMATE]
    ids = [t.id for t in meta.techniques]
    s["relevant_techniques"] = ids
    # The ARM API takes parent techniques and sub-techniques in separate lists.
    s["techniques"] = list(dict.fromkeys(t.split(".")[0] for t in ids))
    s["sub_techniques"] = [t for t in ids if "." in t]
    s.update(query=query, query_frequency=short_duration(freq), query_period=short_duration(period),
             query_frequency_iso=iso8601(freq), query_period_iso=iso8601(period),
             suppression_iso=iso8601(suppression))
    return s


# --- CloudWatch ------------------------------------------------------------------------------------
_LOG_GROUP = re.compile(r"[A-Za-z0-9_\-/.#]{1,512}")


def cloudwatch(meta: Meta, query: str) -> dict[str, Any]:
    c = dict(meta.section("cloudwatch"))
    name = f"{c['folder']}/{c['name']}" if c["folder"] else str(c["name"])
    _check(0 < len(name) <= 255, "cloudwatch.name", f"a saved query's name is 1 to 255 characters: {name!r}")
    _check(len(query) <= 10000, "cloudwatch query", f"{len(query)} characters, a saved query holds at most 10000")
    groups = _strings(c["log_groups"], "cloudwatch.log_groups")
    for g in groups:
        _check(bool(_LOG_GROUP.fullmatch(g)), "cloudwatch.log_groups", f"{g!r} is not a log group name")
    title = meta.rule.title
    description = f"siemc: {title} (Sigma rule {meta.rule.id}), a saved CloudWatch Logs Insights query"
    c.update(full_name=name, log_groups=groups, query=query, description=description[:1024])
    return c


# --- CloudWatch metric filter + alarm ----------------------------------------------------------------
# AWS::Logs::MetricFilter and AWS::CloudWatch::Alarm as CloudFormation validates them (cfn-lint's schemas).
_NAMESPACE = re.compile(r"[0-9A-Za-z._/#-]{1,255}")
_METRIC_NAME_BAD = re.compile(r"[^\x20-\x7e]|[:*$]")  # ASCII without : * $ (PutMetricFilter)
MAX_ALARM_ACTIONS = 5


def _metric_name(title: str) -> str:
    """A metric name from the rule's title: the characters a metric filter's name refuses become '-'."""
    return re.sub(r"-{2,}", "-", _METRIC_NAME_BAD.sub("-", title)).strip(" -")[:255]


def _alarm_period(value: Any) -> int:
    period = _duration(value, "cloudwatch.period")
    _check(period in (10, 30) or (period % 60 == 0 and period <= 86400), "cloudwatch.period",
           f"an alarm's period is 10s, 30s or whole minutes up to 1d, got {value!r}")
    return period


def metricfilter(meta: Meta, query: str) -> dict[str, Any]:
    c = dict(meta.section("cloudwatch"))
    _check(len(query) <= 1024, "metricfilter pattern", f"{len(query)} characters, a metric filter takes at most 1024")
    groups = _strings(c["log_groups"], "cloudwatch.log_groups")
    log_group = c["log_group"]
    if log_group is None and len(groups) == 1:
        log_group = groups[0]
    elif log_group is None and groups:
        meta.notes.append(f"a metric filter watches one log group and cloudwatch.log_groups lists {len(groups)}: "
                          "the template's LogGroupName has no default (set cloudwatch.log_group)")
    _check(log_group is None or (isinstance(log_group, str) and bool(_LOG_GROUP.fullmatch(log_group))),
           "cloudwatch.log_group", f"{log_group!r} is not a log group name")
    namespace = c["metric_namespace"]
    _check(isinstance(namespace, str) and bool(_NAMESPACE.fullmatch(namespace)) and not namespace.startswith("AWS/"),
           "cloudwatch.metric_namespace", f"{namespace!r}: letters, digits and . - _ / # (1 to 255, not AWS/...)")
    title = meta.rule.title
    name = c["metric_name"] if c["metric_name"] is not None else (_metric_name(title) or meta.rule.id)
    _check(isinstance(name, str) and 0 < len(name) <= 255 and not _METRIC_NAME_BAD.search(name),
           "cloudwatch.metric_name", f"{name!r}: 1 to 255 printable ASCII characters without : * $")
    default = c["default_value"]
    _check(default is None or (isinstance(default, int | float) and not isinstance(default, bool)
                               and math.isfinite(default)), "cloudwatch.default_value",
           f"expected a number (or null for none), got {default!r}")
    alarm_name = c["alarm_name"]
    _check(alarm_name is None or (isinstance(alarm_name, str) and 0 < len(alarm_name) <= 255), "cloudwatch.alarm_name",
           f"an alarm's name is 1 to 255 characters (or null for a generated one), got {alarm_name!r}")
    actions = _strings(c["alarm_actions"], "cloudwatch.alarm_actions")
    for arn in actions:
        # the template passes them as one comma-delimited parameter
        _check(arn.startswith("arn:") and "," not in arn, "cloudwatch.alarm_actions", f"{arn!r} is not an ARN")
    _check(len(actions) <= MAX_ALARM_ACTIONS, "cloudwatch.alarm_actions",
           f"an alarm takes at most {MAX_ALARM_ACTIONS} actions, got {len(actions)}")
    rule = f"{title} (Sigma rule {meta.rule.id})"
    c.update(pattern=query, log_group=log_group, metric_namespace=namespace, metric_name=name, default_value=default,
             alarm_name=alarm_name, alarm_actions=actions, period=_alarm_period(c["period"]),
             description=f"siemc: {rule}, a CloudWatch Logs metric filter and its alarm"[:1024],
             alarm_description=f"siemc: {rule} matched a CloudTrail record"[:1024])
    return c
