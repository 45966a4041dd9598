"""The SigmaHQ AWS rules: every rule, every target, a valid query or a refusal naming the construct."""

from __future__ import annotations

import re
from functools import cache

import pytest

from compiler.driver import Compiled, compile_rule
from compiler.loader import LoadedRule, LoadError, load_rules
from compiler.registry import resolve
from tests.conftest import ROOT, shared_path
from tests.validators import eql_parse_error, kusto_errors

REFUSAL = re.compile(r"^.+ is not supported on [a-z]+: .+$")


@cache
def aws_results() -> list[tuple[LoadedRule, list[Compiled]]]:
    rules = list(load_rules([shared_path("corpus", "sigmahq", "rules", "cloud", "aws")]))
    bad = [r for r in rules if isinstance(r, LoadError)]
    assert bad == []
    targets = resolve("all")
    return [(r, [compile_rule(r, t) for t in targets]) for r in rules if isinstance(r, LoadedRule)]


def test_all_57_aws_rules_compile_or_refuse_by_name() -> None:
    results = aws_results()
    assert len(results) == 57
    for rule, compiled in results:
        for c in compiled:
            if c.query is None:
                assert c.refused and REFUSAL.match(c.error or ""), f"{rule.path} {c.target}: {c.error}"


def test_every_emitted_eql_parses_with_elastics_parser() -> None:
    queries = [c.query for _, cs in aws_results() for c in cs if c.target == "eql" and c.query]
    queries += [compile_rule(r, resolve("eql")[0]).query for r in load_rules([ROOT / "sigma" / "rules"])]
    assert len(queries) > 30
    errors = {q: e for q in queries if q and (e := eql_parse_error(q))}
    assert errors == {}


def test_every_emitted_kql_has_no_kusto_error() -> None:
    queries = [c.query for _, cs in aws_results() for c in cs if c.target == "kql" and c.query]
    assert len(queries) > 30
    problems = {q: e for q, e in zip(queries, kusto_errors(queries)) if e}
    assert problems == {}


def test_backend_table_queries_are_valid() -> None:
    from tests.conftest import loaded, sigma_rule
    from tests.test_backends import ROWS

    eql_q, kql_q = [], []
    for _, detection, _ in ROWS:
        rule = loaded(sigma_rule(detection))
        for t in resolve("eql,kql"):
            q = compile_rule(rule, t).query
            if q:
                (eql_q if t.name == "eql" else kql_q).append(q)
    assert {q: e for q in eql_q if (e := eql_parse_error(q))} == {}
    assert {q: e for q, e in zip(kql_q, kusto_errors(kql_q)) if e} == {}


@pytest.mark.parametrize("target", ["eql", "spl", "kql", "cwli"])
def test_corpus_counts_are_stable_per_target(target: str) -> None:
    compiled = [c for _, cs in aws_results() for c in cs if c.target == target]
    ok = sum(c.query is not None for c in compiled)
    # every target compiles most of the corpus; EQL refuses what Elastic cannot store or query
    assert ok + sum(c.refused for c in compiled) == 57
    assert ok >= (40 if target == "eql" else 50)
