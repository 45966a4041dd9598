"""The render driver: a compiled rule + its target + a profile -> deployable files (path, bytes).

Per target, ARTIFACTS lists what is rendered for each rule (a template, written under
``<target>/<rule path><suffix>``) and what is bundled once per run from every rule's part (Elastic's
import NDJSON, Splunk's app package). Adding a target's artifacts is one place: templates under
``outputs/templates/<target>/``, a context function (platforms.py) and one ``TargetArtifacts`` entry
in ARTIFACTS, as the ``metricfilter`` target's ``AWS::Logs::MetricFilter`` + ``AWS::CloudWatch::Alarm``
template does. A registered target without an entry is skipped by ``-t all`` with a note.

Output is deterministic: no clock, no randomness; the only dates are the rule's own.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import PurePosixPath
from typing import Any

import jinja2

from compiler.loader import LoadedRule
from outputs import platforms
from outputs.filters import FILTERS, Escaped, EscapeError
from outputs.metadata import SPLUNK_APP, Layer, Meta, SettingsError, derive, merge

# Sentinel's portal export and content hub use this version; it is the first with subTechniques.
ARM_API_VERSION = "2023-12-01-preview"

File = tuple[str, bytes]


class RenderError(Exception):
    """An artifact that cannot be rendered for this rule; the message says which setting or value."""


@dataclass(frozen=True)
class Part:
    """One rule's contribution to a bundle."""

    rule: LoadedRule
    key: str  # must be unique in the bundle (rule_id, stanza name)
    text: str
    date: str | None  # the rule's last date, YYYY/MM/DD


@dataclass(frozen=True)
class RuleArtifact:
    name: str
    template: str
    suffix: str = ""
    write: bool = True  # False: only a part for a bundle
    post: Callable[[str], str] | None = None
    key: Callable[[dict[str, Any]], str] | None = None  # the part's key in its bundle, from the context
    check: Callable[[dict[str, Any]], None] | None = None


@dataclass(frozen=True)
class Bundle:
    name: str
    collects: str  # the rule artifact whose parts it bundles
    key_name: str  # what the parts' keys are, for the message when two rules share one
    build: Callable[[list[Part], dict[str, Any], str], list[File]]


@dataclass(frozen=True)
class TargetArtifacts:
    section: str  # the settings section (elastic, splunk, sentinel, cloudwatch)
    context: Callable[[Meta, str], dict[str, Any]]
    var: str  # the name templates see the context under
    rule: tuple[RuleArtifact, ...]
    bundles: tuple[Bundle, ...] = ()

    def names(self) -> list[str]:
        return [a.name for a in self.rule if a.write] + [b.name for b in self.bundles]


# --- the environment -------------------------------------------------------------------------------
def _only_escaped(value: Any) -> Any:
    if isinstance(value, Escaped):
        return value
    raise jinja2.TemplateError(f"template prints {value!r} without a format filter (toml, json, yaml, conf, ...)")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("outputs", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # escaping is per format, by the filters, never HTML
        finalize=_only_escaped,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render_template(name: str, **context: Any) -> str:
    try:
        return environment().get_template(name).render(**context)
    except EscapeError as e:
        raise RenderError(str(e)) from None


# --- per-format finishing --------------------------------------------------------------------------
def _one_json_line(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")) + "\n"


def _valid_json(text: str) -> str:
    json.loads(text)  # a template bug must fail here, not at the customer's import
    return text


def _needs_creation_date(e: dict[str, Any]) -> None:
    if not e["creation_date"]:
        raise RenderError("detection-rules TOML needs a creation date: give the rule a `date:` "
                          "(or --set elastic.creation_date=YYYY/MM/DD)")


# --- bundles ---------------------------------------------------------------------------------------
def _dedupe(parts: list[Part], what: str) -> tuple[list[Part], list[tuple[LoadedRule, str]]]:
    seen: dict[str, Part] = {}
    errors = []
    for p in parts:
        if p.key in seen:
            errors.append((p.rule, f"{what} {p.key!r} is also {seen[p.key].rule.path}'s: set a distinct one"))
        else:
            seen[p.key] = p
    return list(seen.values()), errors


def _ndjson_bundle(parts: list[Part], settings: dict[str, Any], target: str) -> list[File]:
    return [(f"{target}/kibana_import.ndjson", "".join(p.text for p in parts).encode())]


def _epoch(date: str | None) -> int:
    if not date:
        return 0
    return int(datetime.strptime(date, "%Y/%m/%d").replace(tzinfo=UTC).timestamp())


def tgz(files: Iterable[File], mtime: int) -> bytes:
    """A gzip'd tar that depends only on its files and ``mtime``: no clock, owner or host in it."""
    files = sorted(files)
    dirs = sorted({str(parent) for name, _ in files for parent in PurePosixPath(name).parents if str(parent) != "."})
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for d in dirs:
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime
            tar.addfile(info)
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, mtime
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def _splunk_app(parts: list[Part], settings: dict[str, Any], target: str) -> list[File]:
    app = platforms.splunk_app(settings)
    app["description"] = "Scheduled detections compiled from Sigma rules by siemc"
    app["rules"] = [p.key for p in parts]
    root = app["id"]
    conf = "# Compiled from Sigma rules by siemc: one stanza per rule.\n\n" + "\n".join(p.text for p in parts)
    files = [
        (f"{root}/default/app.conf", render_template("spl/app/default/app.conf.j2", app=app)),
        (f"{root}/default/savedsearches.conf", conf),
        (f"{root}/metadata/default.meta", render_template("spl/app/metadata/default.meta.j2", app=app)),
        (f"{root}/README.txt", render_template("spl/app/README.j2", app=app)),
        (f"{root}/app.manifest", _valid_json(render_template("spl/app/app.manifest.j2", app=app))),
    ]
    mtime = max((_epoch(p.date) for p in parts), default=0)
    return [(f"{target}/{root}.tgz", tgz(((n, t.encode()) for n, t in files), mtime))]


# --- the table -------------------------------------------------------------------------------------
ARTIFACTS: dict[str, TargetArtifacts] = {
    "eql": TargetArtifacts(
        "elastic", platforms.elastic, "e",
        (RuleArtifact("toml", "eql/rule.toml.j2", ".toml", check=_needs_creation_date),
         RuleArtifact("ndjson", "eql/rule.ndjson.j2", write=False, post=_one_json_line, key=lambda e: e["rule_id"])),
        (Bundle("ndjson", "ndjson", "rule_id", _ndjson_bundle),),
    ),
    "spl": TargetArtifacts(
        "splunk", platforms.splunk, "s",
        (RuleArtifact("conf", "spl/savedsearch.conf.j2", ".conf", key=lambda s: s["name"]),),
        (Bundle("app", "conf", "saved search", _splunk_app),),
    ),
    "kql": TargetArtifacts(
        "sentinel", platforms.sentinel, "s",
        (RuleArtifact("yaml", "kql/rule.yaml.j2", ".yaml"),
         RuleArtifact("arm", "kql/rule.arm.json.j2", ".arm.json", post=_valid_json)),
    ),
    "cwli": TargetArtifacts(
        "cloudwatch", platforms.cloudwatch, "c",
        (RuleArtifact("cfn", "cwli/query.yaml.j2", ".cfn.yaml"),),
    ),
    "metricfilter": TargetArtifacts(
        "cloudwatch", platforms.metricfilter, "m",
        (RuleArtifact("alarm", "metricfilter/alarm.yaml.j2", ".cfn.yaml"),),
    ),
}

# --- rendering -------------------------------------------------------------------------------------
@dataclass
class RuleOutput:
    files: list[File] = field(default_factory=list)
    parts: dict[str, Part] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # about the rule, whatever the target
    target_notes: list[str] = field(default_factory=list)  # about this target's artifacts
    errors: list[str] = field(default_factory=list)  # one per artifact that could not be rendered


def wanted(target: str, selected: set[str] | None) -> tuple[list[RuleArtifact], list[Bundle]]:
    """The rule artifacts to render (to write, or as parts) and the bundles to build for ``target``."""
    spec = ARTIFACTS[target]
    bundles = [b for b in spec.bundles if selected is None or b.name in selected]
    needed = {b.collects for b in bundles}
    rule = [a for a in spec.rule if (a.write and (selected is None or a.name in selected)) or a.name in needed]
    return rule, bundles


def _rule_date(rule: LoadedRule) -> str | None:
    last = rule.rule.modified or rule.rule.date
    return last.strftime("%Y/%m/%d") if last else None


def render_rule(rule: LoadedRule, target: str, query: str, rel: PurePosixPath, layers: list[Layer],
                compile_notes: Iterable[str] = (), selected: set[str] | None = None) -> RuleOutput:
    """Render one compiled rule's artifacts for ``target`` under the run ``layers`` (profile, --set).

    A setting the platform cannot take fails every artifact of the target; a value one format cannot
    carry fails that artifact only. Each failure is one message in ``errors``.
    """
    spec = ARTIFACTS[target]
    artifacts, _ = wanted(target, selected)
    out = RuleOutput()
    try:
        meta = derive(rule, layers)
        rule_notes = len(meta.notes)
        ctx = spec.context(meta, query)
    except SettingsError as e:
        out.errors.append(str(e))
        return out
    out.notes, out.target_notes = meta.notes[:rule_notes], meta.notes[rule_notes:]
    context = {spec.var: ctx, "notes": [*compile_notes, *meta.notes], "api_version": ARM_API_VERSION}
    for art in artifacts:
        try:
            if art.check:
                art.check(ctx)
            text = render_template(art.template, **context)
            if art.post:
                text = art.post(text)
        except RenderError as e:
            out.errors.append(f"{art.name}: {e}")
            continue
        if art.write and (selected is None or art.name in selected):
            out.files.append((f"{target}/{rel}{art.suffix}", text.encode()))
        if art.key:
            out.parts[art.name] = Part(rule, art.key(ctx), text, _rule_date(rule))
    return out


def build_bundles(target: str, parts: dict[str, list[Part]], layers: list[Layer],
                  selected: set[str] | None = None) -> tuple[list[File], list[tuple[LoadedRule, str]]]:
    """The target's bundles from every rule's parts; a duplicate key fails the later rule."""
    _, bundles = wanted(target, selected)
    settings = run_settings(layers)
    files: list[File] = []
    errors: list[tuple[LoadedRule, str]] = []
    for b in bundles:
        collected = parts.get(b.collects, [])
        if not collected:
            continue
        kept, dupes = _dedupe(collected, b.key_name)
        errors += dupes
        try:
            files += b.build(kept, settings, target)
        except (SettingsError, RenderError) as e:
            errors += [(p.rule, f"{b.name}: {e}") for p in kept]
    return files, errors


def run_settings(layers: list[Layer]) -> dict[str, Any]:
    """Run-wide settings, for bundles: the Splunk app is one per run, named by the profile or --set
    (a rule's own ``splunk.app`` cannot move it into another package)."""
    merged: dict[str, Any] = {"splunk": dict(SPLUNK_APP)}
    for layer in layers:
        merged = merge(merged, {"splunk": layer.values.get("splunk") or {}})
    return merged
