"""The metricfilter artifact: an AWS::Logs::MetricFilter + AWS::CloudWatch::Alarm CloudFormation template.

What it must carry is artifacts.md's (the CIS AWS Foundations alarms): FilterPattern (at most 1024
characters), MetricTransformations [{MetricName, MetricNamespace, MetricValue "1", DefaultValue}],
an alarm on the Sum over 300 s, one evaluation period, threshold 1, GreaterThanOrEqualToThreshold,
missing data not breaching, actions from an SNS topic parameter. cfn-lint passes on every template.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.driver import compile_rule
from compiler.loader import load_rules
from compiler.registry import resolve
from tests.conftest import ROOT, shared_path
from tests.test_render_artifacts import CfnLoader, tool
from tests.test_render_cli import files, siemc, write_rule

SEED = ROOT / "sigma/rules/cloud/aws/cloudtrail/aws_rds_db_instance_restored.yml"
NAME = "aws_rds_db_instance_restored"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:secops"


def template(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=CfnLoader)


def render(tmp_path: Path, *args: str, rule: Path = SEED) -> tuple[Path, str]:
    out = tmp_path / "out"
    result = siemc("render", str(rule), "-t", "metricfilter", "-o", str(out), "--no-warnings", *args)
    assert result.returncode == 0, result.stderr
    return out / f"metricfilter/{rule.stem}.cfn.yaml", result.stderr


def cfn_lint(*paths: Path) -> None:
    exe = tool("cfn-lint", "pip install cfn-lint")
    result = subprocess.run([exe, *map(str, paths)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_seed_template(tmp_path: Path) -> None:
    path, _ = render(tmp_path)
    [rule] = list(load_rules([SEED]))
    pattern = compile_rule(rule, resolve("metricfilter")[0]).query  # type: ignore[arg-type]
    doc = template(path)
    assert doc["Parameters"]["LogGroupName"]["Type"] == "String"
    assert "Default" not in doc["Parameters"]["LogGroupName"]  # no log group known: the deployer names it
    assert doc["Parameters"]["AlarmActions"] == {
        "Type": "CommaDelimitedList", "Default": "",
        "Description": "The SNS topic ARNs the alarm notifies (comma separated; empty for none)"}
    mf = doc["Resources"]["MetricFilter"]
    assert mf["Type"] == "AWS::Logs::MetricFilter"
    assert mf["Properties"]["LogGroupName"] == "LogGroupName"  # !Ref
    assert mf["Properties"]["FilterPattern"] == pattern  # the checked pattern, byte for byte
    assert mf["Properties"]["MetricTransformations"] == [{
        "MetricNamespace": "siemc", "MetricName": "AWS RDS DB Instance Restored", "MetricValue": "1",
        "DefaultValue": 0}]
    alarm = doc["Resources"]["Alarm"]
    assert alarm["Type"] == "AWS::CloudWatch::Alarm"
    p = alarm["Properties"]
    assert (p["Namespace"], p["MetricName"]) == ("siemc", "AWS RDS DB Instance Restored")
    assert (p["Statistic"], p["Period"], p["EvaluationPeriods"], p["Threshold"]) == ("Sum", 300, 1, 1)
    assert (p["ComparisonOperator"], p["TreatMissingData"]) == ("GreaterThanOrEqualToThreshold", "notBreaching")
    assert p["AlarmActions"] == ["HasAlarmActions", "AlarmActions", "AWS::NoValue"]  # !If [.., !Ref .., !Ref ..]
    assert "AlarmName" not in p  # CloudFormation names it: two stacks of one rule never collide
    assert "7c9d8c35-67c0-40c9-b573-45f848d0dad4" in p["AlarmDescription"]
    # the compile note travels as a comment
    assert path.read_text().startswith("# eventSource and eventName are matched case-sensitively")
    cfn_lint(path)


def test_settings_from_the_rule_profile_and_set(tmp_path: Path) -> None:
    rule = write_rule(tmp_path / "r.yml", {"sel": {"eventSource": "iam.amazonaws.com", "eventName": "CreateUser"},
                                           "condition": "sel"},
                      cloudwatch={"metric_namespace": "Acme/Detections", "metric_name": "iam-create-user",
                                  "alarm_actions": [TOPIC]})
    config = tmp_path / "tenants.yml"
    config.write_text(yaml.safe_dump({"profiles": {"acme": {"cloudwatch": {"log_groups": ["trail-acme"],
                                                                           "period": "1m"}}}}))
    out = tmp_path / "out"
    result = siemc("render", str(rule), "-t", "metric-filter", "-o", str(out), "--no-warnings", "--config",
                   str(config), "--profile", "acme", "--set", "cloudwatch.default_value=null",
                   "--set", "cloudwatch.alarm_name=acme IAM user created")
    assert result.returncode == 0, result.stderr
    path = out / "acme/metricfilter/r.cfn.yaml"
    doc = template(path)
    assert doc["Parameters"]["LogGroupName"]["Default"] == "trail-acme"
    assert doc["Parameters"]["AlarmActions"]["Default"] == TOPIC
    [mt] = doc["Resources"]["MetricFilter"]["Properties"]["MetricTransformations"]
    assert mt == {"MetricNamespace": "Acme/Detections", "MetricName": "iam-create-user", "MetricValue": "1"}
    p = doc["Resources"]["Alarm"]["Properties"]
    assert (p["Namespace"], p["MetricName"], p["Period"]) == ("Acme/Detections", "iam-create-user", 60)
    assert p["AlarmName"] == "acme IAM user created"
    cfn_lint(path)


def test_several_log_groups_leave_the_choice_to_the_deployer(tmp_path: Path) -> None:
    path, stderr = render(tmp_path, "--set", "cloudwatch.log_groups=[trail-a, trail-b]")
    assert "Default" not in template(path)["Parameters"]["LogGroupName"]
    assert "metricfilter: note: a metric filter watches one log group" in stderr
    path, _ = render(tmp_path, "--set", "cloudwatch.log_groups=[trail-a, trail-b]",
                     "--set", "cloudwatch.log_group=trail-b")
    assert template(path)["Parameters"]["LogGroupName"]["Default"] == "trail-b"


@pytest.mark.parametrize("setting,message", [
    ("cloudwatch.period=45s", "an alarm's period is 10s, 30s or whole minutes"),
    ("cloudwatch.period=2d", "an alarm's period is 10s, 30s or whole minutes up to 1d"),
    ("cloudwatch.metric_namespace=AWS/Logs", "cloudwatch.metric_namespace"),
    ("cloudwatch.metric_namespace=my space", "cloudwatch.metric_namespace"),
    ("cloudwatch.metric_name=a:b", "without : * $"),
    ("cloudwatch.default_value=yes", "cloudwatch.default_value"),
    ("cloudwatch.alarm_actions=[not-an-arn]", "is not an ARN"),
    (f"cloudwatch.alarm_actions=[{','.join([TOPIC + str(i) for i in range(6)])}]", "at most 5 actions"),
    ("cloudwatch.log_group=a b", "is not a log group name"),
    ("cloudwatch.metric_units=Count", "unknown setting 'cloudwatch.metric_units'"),
])
def test_settings_cloudwatch_would_reject_are_refused(tmp_path: Path, setting: str, message: str) -> None:
    result = siemc("render", str(SEED), "-t", "metricfilter", "-o", str(tmp_path / "out"), "--set", setting)
    assert result.returncode in (1, 2) and message in result.stderr, result.stderr
    assert not (tmp_path / "out/metricfilter").exists()


def test_hard_values_survive_the_template(tmp_path: Path) -> None:
    # quotes, backslashes, a regex with \x escapes and a title YAML would misread
    rule = write_rule(tmp_path / "hard.yml", {
        "sel": {"eventSource": "ecs.amazonaws.com", "userAgent|cased": 'say "hi" C:\\tools\\x.exe',
                "userIdentity.arn|re": r"^arn:aws:iam::\d{12}:user/[^/]+$"},
        "condition": "sel"}, title="Hard: #1 'quotes' * $ é")
    path, _ = render(tmp_path, rule=rule)
    [loaded] = list(load_rules([rule]))
    pattern = compile_rule(loaded, resolve("metricfilter")[0]).query  # type: ignore[arg-type]
    assert pattern and r"\x0a?$" in pattern
    doc = template(path)
    assert doc["Resources"]["MetricFilter"]["Properties"]["FilterPattern"] == pattern
    # : * $ and non-ASCII cannot be in a metric name
    assert doc["Resources"]["Alarm"]["Properties"]["MetricName"] == "Hard- #1 'quotes'"
    cfn_lint(path)


def test_a_refused_rule_has_no_template(tmp_path: Path) -> None:
    rule = write_rule(tmp_path / "agent.yml", {"sel": {"userAgent|contains": "kali"}, "condition": "sel"})
    result = siemc("render", str(rule), "-t", "metricfilter", "-o", str(tmp_path / "out"), "--no-warnings")
    assert result.returncode == 1
    assert "metricfilter: case-insensitive match on userAgent is not supported on metricfilter" in result.stderr
    assert not (tmp_path / "out").exists() or files(tmp_path / "out") == {}


def test_cfn_lint_passes_on_every_corpus_template(tmp_path: Path) -> None:
    rules = shared_path("corpus", "sigmahq", "rules", "cloud", "aws")
    out = tmp_path / "corpus"
    result = siemc("render", str(rules), "-t", "metricfilter", "-o", str(out), "--no-warnings")
    assert "Traceback" not in result.stderr
    templates = sorted(out.rglob("*.cfn.yaml"))
    assert len(templates) == 30  # one per rule that compiles exactly (tests/test_backend_metricfilter.py)
    cfn_lint(*templates)
