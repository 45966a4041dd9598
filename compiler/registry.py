"""Targets by name and alias. Built-ins are listed here; other distributions add theirs through
the ``siemc.targets`` entry point group (each entry point loads a Target)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from typing import Any


@dataclass(frozen=True)
class Target:
    name: str
    language: str
    platform: str
    backend: str  # "module:Class", imported when first used
    engine: str  # "module:Class" of the verification engine
    aliases: tuple[str, ...] = ()
    extension: str = "txt"
    artifacts: tuple[str, ...] = field(default=())

    def make_backend(self) -> Any:
        return _load(self.backend)()

    def make_engine(self) -> Any:
        return _load(self.engine)()


def _load(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


BUILTIN = (
    Target("eql", "Elasticsearch EQL", "Elastic Security (AWS integration, ECS)", "backends.eql:EqlBackend",
           "engines.eql_engine:EqlEngine", ("elastic",), "eql"),
    Target("spl", "Splunk SPL", "Splunk (Add-on for AWS, sourcetype aws:cloudtrail)", "backends.spl:SplBackend",
           "engines.spl_engine:SplEngine", ("splunk",), "spl"),
    Target("kql", "Kusto Query Language", "Microsoft Sentinel (table AWSCloudTrail)", "backends.kql:KqlBackend",
           "engines.kql_engine:KqlEngine", ("sentinel",), "kql"),
    Target("cwli", "CloudWatch Logs Insights", "AWS CloudWatch Logs (CloudTrail log group)",
           "backends.cwli:CwliBackend", "engines.cwli_engine:CwliEngine", ("cloudwatch",), "cwli"),
    Target("metricfilter", "CloudWatch metric filter pattern", "AWS CloudWatch Logs (CloudTrail log group)",
           "backends.metricfilter:MetricFilterBackend", "engines.metricfilter_engine:MetricFilterEngine",
           ("metric-filter",), "txt"),
)


class UnknownTarget(ValueError):
    pass


@cache
def targets() -> dict[str, Target]:
    """All targets by canonical name, built-ins first, then entry points in name order."""
    found = {t.name: t for t in BUILTIN}
    for ep in sorted(entry_points(group="siemc.targets"), key=lambda e: e.name):
        target = ep.load()
        if not isinstance(target, Target):
            raise TypeError(f"entry point siemc.targets:{ep.name} does not load a siemc Target")
        found.setdefault(target.name, target)
    return found


def default_targets() -> list[str]:
    """What `-t all` means: every registered target that compiles from one rule to one query."""
    return list(targets())


def resolve(spec: str) -> list[Target]:
    """A comma list of names or aliases, or `all`, to targets (in registry order, no repeats)."""
    table = targets()
    by_alias = {a: t for t in table.values() for a in (t.name, *t.aliases)}
    chosen: list[Target] = []
    for raw in spec.split(","):
        name = raw.strip().lower()
        if not name:
            continue
        picked = list(table.values()) if name == "all" else [by_alias.get(name)]
        if picked[0] is None:
            known = ", ".join(sorted(by_alias))
            raise UnknownTarget(f"unknown target '{raw.strip()}' (known: all, {known})")
        chosen.extend(t for t in picked if t not in chosen)
    if not chosen:
        raise UnknownTarget("no target given")
    return chosen
