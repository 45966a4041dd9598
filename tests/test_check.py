"""`siemc check`: the seed agrees everywhere, and a deliberately wrong translation is caught."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from backends.pattern import Pattern, Wild
from compiler.cases import Case, load_cases
from compiler.check import run_check
from compiler.loader import load_rules
from compiler.registry import resolve
from tests.conftest import ROOT, loaded, run_cli, sigma_rule

SEED_ID = "7c9d8c35-67c0-40c9-b573-45f848d0dad4"


def seed_report(targets: str = "all"):  # type: ignore[no-untyped-def]
    rules = list(load_rules([ROOT / "sigma" / "rules"]))
    return run_check(rules, load_cases([ROOT / "sigma" / "cases"]), [], resolve(targets))


def test_seed_agrees_on_every_target() -> None:
    report = seed_report()
    s = report.summary()
    assert s["rules"] == 1 and s["cases"] >= 20
    assert s["divergences"] == 0 and s["expectation_failures"] == 0 and s["errors"] == 0, [
        (r.target, r.reason, [c.name for c in r.cases if c.status == "diverge"]) for r in report.results]
    from compiler.registry import targets

    assert s["agree"] == len(targets())


def test_lossy_cases_name_their_reason() -> None:
    report = seed_report("eql")
    lossy = [c for r in report.results for c in r.cases if c.status == "lossy"]
    # Elastic's pipeline drops empty and null values, so errorCode "" and null read as absent
    assert {c.name for c in lossy} == {"an empty errorCode is still an errorCode (present)",
                                       "a null errorCode is still an errorCode (present)"}
    assert all("errorCode" in (c.reason or "") for c in lossy)


def test_dropping_case_folding_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from backends.eql import EqlBackend

    original = EqlBackend.match
    monkeypatch.setattr(EqlBackend, "match", lambda self, f, p, cased: original(self, f, p, True))
    report = seed_report("eql")
    [result] = report.results
    assert result.status == "diverge"
    assert "eventName in lower case matches (Sigma is case-insensitive)" in {
        c.name for c in result.cases if c.status == "diverge"}
    assert report.failed


def test_widening_single_wildcard_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from backends.cwli import CwliBackend

    original = CwliBackend.match

    def widened(self, f, p: Pattern, cased):  # type: ignore[no-untyped-def]
        return original(self, f, Pattern(tuple(Wild.ANY if x is Wild.ONE else x for x in p.parts)), cased)

    rule = loaded(sigma_rule({"sel": {"eventName": "Create?ccessKey"}, "condition": "sel"}))
    cases = [Case("one character", {"eventName": "CreateAccessKey"}, True, "t"),
             Case("two characters", {"eventName": "CreateXYccessKey"}, False, "t")]
    assert not run_check([rule], {rule.id: cases}, [], resolve("cwli")).failed
    monkeypatch.setattr(CwliBackend, "match", widened)
    report = run_check([rule], {rule.id: cases}, [], resolve("cwli"))
    assert report.failed
    assert [c.name for c in report.results[0].cases if c.status == "diverge"] == ["two characters"]


def test_expectation_failure_is_reported() -> None:
    rule = loaded(sigma_rule({"sel": {"eventName": "A"}, "condition": "sel"}))
    report = run_check([rule], {rule.id: [Case("mislabelled", {"eventName": "B"}, True, "t")]}, [], resolve("spl"))
    assert report.summary()["expectation_failures"] == 1 and report.failed


def test_cli_json_and_junit(tmp_path: Path) -> None:
    out = run_cli("check", "sigma", "-f", "json")
    assert out.returncode == 0, out.stdout + out.stderr
    doc = json.loads(out.stdout)
    assert set(doc["summary"]) == {"rules", "targets", "cases", "agree", "divergences", "expectation_failures",
                                   "lossy", "unsupported", "errors"}
    assert {r["target"] for r in doc["results"]} >= {"eql", "spl", "kql", "cwli"}
    assert all({"name", "expected", "reference", "target", "status"} <= set(c) for r in doc["results"]
               for c in r["cases"])
    junit = tmp_path / "report.xml"
    out = run_cli("check", "sigma", "-f", "junit", "-o", str(junit))
    assert out.returncode == 0
    suites = ET.parse(junit).getroot()
    assert [s.get("name") for s in suites][:4] == ["eql", "spl", "kql", "cwli"]


def test_cli_exit_1_on_divergent_events(tmp_path: Path) -> None:
    rule = tmp_path / "rules" / "r.yml"
    rule.parent.mkdir()
    rule.write_text("title: r\nid: 11111111-2222-4333-8444-555555555555\n"
                    "logsource: {product: aws, service: cloudtrail}\n"
                    "detection: {sel: {eventName: A}, condition: sel}\n")
    cases = tmp_path / "cases" / "r.yml"
    cases.parent.mkdir()
    cases.write_text("rule: 11111111-2222-4333-8444-555555555555\ncases:\n"
                     "  - {name: wrong label, match: false, event: {eventName: a}}\n")
    out = run_cli("check", str(tmp_path), "-t", "spl")
    assert out.returncode == 1
    assert "EXPECTATION on case 'wrong label'" in out.stdout


def test_seed_fixtures_from_elastic_match(tmp_path: Path) -> None:
    """Elastic's own fixtures for both seed API calls are realistic cases: all targets agree."""
    from tests.conftest import shared_path

    folder = shared_path("corpus", "elastic-cloudtrail-pipeline")
    rules = list(load_rules([ROOT / "sigma" / "rules"]))
    cases = []
    for name in ("test-restore-db-instnace-from-snapshot-json.log", "test-restore-db-instnace-from-s3-json.log"):
        for line in (folder / name).read_text().splitlines():
            if line.strip():
                cases.append(Case(name, json.loads(line), True, name))
    report = run_check(rules, {SEED_ID: cases}, [], resolve("all"))
    assert not report.failed, [(r.target, r.reason) for r in report.results]
    assert all(c.status == "agree" for r in report.results for c in r.cases)


def test_reference_folds_case_one_way() -> None:
    """Plain and wildcard values fold case alike (found by fuzzing: they used to disagree)."""
    from compiler.evaluator import compile_rule as reference

    plain = reference(loaded(sigma_rule({"s": {"eventName": "StopLogging"}, "condition": "s"})).rule)
    prefix = reference(loaded(sigma_rule({"s": {"eventName|startswith": "StopLogging"}, "condition": "s"})).rule)
    for text in ("StopLoggıng", "ſtopLogging", "STOPLOGGING", "stoplogging"):
        assert plain({"eventName": text}) == prefix({"eventName": text}), text


def test_reference_numbers_are_json_numbers() -> None:
    from compiler.evaluator import compile_rule as reference

    gte = reference(loaded(sigma_rule({"s": {"requestParameters.durationSeconds|gte": 3600},
                                        "condition": "s"})).rule)
    for text, want in (("3600", True), ("3600.5", True), ("3.6e3", True), (" 3600", False), ("3_600", False),
                       ("+3600", False), ("inf", False), ("٣٦٠٠", False), ("3600.", False)):
        assert gte({"requestParameters": {"durationSeconds": text}}) is want, text
    assert gte({"requestParameters": {"durationSeconds": 7200}}) is True


def test_other_log_sources_are_checked_on_events_as_they_are() -> None:
    rule = loaded(sigma_rule({"sel": {"Image|endswith": "\\whoami.exe", "CommandLine|contains": "/all"},
                              "condition": "sel"}, logsource={"product": "windows", "category": "process_creation"}))
    cases = [Case("hit", {"Image": "C:\\Windows\\System32\\WHOAMI.EXE", "CommandLine": "whoami /ALL"}, True, "t"),
             Case("miss", {"Image": "C:\\Windows\\System32\\whoami.exe", "CommandLine": "whoami"}, False, "t"),
             Case("absent", {"EventID": 1}, False, "t")]
    report = run_check([rule], {rule.id: cases}, [], resolve("eql,spl,cwli"))
    assert not report.failed, [(r.target, r.status, r.reason) for r in report.results]
    assert [r.status for r in report.results] == ["agree", "agree", "agree"]
