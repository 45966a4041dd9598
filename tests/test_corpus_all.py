"""The whole SigmaHQ rules/ folder, every target: compiled or refused by name, never a crash, and
every emitted EQL and KQL accepted by the real parsers."""

from __future__ import annotations

from compiler.driver import compile_rule
from compiler.loader import LoadedRule, load_rules
from compiler.registry import resolve
from tests.conftest import shared_path
from tests.validators import eql_parse_error, kusto_errors


def test_whole_rules_folder() -> None:
    targets = resolve("all")
    queries: dict[str, list[str]] = {t.name: [] for t in targets}
    rules = 0
    for rule in load_rules([shared_path("corpus", "sigmahq", "rules")]):
        assert isinstance(rule, LoadedRule), str(rule)
        rules += 1
        for t in targets:
            c = compile_rule(rule, t)
            if c.query is None:
                assert c.refused and " is not supported on " in (c.error or ""), f"{rule.path} {t.name}: {c.error}"
            else:
                queries[t.name].append(c.query)
    assert rules > 3000
    assert len(queries["eql"]) > 2900 and len(queries["spl"]) > 2900 and len(queries["cwli"]) > 2900
    eql_errors = {q: e for q in queries["eql"] if (e := eql_parse_error(q))}
    assert eql_errors == {}
    kql = queries["kql"]
    assert {q: e for q, e in zip(kql, kusto_errors(kql)) if e} == {}
