"""Generated cases (`siemc check --generate N --seed S`): deterministic, really matching, with
near-misses, and every target agrees on them for the seed rule."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from compiler.check import run_check
from compiler.evaluator import compile_rule as reference_of
from compiler.generate import add_generated, generate
from compiler.loader import LoadedRule, load_rules
from compiler.registry import resolve
from tests.conftest import ROOT, loaded, run_cli, sigma_rule

SEED_RULE = ROOT / "sigma" / "rules" / "cloud" / "aws" / "cloudtrail" / "aws_rds_db_instance_restored.yml"
CONFORMANCE = ROOT / "tests" / "conformance" / "rules"


def seed_rule() -> LoadedRule:
    [rule] = load_rules([SEED_RULE])
    assert isinstance(rule, LoadedRule)
    return rule


def dump(cases) -> str:  # type: ignore[no-untyped-def]
    return json.dumps([(c.name, c.event, c.expected) for c in cases], sort_keys=True)


def test_same_seed_same_events_other_seed_other_events() -> None:
    rule = seed_rule().rule
    first = generate(rule, 20, seed=7).cases
    assert len(first) == 40
    assert dump(first) == dump(generate(seed_rule().rule, 20, seed=7).cases)
    assert dump(first) != dump(generate(rule, 20, seed=8).cases)


def test_events_do_not_depend_on_the_hash_seed() -> None:
    """str hashing is salted per process: the events must not depend on it (two processes, two salts)."""
    code = ("from tests.test_generate import seed_rule, dump; from compiler.generate import generate; "
            "print(dump(generate(seed_rule().rule, 10, seed=3).cases))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                           env={**os.environ, "PYTHONHASHSEED": salt, "PYTHONPATH": str(ROOT)}).stdout
            for salt in ("1", "2")}
    assert len(outs) == 1


def test_matching_events_really_match_and_near_misses_exist() -> None:
    rule = seed_rule().rule
    made = generate(rule, 30, seed=1)
    predicate = reference_of(rule)
    matches = [c for c in made.cases if ": match: " in c.name]
    misses = [c for c in made.cases if ": near-miss: " in c.name]
    assert len(matches) == len(misses) == 30
    assert all(predicate(c.event) and c.expected is True for c in matches)
    assert made.unsatisfied == 0 and made.skipped == []
    # near-misses are labelled by the reference: some still match (case flipped), many do not
    assert sum(c.expected is False for c in misses) >= 10
    assert all(c.expected == predicate(c.event) for c in misses)
    kinds = {c.name.split("near-miss: ")[1].split(" in ")[0] for c in misses}
    assert {"eventName swapped", "case flipped"} <= kinds


def test_matching_events_are_realistic_cloudtrail_records() -> None:
    for case in generate(seed_rule().rule, 5, seed=2).cases[:5]:
        ev = case.event
        assert ev["eventVersion"] == "1.09" and ev["eventSource"].lower() == "rds.amazonaws.com"
        assert {"eventTime", "userIdentity", "awsRegion", "sourceIPAddress", "userAgent", "eventID"} <= set(ev)
        assert "errorCode" not in ev  # the rule asks for a successful call


@pytest.mark.parametrize("path", sorted(CONFORMANCE.glob("*.yml")), ids=lambda p: p.stem)
def test_every_conformance_construct_gets_matching_events(path) -> None:  # type: ignore[no-untyped-def]
    """Wildcards, |all, |re, |cidr, comparisons, null, exists, keywords, fieldref...: each construct of
    the conformance suite yields events the reference says match."""
    [rule] = load_rules([path])
    assert isinstance(rule, LoadedRule)
    made = generate(rule.rule, 8, seed=0)
    assert made.skipped == []
    assert sum(c.expected is True for c in made.cases[:8]) >= 6, [c.name for c in made.cases[:8]]


def test_regex_values_are_generated_and_the_rest_is_skipped_and_counted() -> None:
    rule = loaded(sigma_rule({"sel": {"userAgent|re": r"^aws-cli/[0-9]+\.\d{1,2}(\.x)? (Linux|Darwin)$"},
                              "condition": "sel"}))
    made = generate(rule.rule, 10, seed=4)
    assert made.skipped == [] and all(c.expected for c in made.cases[:10])
    # what no text matches (a word boundary between two letters) is skipped and counted, and the
    # cases are kept, labelled by the reference (pySigma's RE2 check already rejects lookarounds)
    rule = loaded(sigma_rule({"sel": {"userAgent|re": r"a\bb"}, "condition": "sel"}))
    made = generate(rule.rule, 3, seed=4)
    assert made.skipped == [r"userAgent: regex /a\bb/: no matching text found"]
    assert len(made.cases) == 6 and made.unsatisfied == 3 and not any(c.expected for c in made.cases)


def test_conditions_with_not_and_of_are_satisfied() -> None:
    rule = loaded(sigma_rule({
        "sel_src": {"eventSource": "iam.amazonaws.com"},
        "sel_name": {"eventName|startswith": ["Create", "Delete"]},
        "filter_ua": {"userAgent|contains|all": ["aws-cli", "Linux"]},
        "filter_err": {"errorCode": None},
        "condition": "all of sel_* and not 1 of filter_*",
    }))
    made = generate(rule.rule, 20, seed=5)
    assert made.unsatisfied == 0
    for c in made.cases[:20]:  # not "errorCode: null": the error code is there, and not null
        assert c.expected is True and c.event.get("errorCode") is not None


def test_shared_rule_ids_leave_generated_cases_unlabelled() -> None:
    a = loaded(sigma_rule({"sel": {"eventName": "A"}, "condition": "sel"}))
    b = loaded(sigma_rule({"sel": {"eventName": "B"}, "condition": "sel"}))
    cases: dict = {}
    add_generated([a, b], cases, 2, seed=0)
    assert len(cases[a.id]) == 8 and all(c.expected is None for c in cases[a.id])
    report = run_check([a, b], cases, [], resolve("spl"))
    assert report.summary()["expectation_failures"] == 0


def test_every_target_agrees_on_the_seed_rule_with_generated_cases() -> None:
    rule = seed_rule()
    cases: dict = {}
    notes = add_generated([rule], cases, 25, seed=11)
    assert notes[0].startswith("note: --generate 25 --seed 11")
    report = run_check([rule], cases, [], resolve("all"))
    s = report.summary()
    problems = [(r.target, r.status, r.reason, [c.name for c in r.cases if c.status == "diverge"])
                for r in report.results if r.status not in ("agree", "unsupported")]
    assert problems == [] and s["errors"] == 0 and s["divergences"] == 0 and s["cases"] == 50
    assert all(r.reason for r in report.results if r.status == "unsupported")


def test_cli_generate_is_byte_identical_and_exits_0() -> None:
    first = run_cli("check", "sigma", "--generate", "5", "--seed", "1", "-f", "json")
    second = run_cli("check", "sigma", "--generate", "5", "--seed", "1", "-f", "json")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr
    assert first.stdout == second.stdout
    doc = json.loads(first.stdout)
    names = [c["name"] for c in doc["results"][0]["cases"]]
    assert sum(n.startswith("generated ") for n in names) == 10
