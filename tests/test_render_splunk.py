"""Splunk: the savedsearches.conf stanza carries the schedule, window, alert and ES settings; ksconf
check passes on every .conf siemc writes, and Splunk's own AppInspect passes the packaged app."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHARED
from tests.test_render_cli import siemc

SEED = ROOT / "sigma/rules/cloud/aws/cloudtrail/aws_rds_db_instance_restored.yml"
APP = "siemc_detections"


def tool(name: str, install: str) -> str:
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if not found:
        pytest.skip(f"{name} is not installed: {install}")
    return found


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed and every SigmaHQ AWS rule in one app: many stanzas, quotes, regexes, long text."""
    dest = tmp_path_factory.mktemp("splunk")
    corpus = SHARED / "corpus/sigmahq/rules/cloud/aws"
    paths = [str(SEED)] + ([str(corpus)] if corpus.is_dir() else [])  # the seed alone exercises every check
    result = siemc("render", *paths, "-t", "spl", "-o", str(dest), "--no-warnings")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return dest


def members(tgz: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(tgz) as tar:
        return {m.name: m for m in tar.getmembers()}


def read_member(tgz: Path, name: str) -> str:
    with tarfile.open(tgz) as tar:
        f = tar.extractfile(name)
        assert f is not None
        return f.read().decode()


def test_the_seed_stanza(out: Path) -> None:
    from ksconf.conf.parser import parse_conf

    conf = parse_conf(str(out / "spl/aws_rds_db_instance_restored.conf"))
    s = conf["AWS RDS DB Instance Restored"]
    assert s["search"].startswith('sourcetype="aws:cloudtrail" ')
    assert (s["cron_schedule"], s["dispatch.earliest_time"], s["dispatch.latest_time"]) == ("*/5 * * * *", "-6m@m",
                                                                                              "-1m@m")
    assert (s["enableSched"], s["disabled"], s["schedule_window"]) == ("1", "0", "auto")
    assert (s["counttype"], s["relation"], s["quantity"]) == ("number of events", "greater than", "0")
    assert s["alert.suppress"] == "0" and s["alert.digest_mode"] == "0"
    assert s["action.correlationsearch.enabled"] == "1"
    assert json.loads(s["action.correlationsearch.annotations"]) == {"mitre_attack": ["T1578.002", "T1578.004"]}
    assert (s["action.notable.param.rule_title"], s["action.notable.param.severity"],
            s["action.notable.param.security_domain"]) == ("AWS RDS DB Instance Restored", "medium", "threat")
    assert json.loads(s["action.risk.param._risk"]) == [
        {"risk_object_field": "userIdentity.arn", "risk_object_type": "user", "risk_score": 47},
        {"threat_object_field": "sourceIPAddress", "threat_object_type": "ip_address"}]
    # The multi-line description survives the line continuations.
    assert s["description"].splitlines()[1].startswith("RestoreDBInstanceFromS3 API operations.")


def test_ksconf_check_passes_on_every_conf(out: Path, tmp_path: Path) -> None:
    ksconf = tool("ksconf", "pip install ksconf")
    tgz = out / f"spl/{APP}.tgz"
    with tarfile.open(tgz) as tar:
        tar.extractall(tmp_path, filter="data")
    confs = sorted(str(p) for p in [*out.rglob("*.conf"), *tmp_path.rglob("*.conf"), *tmp_path.rglob("*.meta")])
    assert any(c.endswith("default/savedsearches.conf") for c in confs)
    result = subprocess.run([ksconf, "check", *confs], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_app_package(out: Path) -> None:
    tgz = out / f"spl/{APP}.tgz"
    names = set(members(tgz))
    assert {f"{APP}/default/app.conf", f"{APP}/default/savedsearches.conf", f"{APP}/metadata/default.meta",
            f"{APP}/README.txt", f"{APP}/app.manifest"} <= names
    for m in members(tgz).values():
        assert (m.uid, m.gid, m.uname, m.gname) == (0, 0, "", "")  # nothing from the machine that built it
        assert m.mode == (0o755 if m.isdir() else 0o644)
    stanzas = read_member(tgz, f"{APP}/default/savedsearches.conf").count("\n[")
    rules = len(list(out.rglob("*.conf")))
    assert stanzas == rules  # every rule rendered for Splunk is in the app
    manifest = json.loads(read_member(tgz, f"{APP}/app.manifest"))
    assert manifest["info"]["id"]["name"] == APP


@pytest.fixture(scope="module")
def appinspect(out: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One AppInspect run per session (it is the slow validator)."""
    exe = tool("splunk-appinspect", "pip install splunk-appinspect")
    report = tmp_path_factory.mktemp("appinspect") / "report.json"
    result = subprocess.run([exe, "inspect", str(out / f"spl/{APP}.tgz"), "--included-tags", "cloud",
                             "--data-format", "json", "--output-file", str(report)],
                            capture_output=True, text=True, timeout=600)
    assert report.is_file(), result.stdout + result.stderr
    return json.loads(report.read_text())


def test_appinspect_cloud_passes(appinspect: dict[str, object]) -> None:
    problems = [(c["result"], c["name"], [m.get("message") for m in c["messages"]])
                for r in appinspect["reports"] for g in r["groups"] for c in g["checks"]  # type: ignore[attr-defined]
                if c["result"] in ("failure", "error", "future_failure", "warning", "manual_check")]
    assert problems == []
    summary = appinspect["summary"]
    assert summary["failure"] == summary["error"] == 0 and summary["success"] > 50  # type: ignore[index]


def test_the_app_is_byte_identical_when_rendered_again(out: Path, tmp_path: Path) -> None:
    again = siemc("render", str(SEED), "-t", "spl", "-o", str(tmp_path))
    assert again.returncode == 0, again.stderr
    single = (tmp_path / f"spl/{APP}.tgz").read_bytes()
    with tarfile.open(fileobj=io.BytesIO(single)) as tar:
        assert all(m.mtime == 1796342400 for m in tar.getmembers())  # 2026-12-04, the seed's own date
    again2 = siemc("render", str(SEED), "-t", "spl", "-o", str(tmp_path / "2"))
    assert again2.returncode == 0
    assert (tmp_path / f"2/spl/{APP}.tgz").read_bytes() == single
