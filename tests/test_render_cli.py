"""`siemc render` end to end: refusals, exit codes, artifact selection, --set, profiles per tenant,
byte-identical reruns."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import tarfile
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_cli, sigma_rule

SEED = ROOT / "sigma/rules/cloud/aws/cloudtrail/aws_rds_db_instance_restored.yml"
SEED_ID = "7c9d8c35-67c0-40c9-b573-45f848d0dad4"
NAME = "aws_rds_db_instance_restored"


def siemc(*args: str) -> subprocess.CompletedProcess[str]:
    """``siemc ARGS`` in this process (a fresh interpreter per call is most of a test's time)."""
    from compiler.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
    return subprocess.CompletedProcess(["siemc", *args], code, out.getvalue(), err.getvalue())


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def write_rule(path: Path, detection: dict[str, object], **extra: object) -> Path:
    path.write_text(yaml.safe_dump(sigma_rule(detection, date="2026-01-02", **extra), sort_keys=False))
    return path


def test_every_artifact_of_every_target(tmp_path: Path) -> None:
    result = run_cli("render", str(SEED), "-t", "all", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert set(files(tmp_path)) == {
        f"eql/{NAME}.toml", "eql/kibana_import.ndjson", f"spl/{NAME}.conf", "spl/siemc_detections.tgz",
        f"kql/{NAME}.yaml", f"kql/{NAME}.arm.json", f"cwli/{NAME}.cfn.yaml", f"metricfilter/{NAME}.cfn.yaml"}


def test_reruns_are_byte_identical(tmp_path: Path) -> None:
    for n in ("1", "2"):
        assert siemc("render", str(ROOT / "sigma"), "-t", "all", "-o", str(tmp_path / n)).returncode == 0
    first, second = files(tmp_path / "1"), files(tmp_path / "2")
    assert first == second and len(first) == 8
    # Folders keep the rules' own layout below the given path.
    assert "eql/rules/cloud/aws/cloudtrail/aws_rds_db_instance_restored.toml" in first


def test_a_refused_target_is_reported_and_writes_nothing(tmp_path: Path) -> None:
    # Elastic cannot query below requestParameters (a flattened field); the other targets can.
    rule = write_rule(tmp_path / "bucket.yml", {"sel": {"eventName": "DeleteBucket",
                                                        "requestParameters.bucketName": "prod"},
                                                "condition": "sel"})
    out = tmp_path / "out"
    result = siemc("render", str(rule), "-t", "all", "-o", str(out), "--no-warnings")
    assert result.returncode == 1
    refusals = [line for line in result.stderr.splitlines() if ": eql: " in line]
    assert len(refusals) == 1 and refusals[0].startswith(f"siemc: {rule}: eql: field requestParameters.bucketName")
    written = set(files(out))
    assert not any(p.startswith("eql/") for p in written)
    assert {"spl/bucket.conf", "kql/bucket.yaml", "kql/bucket.arm.json", "cwli/bucket.cfn.yaml"} <= written


def test_artifact_selection(tmp_path: Path) -> None:
    result = siemc("render", str(SEED), "-t", "all", "-a", "toml,app", "-a", "cfn", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert set(files(tmp_path)) == {f"eql/{NAME}.toml", "spl/siemc_detections.tgz", f"cwli/{NAME}.cfn.yaml"}


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    for args, message in [
        (["-t", "kql", "-a", "toml"], "unknown artifact toml"),
        (["-t", "all", "--set", "elastic.risk=1"], "unknown setting 'elastic.risk'"),
        (["-t", "all", "--set", "novalue"], "expected key=value"),
        (["-t", "all", "--profile", "acme"], "needs a profiles file"),
        (["-t", "nosuch"], "unknown target"),
    ]:
        result = siemc("render", str(SEED), *args, "-o", str(tmp_path / "x"))
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_set_overrides_the_run(tmp_path: Path) -> None:
    result = siemc("render", str(SEED), "-t", "eql,kql", "-o", str(tmp_path), "--set", "schedule.interval=1h",
                     "--set", "elastic.index=[logs-aws.cloudtrail-prod]", "--set", "enabled=false")
    assert result.returncode == 0, result.stderr
    rule = tomllib.loads((tmp_path / f"eql/{NAME}.toml").read_text())["rule"]
    assert (rule["interval"], rule["from"], rule["index"]) == ("1h", "now-61m", ["logs-aws.cloudtrail-prod"])
    assert json.loads((tmp_path / "eql/kibana_import.ndjson").read_text())["enabled"] is False
    arm = json.loads((tmp_path / f"kql/{NAME}.arm.json").read_text())["resources"][0]["properties"]
    assert (arm["queryFrequency"], arm["enabled"]) == ("PT1H", False)


def test_two_rules_cannot_share_a_bundle_key(tmp_path: Path) -> None:
    detection = {"sel": {"eventName": "X"}, "condition": "sel"}
    write_rule(tmp_path / "a.yml", detection)
    write_rule(tmp_path / "b.yml", detection, id="0f6a3f9e-1d2c-4b5a-8e7f-000000000009")  # same title
    result = siemc("render", str(tmp_path / "a.yml"), str(tmp_path / "b.yml"), "-t", "spl", "-o",
                     str(tmp_path / "out"), "--no-warnings")
    assert result.returncode == 1
    assert f"siemc: {tmp_path / 'b.yml'}: spl: saved search 'test rule' is also {tmp_path / 'a.yml'}'s" in result.stderr


PROFILES = {
    "defaults": {"schedule": {"interval": "10m"}},
    "profiles": {
        "acme": {
            "elastic": {"index": ["logs-aws.cloudtrail-acme"]},
            "splunk": {"index": "acme_aws", "app": "siemc_acme"},
            "sentinel": {"workspace": "acme-sentinel"},
            "cloudwatch": {"log_groups": ["aws-cloudtrail-logs-acme"]},
            "levels": {"medium": {"sentinel": "High"}},
        },
        "globex": {
            "splunk": {"macro": "globex_cloudtrail"},
            "cloudwatch": {"log_groups": ["trail-a", "trail-b"], "folder": "globex"},
            "rules": {SEED_ID: {"level": "critical", "schedule": {"interval": "1h"}}},
        },
    },
}


def render_profiles(tmp_path: Path, profile: str) -> tuple[Path, str]:
    config = tmp_path / "tenants.yml"
    config.write_text(yaml.safe_dump(PROFILES))
    out = tmp_path / "out"
    result = siemc("render", str(SEED), "-t", "all", "-o", str(out), "--config", str(config), "--profile", profile)
    assert result.returncode == 0, result.stderr
    return out, result.stderr


def cfn(path: Path) -> dict[str, object]:
    text = path.read_text()
    return yaml.safe_load(text.split("Conditions:")[0])  # the parameters part has no intrinsics


def test_profiles_write_one_folder_per_tenant_with_its_values(tmp_path: Path) -> None:
    out, _ = render_profiles(tmp_path, "all")
    assert sorted(p.name for p in out.iterdir()) == ["acme", "globex"]

    acme = tomllib.loads((out / f"acme/eql/{NAME}.toml").read_text())["rule"]
    assert acme["index"] == ["logs-aws.cloudtrail-acme"]
    assert (acme["interval"], acme["from"]) == ("10m", "now-11m")  # the config's defaults
    with tarfile.open(out / "acme/spl/siemc_acme.tgz") as tar:
        conf = tar.extractfile("siemc_acme/default/savedsearches.conf").read().decode()  # type: ignore[union-attr]
    assert 'search = index="acme_aws" sourcetype="aws:cloudtrail"' in conf
    arm = json.loads((out / f"acme/kql/{NAME}.arm.json").read_text())
    assert arm["parameters"]["workspace"]["defaultValue"] == "acme-sentinel"
    assert arm["resources"][0]["properties"]["severity"] == "High"  # the tenant's severity remap
    assert yaml.safe_load((out / f"acme/kql/{NAME}.yaml").read_text())["severity"] == "High"
    assert cfn(out / f"acme/cwli/{NAME}.cfn.yaml")["Parameters"]["LogGroupNames"]["Default"] == (
        "aws-cloudtrail-logs-acme")

    globex = tomllib.loads((out / f"globex/eql/{NAME}.toml").read_text())["rule"]
    assert globex["index"] == ["filebeat-*", "logs-aws.cloudtrail-*"]  # the seed's own
    assert (globex["severity"], globex["risk_score"], globex["interval"]) == ("critical", 99, "1h")  # per rule
    assert "search = `globex_cloudtrail` sourcetype=" in (out / f"globex/spl/{NAME}.conf").read_text()
    assert (out / "globex/spl/siemc_detections.tgz").is_file()
    workspace = json.loads((out / f"globex/kql/{NAME}.arm.json").read_text())["parameters"]["workspace"]
    assert "defaultValue" not in workspace
    template = cfn(out / f"globex/cwli/{NAME}.cfn.yaml")
    assert template["Parameters"]["LogGroupNames"]["Default"] == "trail-a,trail-b"
    assert "Name: globex/AWS RDS DB Instance Restored" in (out / f"globex/cwli/{NAME}.cfn.yaml").read_text()


def test_one_profile(tmp_path: Path) -> None:
    out, _ = render_profiles(tmp_path, "globex")
    assert [p.name for p in out.iterdir()] == ["globex"]


def test_an_unknown_profile_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "tenants.yml"
    config.write_text(yaml.safe_dump(PROFILES))
    result = siemc("render", str(SEED), "-t", "all", "-o", str(tmp_path / "o"), "--config", str(config),
                     "--profile", "initech")
    assert result.returncode == 2 and "no profile 'initech' (known: acme, globex)" in result.stderr
    config.write_text(yaml.safe_dump({"profiles": {"acme": {"splunk": {"indx": "a"}}}}))
    result = siemc("render", str(SEED), "-t", "all", "-o", str(tmp_path / "o"), "--config", str(config),
                     "--profile", "acme")
    assert result.returncode == 2 and "profile acme: unknown setting 'splunk.indx'" in result.stderr


def test_a_target_without_artifacts_is_skipped_by_all_and_refused_by_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # How a new target (e.g. metricfilter) behaves until its artifacts are added to outputs/render.py.
    from outputs import render

    monkeypatch.delitem(render.ARTIFACTS, "cwli")
    result = siemc("render", str(SEED), "-t", "all", "-o", str(tmp_path / "a"))
    assert result.returncode == 0 and "siemc: cwli: no deployable artifacts yet, skipped" in result.stderr
    assert not (tmp_path / "a/cwli").exists() and (tmp_path / "a/kql").is_dir()
    result = siemc("render", str(SEED), "-t", "cwli", "-o", str(tmp_path / "b"))
    assert result.returncode == 2 and "no deployable artifacts for target cwli" in result.stderr


def test_a_rule_without_a_date_has_no_toml_but_everything_else(tmp_path: Path) -> None:
    rule = tmp_path / "undated.yml"
    rule.write_text(yaml.safe_dump(sigma_rule({"sel": {"eventName": "X"}, "condition": "sel"})))
    result = siemc("render", str(rule), "-t", "eql", "-o", str(tmp_path / "out"), "--no-warnings")
    assert result.returncode == 1
    assert f"siemc: {rule}: eql: toml: detection-rules TOML needs a creation date" in result.stderr
    assert set(files(tmp_path / "out")) == {"eql/kibana_import.ndjson"}
