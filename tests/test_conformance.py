"""The conformance suite (tests/conformance): one small rule per Sigma construct with labelled cases,
run on every registered target. A target agrees or declares the construct unsupported, with a reason."""

from __future__ import annotations

from functools import cache

import pytest

from compiler.cases import load_cases
from compiler.check import Report, run_check
from compiler.loader import LoadedRule, load_rules
from compiler.registry import resolve, targets
from tests.conftest import ROOT

SUITE = ROOT / "tests" / "conformance"


@cache
def report(target: str) -> Report:
    rules = [r for r in load_rules([SUITE / "rules"]) if isinstance(r, LoadedRule)]
    return run_check(rules, load_cases([SUITE / "cases"]), [], resolve(target))


def test_suite_is_whole() -> None:
    rules = list(load_rules([SUITE / "rules"]))
    assert all(isinstance(r, LoadedRule) for r in rules) and len(rules) >= 30
    cases = load_cases([SUITE / "cases"])
    assert {r.id for r in rules} <= set(cases), "every conformance rule has labelled cases"


@pytest.mark.parametrize("target", list(targets()))
def test_target_agrees_or_refuses_by_name(target: str) -> None:
    r = report(target)
    s = r.summary()
    assert s["expectation_failures"] == 0, [(e.rule, e.case) for e in r.expectations]
    problems = [(x.rule, x.status, x.reason, [c.name for c in x.cases if c.status == "diverge"])
                for x in r.results if x.status not in ("agree", "unsupported")]
    assert problems == []
    assert all(x.reason for x in r.results if x.status == "unsupported")
