"""The parity check: every target's query, run by its engine on its platform's view of each case
event, must give the reference evaluator's answer (design.md, `siemc check`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backends.base import is_cloudtrail
from compiler.cases import Case
from compiler.driver import compile_rule
from compiler.evaluator import EvaluationError
from compiler.evaluator import compile_rule as reference_of
from compiler.fields import rule_fields, touches
from compiler.loader import LoadedRule
from compiler.registry import Target
from engines.base import View


@dataclass
class CaseResult:
    name: str
    expected: bool | None
    reference: bool | None
    target: bool | None
    status: str  # agree | diverge | lossy | skipped
    reason: str | None = None
    event: dict[str, Any] | None = None
    stored: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "expected": self.expected, "reference": self.reference,
                               "target": self.target, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class TargetResult:
    rule: str
    id: str
    title: str
    target: str
    status: str  # agree | diverge | unsupported | error
    query: str | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    cases: list[CaseResult] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "id": self.id, "target": self.target, "status": self.status,
                               "query": self.query, "reason": self.reason,
                               "cases": [c.as_json() for c in self.cases]}
        if self.notes:
            out["notes"] = self.notes
        return out


@dataclass
class Expectation:
    rule: str
    case: str
    expected: bool
    reference: bool


@dataclass
class Report:
    results: list[TargetResult]
    expectations: list[Expectation]
    rules: int
    targets: list[str]
    cases: int
    messages: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        case_statuses = [c.status for r in self.results for c in r.cases]
        return {
            "rules": self.rules,
            "targets": len(self.targets),
            "cases": self.cases,
            "agree": sum(r.status == "agree" for r in self.results),
            "divergences": case_statuses.count("diverge"),
            "expectation_failures": len(self.expectations),
            "lossy": case_statuses.count("lossy"),
            "unsupported": sum(r.status == "unsupported" for r in self.results),
            "errors": sum(r.status == "error" for r in self.results),
        }

    @property
    def failed(self) -> bool:
        s = self.summary()
        return bool(s["divergences"] or s["expectation_failures"] or s["errors"])


class _Engines:
    """One engine per target, made on first use; a missing engine package is an error, not a crash."""

    def __init__(self) -> None:
        self.made: dict[str, Any] = {}

    def get(self, target: Target) -> Any:
        if target.name not in self.made:
            try:
                self.made[target.name] = target.make_engine()
            except ImportError as e:
                self.made[target.name] = ImportError(
                    f"the {target.name} engine needs {e.name or e}: pip install 'siemc[verify]'")
        engine = self.made[target.name]
        if isinstance(engine, Exception):
            raise engine
        return engine


def check_rule(rule: LoadedRule, cases: list[Case], targets: list[Target], engines: _Engines,
               validate: Callable[[str, str], str | None] | None = None
               ) -> tuple[list[TargetResult], list[Expectation]]:
    base = dict(rule=str(rule.path), id=rule.id, title=rule.title)
    try:
        predicate = reference_of(rule.rule)
        reference = [predicate(c.event) for c in cases]
    except EvaluationError as e:
        return [TargetResult(**base, target=t.name, status="error", reason=f"reference: {e}")
                for t in targets], []
    expectations = [Expectation(str(rule.path), c.name, c.expected, ref)
                    for c, ref in zip(cases, reference) if c.expected is not None and c.expected != ref]
    fields = rule_fields(rule.rule)
    cloudtrail = is_cloudtrail(rule.rule)
    results = []
    for target in targets:
        compiled = compile_rule(rule, target)
        if compiled.query is None:
            status = "unsupported" if compiled.refused else "error"
            results.append(TargetResult(**base, target=target.name, status=status, reason=compiled.error))
            continue
        result = TargetResult(**base, target=target.name, status="agree", query=compiled.query,
                              notes=compiled.notes)
        results.append(result)
        problem = validate(target.name, compiled.query) if validate else None
        if problem:
            result.status, result.reason = "error", problem
            continue
        try:
            engine = engines.get(target)
            # platform views model CloudTrail; any other log source is taken as stored as it is
            views = [engine.view(c.event) if cloudtrail else View(c.event) for c in cases]
            if not cloudtrail and hasattr(engine, "raw_engine"):
                engine = engine.raw_engine([v.doc for v in views])
            answers = engine.run(compiled.query, [v.doc for v in views]) if cases else []
        except Exception as e:  # QueryError, or an engine's own failure: reported, never hidden
            result.status, result.reason = "error", f"{type(e).__name__}: {e}"
            continue
        for case, view, ref, got in zip(cases, views, reference, answers):
            if got == ref:
                result.cases.append(CaseResult(case.name, case.expected, ref, got, "agree"))
                continue
            losses = [f"{path}: {why}" for path, why in view.losses.items() if any(touches(f, path) for f in fields)]
            status = "lossy" if losses else "diverge"
            result.cases.append(CaseResult(case.name, case.expected, ref, got, status,
                                           "; ".join(losses) or None, case.event, view.doc))
        if any(c.status == "diverge" for c in result.cases):
            result.status = "diverge"
    return results, expectations


def run_check(rules: list[LoadedRule], cases_by_id: dict[str, list[Case]], extra: list[Case],
              targets: list[Target], validate: Callable[[str, str], str | None] | None = None,
              on_rule: Callable[[], None] | None = None) -> Report:
    engines = _Engines()
    results: list[TargetResult] = []
    expectations: list[Expectation] = []
    total = 0
    for rule in rules:
        cases = cases_by_id.get(rule.id, []) + extra
        total += len(cases)
        r, e = check_rule(rule, cases, targets, engines, validate)
        results.extend(r)
        expectations.extend(e)
        if on_rule:
            on_rule()
    return Report(results, expectations, len(rules), [t.name for t in targets], total)
