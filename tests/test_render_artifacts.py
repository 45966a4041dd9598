"""Elastic, Sentinel and CloudFormation artifacts: they parse, carry what each importer requires,
embed the compiled query unchanged, and cfn-lint passes on every CloudFormation template."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.driver import compile_rule
from compiler.loader import load_rules
from compiler.registry import resolve
from tests.conftest import ROOT, shared_path
from tests.test_render_cli import siemc

SEED = ROOT / "sigma/rules/cloud/aws/cloudtrail/aws_rds_db_instance_restored.yml"
NAME = "aws_rds_db_instance_restored"


def tool(name: str, install: str) -> str:
    """A validator installed next to this Python (or on PATH); skipped only when really absent."""
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if not found:
        pytest.skip(f"{name} is not installed: {install}")
    return found


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("render")
    result = siemc("render", str(SEED), "-t", "all", "-o", str(dest))
    assert result.returncode == 0, result.stderr
    return dest


@pytest.fixture(scope="module")
def queries() -> dict[str, str]:
    [rule] = list(load_rules([SEED]))
    return {t.name: compile_rule(rule, t).query for t in resolve("all")}  # type: ignore[misc]


@pytest.fixture(scope="module")
def seed_elastic() -> dict[str, Any]:
    return yaml.safe_load(SEED.read_text())["elastic"]


# --- Elastic --------------------------------------------------------------------------------------
TOML_RULE_FIELDS = {"author", "description", "from", "index", "interval", "language", "license", "max_signals",
                    "name", "note", "references", "false_positives", "risk_score", "rule_id", "severity", "tags",
                    "timestamp_override", "type", "query", "threat"}
NDJSON_FIELDS = {"rule_id", "name", "description", "type", "language", "query", "index", "risk_score", "severity",
                 "interval", "from", "max_signals", "enabled", "version", "author", "license", "tags", "references",
                 "false_positives", "threat", "note", "timestamp_override", "exceptions_list", "actions",
                 "related_integrations", "required_fields"}


def check_seed_rule(rule: dict[str, Any], seed_elastic: dict[str, Any], query: str) -> None:
    assert rule["rule_id"] == "bf1073bf-ce26-4607-b405-ba1ed8e9e204"
    assert (rule["risk_score"], rule["severity"], rule["interval"], rule["from"], rule["max_signals"]) == (
        47, "medium", "5m", "now-6m", 100)
    assert rule["index"] == ["filebeat-*", "logs-aws.cloudtrail-*"]
    assert (rule["type"], rule["language"]) == ("eql", "eql")
    assert rule["query"] == query  # the compiled, checked query, never the attribute's own copy
    assert rule["note"] == seed_elastic["note"]
    assert rule["license"] == "Elastic License v2"
    sigma = yaml.safe_load(SEED.read_text())
    assert rule["references"] == sigma["references"]
    assert rule["false_positives"] == sigma["falsepositives"]
    [threat] = rule["threat"]
    assert threat["framework"] == "MITRE ATT&CK"
    assert threat["tactic"] == {"id": "TA0005", "name": "Defense Evasion",
                                "reference": "https://attack.mitre.org/tactics/TA0005/"}
    [technique] = threat["technique"]
    assert (technique["id"], technique["name"]) == ("T1578", "Modify Cloud Compute Infrastructure")
    assert [(s["id"], s["name"], s["reference"]) for s in technique["subtechnique"]] == [
        ("T1578.002", "Create Cloud Instance", "https://attack.mitre.org/techniques/T1578/002/"),
        ("T1578.004", "Revert Cloud Instance", "https://attack.mitre.org/techniques/T1578/004/")]


def test_detection_rules_toml(out: Path, queries: dict[str, str], seed_elastic: dict[str, Any]) -> None:
    doc = tomllib.loads((out / f"eql/{NAME}.toml").read_text())
    assert set(doc) == {"metadata", "rule"}
    assert doc["metadata"] == {"creation_date": "2026/12/04", "updated_date": "2026/12/04", "maturity": "production",
                               "integration": ["aws"]}
    assert set(doc["rule"]) >= TOML_RULE_FIELDS
    check_seed_rule(doc["rule"], seed_elastic, queries["eql"])


def test_kibana_import_ndjson(out: Path, queries: dict[str, str], seed_elastic: dict[str, Any]) -> None:
    lines = (out / "eql/kibana_import.ndjson").read_text().splitlines()
    assert len(lines) == 1  # one rule per line
    rule = json.loads(lines[0])
    assert set(rule) >= NDJSON_FIELDS
    check_seed_rule(rule, seed_elastic, queries["eql"])
    assert rule["version"] == 208 and rule["enabled"] is True
    assert rule["related_integrations"] == [{"package": "aws", "integration": "cloudtrail", "version": "^9.0.0"}]
    # A detection rule, not the saved search pySigma's kibana_ndjson emits (sigma-cli#4).
    assert "attributes" not in rule and "type" in rule


# --- Sentinel -------------------------------------------------------------------------------------
SENTINEL_TACTICS = {"Reconnaissance", "ResourceDevelopment", "InitialAccess", "Execution", "Persistence",
                    "PrivilegeEscalation", "DefenseEvasion", "CredentialAccess", "Discovery", "LateralMovement",
                    "Collection", "Exfiltration", "CommandAndControl", "Impact"}
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_sentinel_analytic_rule_yaml(out: Path, queries: dict[str, str]) -> None:
    rule = yaml.safe_load((out / f"kql/{NAME}.yaml").read_text())
    required = {"id", "name", "description", "severity", "requiredDataConnectors", "queryFrequency", "queryPeriod",
                "triggerOperator", "triggerThreshold", "tactics", "relevantTechniques", "query", "entityMappings",
                "version", "kind"}
    assert required <= set(rule)
    assert GUID.fullmatch(rule["id"]) and rule["kind"] == "Scheduled" and rule["severity"] == "Medium"
    assert rule["requiredDataConnectors"] == [{"connectorId": "AWS", "dataTypes": ["AWSCloudTrail"]},
                                              {"connectorId": "AWSS3", "dataTypes": ["AWSCloudTrail"]}]
    assert (rule["queryFrequency"], rule["queryPeriod"], rule["triggerOperator"], rule["triggerThreshold"]) == (
        "5m", "5m", "gt", 0)
    assert set(rule["tactics"]) <= SENTINEL_TACTICS and rule["tactics"] == ["DefenseEvasion"]
    assert rule["relevantTechniques"] == ["T1578.002", "T1578.004"]
    assert rule["query"] == queries["kql"]
    for mapping in rule["entityMappings"]:
        assert mapping["entityType"] in {"Account", "IP"}
        assert all({"identifier", "columnName"} == set(f) for f in mapping["fieldMappings"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", rule["version"])


def test_sentinel_arm_template(out: Path, queries: dict[str, str]) -> None:
    doc = json.loads((out / f"kql/{NAME}.arm.json").read_text())
    assert doc["$schema"].endswith("/deploymentTemplate.json#") and doc["contentVersion"]
    assert doc["parameters"]["workspace"]["type"] == "string"
    [res] = doc["resources"]
    assert res["type"] == "Microsoft.SecurityInsights/alertRules" and res["kind"] == "Scheduled"
    assert "parameters('workspace')" in res["scope"] and GUID.fullmatch(res["name"])
    p = res["properties"]
    assert (p["displayName"], p["severity"], p["enabled"], p["query"]) == (
        "AWS RDS DB Instance Restored", "Medium", True, queries["kql"])
    iso = re.compile(r"P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?")
    for key in ("queryFrequency", "queryPeriod", "suppressionDuration"):
        assert iso.fullmatch(p[key]), (key, p[key])
    assert (p["queryFrequency"], p["queryPeriod"]) == ("PT5M", "PT5M")
    assert (p["triggerOperator"], p["triggerThreshold"], p["suppressionEnabled"]) == ("GreaterThan", 0, False)
    assert (p["tactics"], p["techniques"], p["subTechniques"]) == (["DefenseEvasion"], ["T1578"],
                                                                   ["T1578.002", "T1578.004"])
    assert p["incidentConfiguration"]["createIncident"] is True
    assert p["eventGroupingSettings"] == {"aggregationKind": "AlertPerResult"}
    assert [m["entityType"] for m in p["entityMappings"]] == ["Account", "IP"]


# --- CloudWatch -----------------------------------------------------------------------------------
class CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation's short-form intrinsics (!Ref, !If, ...) as plain values."""


CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: (
    loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else loader.construct_scalar(node)))


def test_cloudformation_query_definition(out: Path, queries: dict[str, str]) -> None:
    doc = yaml.load((out / f"cwli/{NAME}.cfn.yaml").read_text(), Loader=CfnLoader)
    q = doc["Resources"]["QueryDefinition"]
    assert q["Type"] == "AWS::Logs::QueryDefinition"
    assert q["Properties"]["Name"] == "siemc/AWS RDS DB Instance Restored"
    assert q["Properties"]["QueryString"] == queries["cwli"]


@pytest.fixture(scope="module")
def corpus_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every SigmaHQ AWS rule rendered: the templates meet quotes, regexes, unicode and odd names."""
    rules = shared_path("corpus", "sigmahq", "rules", "cloud", "aws")
    dest = tmp_path_factory.mktemp("corpus")
    result = siemc("render", str(rules), "-t", "all", "-o", str(dest), "--no-warnings")
    # Some rules are refused on some targets (said on stderr); nothing else may fail.
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return dest


def test_cfn_lint_passes_on_every_cloudformation_template(out: Path, corpus_out: Path) -> None:
    cfn_lint = tool("cfn-lint", "pip install cfn-lint")
    templates = sorted(str(p) for root in (out, corpus_out) for p in root.rglob("*.cfn.yaml"))
    assert len(templates) > 40
    result = subprocess.run([cfn_lint, *templates], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_corpus_artifact_parses(corpus_out: Path) -> None:
    for path in corpus_out.rglob("*.toml"):
        tomllib.loads(path.read_text())
    ids = [json.loads(line)["rule_id"] for line in (corpus_out / "eql/kibana_import.ndjson").read_text().splitlines()]
    assert len(ids) == len(set(ids)) > 40
    for path in corpus_out.rglob("*.arm.json"):
        json.loads(path.read_text())
    for path in corpus_out.glob("kql/**/*.yaml"):
        assert yaml.safe_load(path.read_text())["kind"] == "Scheduled"
