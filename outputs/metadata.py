"""A Sigma rule's deployment settings: derived from the rule, then overridden layer by layer.

Layers, lowest first: siemc's defaults (from the rule and its log source), the rule's own custom
attributes (``elastic:``, ``splunk:``, ``sentinel:``, ``cloudwatch:``, ``siemc:``), the profile's
defaults, the profile, their per-rule sections, then ``--set``. Later layers win.

Some platform values are *derived* from generic ones: severity and risk score from ``level`` and
``levels``, schedules from ``schedule``, ``enabled``. A derived value set explicitly (e.g. the seed's
``elastic.severity``) is kept unless a *later* layer changes what it derives from: a profile that
remaps ``levels.medium.elastic`` overrides a rule's own ``elastic.severity``; a rule's explicit value
overrides siemc's defaults.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from compiler.loader import LoadedRule
from outputs import attack, logsources
from outputs.filters import EscapeError, seconds, short_duration


class SettingsError(ValueError):
    """A setting that is unknown or has an unusable value; the message names where it came from."""


LEVEL_NAMES = ("informational", "low", "medium", "high", "critical")

# Elastic's own risk bands (21/47/73/99) serve every platform's risk score.
LEVELS: dict[str, dict[str, Any]] = {
    "informational": {"elastic": "low", "splunk": "informational", "sentinel": "Informational", "risk_score": 21},
    "low": {"elastic": "low", "splunk": "low", "sentinel": "Low", "risk_score": 21},
    "medium": {"elastic": "medium", "splunk": "medium", "sentinel": "Medium", "risk_score": 47},
    "high": {"elastic": "high", "splunk": "high", "sentinel": "High", "risk_score": 73},
    "critical": {"elastic": "critical", "splunk": "critical", "sentinel": "High", "risk_score": 99},
}

PLATFORMS = ("elastic", "splunk", "sentinel", "cloudwatch")

# Every key a layer may set. Unknown keys are errors: a typo in a profile must not pass silently.
KEYS: dict[str, frozenset[str]] = {
    "schedule": frozenset({"interval", "lookback"}),
    "elastic": frozenset({
        "rule_id", "name", "description", "version", "risk_score", "severity", "interval", "from",
        "max_signals", "index", "license", "author", "tags", "threat", "note", "timestamp_override",
        "maturity", "integration", "related_integrations", "enabled", "creation_date", "updated_date",
        "references", "false_positives",
        "query",  # accepted and ignored: the deployed query is always siemc's compiled, checked one
    }),
    "splunk": frozenset({
        "name", "description", "app", "app_label", "app_version", "index", "macro", "severity",
        "risk_score", "cron_schedule", "earliest_time", "latest_time", "schedule_window", "security_domain",
        "risk_object", "threat_object", "enabled", "suppress_fields", "suppress_period",
    }),
    "sentinel": frozenset({
        "id", "name", "description", "severity", "status", "version", "query_frequency", "query_period",
        "connectors", "entity_mappings", "workspace", "enabled", "suppression_duration",
        "suppression_enabled", "create_incident", "event_grouping",
    }),
    "cloudwatch": frozenset({
        "name", "folder", "log_groups",  # the saved Logs Insights query (cwli)
        # the metric filter and its alarm (metricfilter)
        "log_group", "metric_namespace", "metric_name", "default_value", "alarm_name", "alarm_actions", "period",
    }),
}
TOP_KEYS = frozenset({"level", "levels", "enabled", *KEYS})
LEVEL_KEYS = frozenset({"elastic", "splunk", "sentinel", "risk_score"})

# Derived platform values and the generic settings they derive from ("*" is any level).
DERIVED: dict[str, tuple[str, ...]] = {
    "elastic.severity": ("level", "levels.*.elastic"),
    "elastic.risk_score": ("level", "levels.*.risk_score"),
    "elastic.interval": ("schedule.interval",),
    "elastic.from": ("schedule.interval", "schedule.lookback"),
    "elastic.enabled": ("enabled",),
    "splunk.severity": ("level", "levels.*.splunk"),
    "splunk.risk_score": ("level", "levels.*.risk_score"),
    "splunk.cron_schedule": ("schedule.interval",),
    "splunk.earliest_time": ("schedule.interval", "schedule.lookback"),
    "splunk.latest_time": ("schedule.interval", "schedule.lookback"),
    "splunk.enabled": ("enabled",),
    "sentinel.severity": ("level", "levels.*.sentinel"),
    "sentinel.query_frequency": ("schedule.interval",),
    "sentinel.query_period": ("schedule.interval",),
    "sentinel.enabled": ("enabled",),
}

# The Splunk app every rule of a run is packaged in (run-wide: profile or --set, see render.py).
SPLUNK_APP = {"app": "siemc_detections", "app_label": "siemc detections", "app_version": "1.0.0"}

# Sigma status -> detection-rules maturity.
MATURITY = {"stable": "production", "test": "production", "experimental": "development",
            "deprecated": "deprecated", "unsupported": "development"}


@dataclass(frozen=True)
class Layer:
    source: str  # where the values came from, for error messages
    values: dict[str, Any]


@dataclass
class Meta:
    """A rule's resolved settings and the facts every platform's artifact draws on."""

    rule: LoadedRule
    settings: dict[str, Any]
    tactics: list[attack.Tactic]
    techniques: list[attack.Technique]
    notes: list[str] = field(default_factory=list)

    def section(self, name: str) -> dict[str, Any]:
        return self.settings[name]


# --- the layers ------------------------------------------------------------------------------------
def validate_layer(layer: Layer) -> None:
    values = layer.values
    if not isinstance(values, dict):
        raise SettingsError(f"{layer.source}: settings must be a mapping")
    for key, value in values.items():
        if key not in TOP_KEYS:
            raise SettingsError(f"{layer.source}: unknown setting '{key}' (known: {', '.join(sorted(TOP_KEYS))})")
        if key == "levels":
            if not isinstance(value, dict):
                raise SettingsError(f"{layer.source}: 'levels' must map level names to settings")
            for level, inner in value.items():
                if level not in LEVEL_NAMES or not isinstance(inner, dict):
                    raise SettingsError(f"{layer.source}: 'levels.{level}' is not a Sigma level with settings")
                for k in inner:
                    if k not in LEVEL_KEYS:
                        raise SettingsError(f"{layer.source}: unknown setting 'levels.{level}.{k}' "
                                            f"(known: {', '.join(sorted(LEVEL_KEYS))})")
        elif key in KEYS:
            if not isinstance(value, dict):
                raise SettingsError(f"{layer.source}: '{key}' must be a mapping")
            for k in value:
                if k not in KEYS[key]:
                    raise SettingsError(f"{layer.source}: unknown setting '{key}.{k}' "
                                        f"(known: {', '.join(sorted(KEYS[key]))})")
        elif key == "level" and value not in LEVEL_NAMES:
            raise SettingsError(f"{layer.source}: level '{value}' is not one of {', '.join(LEVEL_NAMES)}")


def rule_layer(rule: LoadedRule) -> Layer:
    """The rule's custom attributes that are siemc settings (``siemc:`` holds the generic ones)."""
    attrs = rule.rule.custom_attributes or {}
    values: dict[str, Any] = {k: copy.deepcopy(attrs[k]) for k in PLATFORMS if k in attrs}
    generic = attrs.get("siemc")
    if generic is not None:
        if not isinstance(generic, dict) or set(generic) & set(PLATFORMS):
            raise SettingsError(f"{rule.path}: 'siemc' must be a mapping of generic settings "
                                "(platform settings go under elastic:, splunk:, sentinel:, cloudwatch:)")
        values.update(copy.deepcopy(generic))
    return Layer(f"{rule.path} (custom attributes)", values)


def parse_assignment(text: str) -> Layer:
    """``--set key.path=value``; the value is read as YAML (``5m``, ``73``, ``[a, b]``, ``false``)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise SettingsError(f"--set {text!r}: expected key=value (e.g. schedule.interval=10m)")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    out: dict[str, Any] = {}
    cursor = out
    parts = [p.strip() for p in key.split(".")]
    for part in parts[:-1]:
        cursor = cursor.setdefault(part, {})
    cursor[parts[-1]] = value
    return Layer(f"--set {key.strip()}", out)


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: mappings merge key by key, anything else (lists included) is replaced."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else copy.deepcopy(v)
    return out


def _has(values: dict[str, Any], path: str) -> bool:
    head, _, rest = path.partition(".")
    if head == "*":
        return any(isinstance(v, dict) and (not rest or _has(v, rest)) for v in values.values())
    if head not in values:
        return False
    return not rest or (isinstance(values[head], dict) and _has(values[head], rest))


def _set(values: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        values = values.setdefault(part, {})
    values[last] = value


def resolve(layers: list[Layer]) -> dict[str, Any]:
    """Merge the layers and fill each derived value (see the module docstring for who wins)."""
    for layer in layers:
        validate_layer(layer)
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = merge(merged, layer.values)
    derived = _derive(merged)
    for path, deps in DERIVED.items():
        explicit = max((i for i, la in enumerate(layers) if _has(la.values, path)), default=-1)
        generic = max((i for i, la in enumerate(layers) if any(_has(la.values, d) for d in deps)), default=-1)
        if explicit < generic or explicit < 0:
            if isinstance(derived[path], SettingsError):  # only an error when it is used
                raise derived[path]
            _set(merged, path, derived[path])
    return merged


def _derive(s: dict[str, Any]) -> dict[str, Any]:
    level = s["level"]
    mapping = s["levels"][level]
    try:
        interval = seconds(s["schedule"]["interval"])
        lookback = seconds(s["schedule"]["lookback"]) if s["schedule"].get("lookback") else interval + 60
    except EscapeError as e:
        raise SettingsError(f"schedule: {e}") from None
    if lookback < interval:
        raise SettingsError(f"schedule: lookback {short_duration(lookback)} is shorter than the interval "
                            f"{short_duration(interval)}: events between two runs would never be searched")
    out: dict[str, Any] = {}
    for platform in ("elastic", "splunk", "sentinel"):
        out[f"{platform}.severity"] = mapping[platform]
        out[f"{platform}.enabled"] = s["enabled"]
    out["elastic.risk_score"] = out["splunk.risk_score"] = mapping["risk_score"]
    # Elastic de-duplicates alerts by event, so its windows overlap by lookback - interval.
    out["elastic.interval"] = short_duration(interval)
    out["elastic.from"] = f"now-{short_duration(lookback)}"
    # Splunk does not de-duplicate: its window is one interval long, ending lookback - interval ago
    # (the same margin, spent on indexing delay), snapped to the minute so successive runs tile.
    try:
        out["splunk.cron_schedule"] = cron(interval)
    except SettingsError as e:
        out["splunk.cron_schedule"] = e
    lag = lookback - interval
    snap = "@m" if interval % 60 == 0 and lag % 60 == 0 else ""
    out["splunk.earliest_time"] = f"-{short_duration(lookback)}{snap}"
    out["splunk.latest_time"] = (f"-{short_duration(lag)}{snap}" if lag else snap) or "now"
    # Sentinel neither de-duplicates nor shifts its window: it looks back exactly one interval.
    out["sentinel.query_frequency"] = out["sentinel.query_period"] = short_duration(interval)
    return out


def cron(interval: int) -> str:
    """A cron schedule that runs every ``interval`` seconds, when cron can say so."""
    minutes, rest = divmod(interval, 60)
    if rest == 0 and minutes < 60 and 60 % minutes == 0:
        return "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
    hours, rest = divmod(interval, 3600)
    if rest == 0 and hours < 24 and 24 % hours == 0:
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    if interval == 86400:
        return "0 0 * * *"
    raise SettingsError(f"schedule: an interval of {short_duration(interval)} has no cron form "
                        "(use minutes dividing an hour, hours dividing a day, or 1d; or set splunk.cron_schedule)")


# --- what the rule itself says ---------------------------------------------------------------------
def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _date(value: Any) -> str | None:
    return value.strftime("%Y/%m/%d") if isinstance(value, date) else None


def mitre(rule: LoadedRule) -> tuple[list[attack.Tactic], list[attack.Technique]]:
    """Tactics and techniques from the rule's ``attack.*`` tags, in tag order, without repeats."""
    tactics: list[attack.Tactic] = []
    techniques: list[attack.Technique] = []
    for tag in rule.rule.tags or []:
        if tag.namespace != "attack":
            continue
        name = tag.name.lower()
        if name in attack.TACTICS and attack.TACTICS[name] not in tactics:
            tactics.append(attack.TACTICS[name])
        elif name[:1] == "t" and name[1:].replace(".", "").isdigit():
            t = attack.technique(name)
            if t.id not in {x.id for x in techniques}:
                techniques.append(t)
    return tactics, techniques


def defaults_layer(rule: LoadedRule, tactics: list[attack.Tactic]) -> tuple[Layer, bool]:
    r = rule.rule
    ls = r.logsource
    platform, known = logsources.defaults_for(ls.product, ls.service, ls.category)
    level = r.level.name.lower() if r.level else "medium"
    authors = [a.strip() for a in (r.author or "").split(",") if a.strip()]
    created = _date(r.date)
    description = _text(r.description) or r.title
    references = [str(x) for x in r.references or []]
    false_positives = [_text(x) for x in r.falsepositives or [] if _text(x)]
    status = r.status.name.lower() if r.status else "test"
    license_ = _text(r.license)
    tags = list(platform["elastic"]["domain_tags"]) + [f"Tactic: {t.name}" for t in tactics]
    values: dict[str, Any] = {
        "level": level,
        "levels": copy.deepcopy(LEVELS),
        "enabled": True,
        "schedule": {"interval": "5m", "lookback": None},
        "elastic": {
            "rule_id": rule.id, "name": r.title, "description": description, "version": 1,
            "max_signals": 100, "index": list(platform["elastic"]["index"]), "author": authors,
            "tags": tags, "threat": None, "note": None, "timestamp_override": "event.ingested",
            "maturity": MATURITY.get(status, "development"),
            "integration": list(platform["elastic"]["integration"]),
            "related_integrations": copy.deepcopy(platform["elastic"]["related_integrations"]),
            "creation_date": created, "updated_date": _date(r.modified) or created,
            "references": references, "false_positives": false_positives, "license": license_ or None,
        },
        "splunk": {
            "name": r.title, "description": description, **SPLUNK_APP, "index": None, "macro": None,
            "schedule_window": "auto", "security_domain": platform["splunk"]["security_domain"],
            "risk_object": copy.deepcopy(platform["splunk"]["risk_object"]),
            "threat_object": copy.deepcopy(platform["splunk"]["threat_object"]),
            "suppress_fields": [], "suppress_period": None,
        },
        "sentinel": {
            "id": rule.id, "name": r.title, "description": description, "status": "Available",
            "version": "1.0.0", "connectors": copy.deepcopy(platform["sentinel"]["connectors"]),
            "entity_mappings": copy.deepcopy(platform["sentinel"]["entity_mappings"]),
            "workspace": None, "suppression_duration": "5h", "suppression_enabled": False,
            "create_incident": True,
            # One alert per matching event, as Elastic raises one per event.
            "event_grouping": "AlertPerResult",
        },
        "cloudwatch": {
            "name": r.title, "folder": "siemc", "log_groups": [],
            # As the CIS AWS Foundations alarms do: count matches over 5 minutes, alarm on one. DefaultValue 0
            # reports a 0 while logs arrive without a match, so the metric has no gaps (AWS's advice).
            "log_group": None, "metric_namespace": "siemc", "metric_name": None, "default_value": 0,
            "alarm_name": None, "alarm_actions": [], "period": "5m",
        },
    }
    return Layer("siemc defaults", values), known


def derive(rule: LoadedRule, run_layers: Iterable[Layer] = ()) -> Meta:
    """The rule's resolved settings under ``run_layers`` (profile, per-rule profile, --set)."""
    tactics, techniques = mitre(rule)
    base, known = defaults_layer(rule, tactics)
    settings = resolve([base, rule_layer(rule), *run_layers])
    notes = []
    if not rule.rule.level:
        notes.append("the rule has no level: rendered as medium")
    if not known:
        ls = rule.rule.logsource
        notes.append(f"siemc has no deployment defaults for log source {ls.product}/{ls.service}/{ls.category}: "
                     "no index, data connector or entity is assumed")
    notes += [f"ATT&CK technique {t.id} is not in siemc's table (outputs/attack.py): its id stands for its name"
              for t in techniques if not t.known]
    return Meta(rule, settings, tactics, techniques, notes)
