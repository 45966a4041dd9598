"""The command line as users and CI call it: exit codes and one-line errors naming the file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT, run_cli

SEED = "sigma/rules/cloud/aws/cloudtrail/aws_rds_db_instance_restored.yml"


def test_compile_seed_all_targets_prints_every_query() -> None:
    from compiler.registry import targets

    out = run_cli("compile", SEED)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert [line.split("[")[1].split("]")[0] for line in lines if line.startswith("#")] == list(targets())


def test_compile_one_target_prints_only_the_query() -> None:
    out = run_cli("compile", SEED, "-t", "sentinel")
    assert out.returncode == 0
    assert out.stdout.startswith("AWSCloudTrail | where ") and out.stdout.count("\n") == 1


def test_compile_json_lines() -> None:
    out = run_cli("compile", SEED, "-f", "json")
    doc = json.loads(out.stdout)
    assert doc["id"] == "7c9d8c35-67c0-40c9-b573-45f848d0dad4"
    assert set(doc["targets"]) >= {"eql", "spl", "kql", "cwli"}
    assert all(v["error"] is None and v["query"] for v in doc["targets"].values())


def test_unknown_target_is_a_usage_error() -> None:
    out = run_cli("compile", SEED, "-t", "qradar")
    assert out.returncode == 2
    assert "unknown target 'qradar'" in out.stderr and "Traceback" not in out.stderr


def test_folder_with_one_bad_rule_compiles_the_others(tmp_path: Path) -> None:
    (tmp_path / "good.yml").write_text((ROOT / SEED).read_text())
    (tmp_path / "broken.yml").write_text("title: x\ndetection: [unclosed\n")
    (tmp_path / "badmod.yml").write_text(
        "title: y\nlogsource: {product: aws, service: cloudtrail}\n"
        "detection: {sel: {eventName|nosuchmod: x}, condition: sel}\n")
    out = run_cli("compile", str(tmp_path), "-t", "eql")
    assert out.returncode == 1
    assert "any where" in out.stdout
    errors = [line for line in out.stderr.splitlines() if line.startswith("siemc:")]
    assert any("broken.yml: invalid YAML (line" in e for e in errors), errors
    assert any("badmod.yml: invalid rule" in e and "nosuchmod" in e for e in errors), errors
    assert "Traceback" not in out.stderr


def test_missing_path_is_a_usage_error() -> None:
    out = run_cli("compile", "no/such/rule.yml")
    assert out.returncode == 2 and "no/such/rule.yml: no such file or folder" in out.stderr


def test_refusal_exits_1_and_names_the_construct(tmp_path: Path) -> None:
    rule = tmp_path / "kw.yml"
    rule.write_text("title: kw\nlogsource: {product: aws, service: cloudtrail}\n"
                    "detection: {keywords: [ConsoleLogin], condition: keywords}\n")
    out = run_cli("compile", str(rule), "-t", "eql")
    assert out.returncode == 1
    assert "kw.yml: eql: keyword search" in out.stderr


def test_cases_files_are_never_taken_for_rules() -> None:
    out = run_cli("compile", "sigma", "-f", "json")
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 1


def test_evaluate_counts_and_lists(tmp_path: Path) -> None:
    events = tmp_path / "e.jsonl"
    rows = [
        {"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromS3"},
        {"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromS3", "errorCode": "AccessDenied"},
        {"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances"},
    ]
    events.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = run_cli("evaluate", SEED, str(events), "-f", "count")
    assert out.returncode == 0 and out.stdout == "1\n"
    out = run_cli("evaluate", SEED, str(events))
    assert [json.loads(line) for line in out.stdout.splitlines()] == rows[:1]
    cloudtrail = tmp_path / "ct.json"
    cloudtrail.write_text(json.dumps({"Records": rows}))
    assert run_cli("evaluate", SEED, str(cloudtrail), "-f", "count").stdout == "1\n"
    assert run_cli("evaluate", SEED, "-", "-f", "count", stdin=json.dumps(rows)).stdout == "1\n"


def test_evaluate_bad_events_file_names_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": 1}\n{"a": \n')
    out = run_cli("evaluate", SEED, str(bad))
    assert out.returncode == 2
    assert "bad.jsonl: invalid JSON at line 2" in out.stderr


def test_parallel_compile_matches_one_process(tmp_path: Path) -> None:
    from compiler.loader import yaml_files
    from compiler.parallel import compile_all
    from tests.conftest import shared_path

    files = list(yaml_files([shared_path("corpus", "sigmahq", "rules", "cloud")]))[:120]
    one = list(compile_all(files, "eql,spl", True, jobs=1))
    import compiler.parallel as parallel

    parallel.PARALLEL_FROM, saved = 1, parallel.PARALLEL_FROM
    try:
        many = list(compile_all(files, "eql,spl", True, jobs=2))
    finally:
        parallel.PARALLEL_FROM = saved
    assert [(r.path, [c.query for c in r.results], r.warnings) for r in one] == [
        (r.path, [c.query for c in r.results], r.warnings) for r in many]
