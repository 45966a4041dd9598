"""Elastic's own query for the seed (shared/seeds) against siemc's EQL, on the Elastic view of the
seed cases: they match the same events except where Elastic's rule means something else, named here."""

from __future__ import annotations

import re

import pytest

from compiler.cases import load_cases
from compiler.driver import compile_rule
from compiler.loader import load_rules
from compiler.registry import resolve
from tests.conftest import ROOT, shared_path

# Elastic's event.outcome is "failure" when errorCode OR errorMessage exists; the Sigma rule (and the
# issue) define success as "no errorCode". A record with only an errorMessage differs, by design.
# Elastic's query also compares with == and in, which are case-sensitive in EQL, while Sigma values
# match case-insensitively: a record whose eventName or eventSource differs in case differs too.
DIFFER = {
    "errorMessage without errorCode: the rule only looks at errorCode",
    "eventName in lower case matches (Sigma is case-insensitive)",
    "eventSource in upper case matches",
}
# Elastic's pipeline deletes "" and null, so its query cannot see these errorCodes either: both
# queries agree with each other there, and check reports those cases as lossy against Sigma.


def elastic_query() -> str:
    text = shared_path("seeds", "elastic-aws-rds-db-instance-restored.md").read_text()
    match = re.search(r"## Rule query.*?```js\n(.*?)```", text, re.S)
    assert match, "the seed document's query block moved"
    return match.group(1).strip()


def test_elastic_rule_and_siemc_agree_except_named_events() -> None:
    pytest.importorskip("eql", reason="pip install 'siemc[verify]'")
    from engines.eql_engine import EqlEngine

    [rule] = list(load_rules([ROOT / "sigma" / "rules"]))
    ours = compile_rule(rule, resolve("eql")[0]).query
    assert ours
    cases = load_cases([ROOT / "sigma" / "cases"])[rule.id]
    engine = EqlEngine()
    docs = [engine.view(c.event).doc for c in cases]
    theirs_answers = engine.run(elastic_query(), docs)
    ours_answers = engine.run(ours, docs)
    differ = {c.name for c, a, b in zip(cases, theirs_answers, ours_answers) if a != b}
    assert differ == DIFFER
    assert sum(ours_answers) >= 8
