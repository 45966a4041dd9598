"""Labelled test events for rules (design.md, "Test cases"): a YAML document with a top-level
``cases`` key naming its rule by id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.loader import LoadError, is_cases, read_yaml, yaml_files


@dataclass(frozen=True)
class Case:
    name: str
    event: dict[str, Any]
    expected: bool | None  # None: no label, compared with the reference only
    source: str


def parse_cases(path: Path, doc: dict[str, Any]) -> tuple[str, list[Case]]:
    rule_id = doc.get("rule")
    if not isinstance(rule_id, str) or not rule_id:
        raise LoadError(f"{path}: a cases file needs 'rule: <rule id>'")
    items = doc.get("cases")
    if not isinstance(items, list):
        raise LoadError(f"{path}: 'cases' must be a list")
    cases = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("event"), dict):
            raise LoadError(f"{path}: case {i} needs an 'event' mapping")
        match = item.get("match")
        if match is not None and not isinstance(match, bool):
            raise LoadError(f"{path}: case {i}: 'match' must be true or false")
        cases.append(Case(str(item.get("name") or f"case {i}"), item["event"], match, f"{path}#{i}"))
    return rule_id, cases


def load_cases(paths: Iterable[Path]) -> dict[str, list[Case]]:
    """Cases by rule id from every cases file under ``paths`` (rule files are skipped)."""
    found: dict[str, list[Case]] = {}
    for path in yaml_files(paths):
        docs = read_yaml(path, events=True)
        for doc in docs:
            if is_cases(doc):
                rule_id, cases = parse_cases(path, doc)
                found.setdefault(rule_id, []).extend(cases)
    return found


def event_cases(events: Iterable[dict[str, Any]], source: str) -> list[Case]:
    """Unlabelled events from --events files: each is compared with the reference only."""
    return [Case(f"{source} event {i}", e, None, f"{source}#{i}") for i, e in enumerate(events, 1)]
