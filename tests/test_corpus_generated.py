"""The SigmaHQ AWS rules with generated cases (issue 5, item 3): every rule, on every registered
target, agrees with the reference on 8 generated matches and 8 near-misses, or is refused with a
reason. No errors, no divergences."""

from __future__ import annotations

import json
from functools import cache

import pytest

from compiler.check import Report, run_check
from compiler.generate import add_generated
from compiler.loader import LoadedRule, load_rules
from compiler.registry import resolve, targets
from tests.conftest import shared_path

PER_RULE = 8
SEED = 2026


@cache
def rules() -> list[LoadedRule]:
    found = list(load_rules([shared_path("corpus", "sigmahq", "rules", "cloud", "aws")]))
    assert all(isinstance(r, LoadedRule) for r in found)
    return found  # type: ignore[return-value]


@cache
def report(target: str) -> tuple[Report, list[str]]:
    cases: dict = {}
    notes = add_generated(rules(), cases, PER_RULE, SEED)
    return run_check(rules(), cases, [], resolve(target)), notes


def test_every_aws_rule_gets_generated_cases() -> None:
    r, notes = report("spl")
    assert len(rules()) == 57 and r.cases == 57 * 2 * PER_RULE
    # what could not be generated is said, never dropped in silence (none in this corpus today)
    assert [n for n in notes if n.startswith("note: not generated")] == []


@pytest.mark.parametrize("target", list(targets()))
def test_target_agrees_or_refuses_with_a_reason(target: str) -> None:
    r, _ = report(target)
    problems = [f"{x.rule} [{target}] {x.status}: {x.reason or ''}\n    query: {x.query}" + "".join(
        f"\n    {c.name}: reference {c.reference}, {target} {c.target}\n      event: {json.dumps(c.event)}"
        for c in x.cases if c.status == "diverge")
        for x in r.results if x.status not in ("agree", "unsupported")]
    assert not problems, "\n".join(problems)
    s = r.summary()
    assert s["errors"] == 0 and s["divergences"] == 0 and s["expectation_failures"] == 0
    assert all(x.reason for x in r.results if x.status == "unsupported")
    # most rules are really checked, not refused (a metric filter matches case-sensitively only, so it
    # refuses every case-insensitive value outside eventSource/eventName)
    assert sum(x.status == "agree" for x in r.results) >= (25 if target == "metricfilter" else 35)
