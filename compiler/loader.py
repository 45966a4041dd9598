"""Finding and loading Sigma rules and case files, with one clear error per bad file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

try:  # libyaml's C loader: YAML parsing is most of the time a corpus run takes
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pyyaml built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class _EventLoader(_Loader):  # type: ignore[misc, valid-type]
    """Case files hold raw events: a timestamp must stay the string CloudTrail wrote, not a datetime."""


_EventLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


class LoadError(Exception):
    """A file that is not a usable rule or case file; the message names the file and the problem."""


@dataclass
class LoadedRule:
    path: Path
    data: dict[str, Any]
    rule: SigmaRule
    warnings: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.rule.id) if self.rule.id else ""

    @property
    def title(self) -> str:
        return self.rule.title

    def fresh(self) -> SigmaRule:
        """A new copy: pySigma's pipelines change a rule in place, so each target gets its own."""
        return SigmaRule.from_dict(self.data)


def read_yaml(path: Path, events: bool = False) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LoadError(f"{path}: cannot read: {e}") from None
    try:
        return [d for d in yaml.load_all(text, Loader=_EventLoader if events else _Loader) if d is not None]
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise LoadError(f"{path}: invalid YAML{where}: {problem}") from None


def is_cases(doc: Any) -> bool:
    return isinstance(doc, dict) and "cases" in doc


def yaml_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Each path, or every .yml/.yaml below a folder, in sorted order (deterministic output)."""
    for p in paths:
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.suffix in (".yml", ".yaml") and q.is_file())
        elif p.exists():
            yield p
        else:
            raise LoadError(f"{p}: no such file or folder")


def load_rule_docs(path: Path, docs: list[Any]) -> list[LoadedRule]:
    rules = []
    for doc in docs:
        if not isinstance(doc, dict):
            raise LoadError(f"{path}: not a Sigma rule (a YAML mapping is expected)")
        if "correlation" in doc:
            raise LoadError(f"{path}: correlation rules are not supported by siemc yet")
        if "filter" in doc and "detection" not in doc:
            raise LoadError(f"{path}: Sigma filters are not supported by siemc yet")
        if "detection" not in doc:
            raise LoadError(f"{path}: not a Sigma rule (no detection section)")
        try:
            rule = SigmaRule.from_dict(doc)
            rule.detection.parsed_condition  # noqa: B018 - parse the condition now, so errors surface here
            for cond in rule.detection.parsed_condition:
                cond.parsed  # noqa: B018
        except SigmaError as e:
            raise LoadError(f"{path}: invalid rule: {e}") from None
        except Exception as e:  # pySigma raises plain errors for some malformed input
            raise LoadError(f"{path}: invalid rule: {type(e).__name__}: {e}") from None
        rules.append(LoadedRule(path, doc, rule))
    return rules


def load_rules(paths: Iterable[Path]) -> Iterator[LoadedRule | LoadError]:
    """Every rule under ``paths``; a bad file yields its LoadError and the others still load.

    Case files (top-level ``cases``) are never taken for rules.
    """
    for path in yaml_files(paths):
        try:
            docs = read_yaml(path)
            if any(is_cases(d) for d in docs):
                continue
            yield from load_rule_docs(path, docs)
        except LoadError as e:
            yield e
