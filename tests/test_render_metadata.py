"""Settings: what is derived from a Sigma rule, and which layer wins (rule, profile, --set)."""

from __future__ import annotations

import pytest

from compiler.loader import load_rules
from outputs import platforms
from outputs.metadata import Layer, SettingsError, cron, derive, parse_assignment
from tests.conftest import ROOT, loaded, sigma_rule

SEED = ROOT / "sigma/rules/cloud/aws/cloudtrail/aws_rds_db_instance_restored.yml"


@pytest.fixture(scope="module")
def seed():  # type: ignore[no-untyped-def]
    [rule] = list(load_rules([SEED]))
    return rule


def tagged(*tags: str, **extra: object):  # type: ignore[no-untyped-def]
    return loaded(sigma_rule({"sel": {"eventName": "X"}, "condition": "sel"}, tags=list(tags), **extra))


def test_the_seed_keeps_its_own_elastic_settings(seed) -> None:  # type: ignore[no-untyped-def]
    e = derive(seed).section("elastic")
    assert (e["rule_id"], e["risk_score"], e["severity"], e["interval"], e["from"], e["max_signals"], e["version"]) == (
        "bf1073bf-ce26-4607-b405-ba1ed8e9e204", 47, "medium", "5m", "now-6m", 100, 208)
    assert e["index"] == ["filebeat-*", "logs-aws.cloudtrail-*"]


def test_levels_set_severity_and_risk_on_every_platform() -> None:
    s = derive(tagged(level="high")).settings
    assert (s["elastic"]["severity"], s["splunk"]["severity"], s["sentinel"]["severity"]) == ("high", "high", "High")
    assert s["elastic"]["risk_score"] == s["splunk"]["risk_score"] == 73
    s = derive(tagged(level="critical")).settings
    assert s["sentinel"]["severity"] == "High"  # Sentinel's highest


def test_a_later_layer_wins_even_over_an_explicit_value(seed) -> None:  # type: ignore[no-untyped-def]
    # The seed says elastic.severity: medium itself; a profile's level remap is a later layer.
    profile = Layer("profile", {"levels": {"medium": {"elastic": "high", "risk_score": 60}}})
    e = derive(seed, [profile]).section("elastic")
    assert (e["severity"], e["risk_score"]) == ("high", 60)
    # ...and --set beats the profile.
    e = derive(seed, [profile, parse_assignment("elastic.severity=critical")]).section("elastic")
    assert e["severity"] == "critical"
    # A remap of another platform leaves the seed's own Elastic severity alone.
    e = derive(seed, [Layer("profile", {"levels": {"medium": {"splunk": "high"}}})]).section("elastic")
    assert e["severity"] == "medium"


def test_the_schedule_drives_every_platform(seed) -> None:  # type: ignore[no-untyped-def]
    s = derive(seed, [parse_assignment("schedule.interval=1h")]).settings
    assert (s["elastic"]["interval"], s["elastic"]["from"]) == ("1h", "now-61m")  # one minute of overlap
    assert s["splunk"]["cron_schedule"] == "0 * * * *"
    # Splunk does not de-duplicate: one interval, ending a minute ago, snapped to the minute.
    assert (s["splunk"]["earliest_time"], s["splunk"]["latest_time"]) == ("-61m@m", "-1m@m")
    assert (s["sentinel"]["query_frequency"], s["sentinel"]["query_period"]) == ("1h", "1h")
    c = platforms.sentinel(derive(seed, [parse_assignment("schedule.interval=1h")]), "AWSCloudTrail")
    assert (c["query_frequency_iso"], c["query_period_iso"]) == ("PT1H", "PT1H")


def test_a_lookback_shorter_than_the_interval_is_refused(seed) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SettingsError, match="events between two runs would never be searched"):
        derive(seed, [Layer("p", {"schedule": {"interval": "10m", "lookback": "5m"}})])


@pytest.mark.parametrize(("interval", "expected"), [
    (60, "* * * * *"), (300, "*/5 * * * *"), (3600, "0 * * * *"), (6 * 3600, "0 */6 * * *"), (86400, "0 0 * * *")])
def test_cron(interval: int, expected: str) -> None:
    assert cron(interval) == expected


def test_an_interval_cron_cannot_say_is_refused_unless_splunk_has_its_own(seed) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SettingsError, match="no cron form"):
        cron(7 * 60)
    with pytest.raises(SettingsError, match="no cron form"):
        derive(seed, [parse_assignment("schedule.interval=7m")])
    s = derive(seed, [parse_assignment("schedule.interval=7m"), parse_assignment("splunk.cron_schedule=*/7 * * * *")])
    assert s.section("splunk")["cron_schedule"] == "*/7 * * * *"
    assert s.section("elastic")["interval"] == "7m"


def test_splunk_windows_tile_when_there_is_no_margin(seed) -> None:  # type: ignore[no-untyped-def]
    s = derive(seed, [Layer("p", {"schedule": {"interval": "10m", "lookback": "10m"}})]).section("splunk")
    assert (s["earliest_time"], s["latest_time"]) == ("-10m@m", "@m")


@pytest.mark.parametrize(("values", "message"), [
    ({"elastik": {}}, "unknown setting 'elastik'"),
    ({"elastic": {"risk": 1}}, "unknown setting 'elastic.risk'"),
    ({"levels": {"urgent": {}}}, "'levels.urgent' is not a Sigma level"),
    ({"level": "severe"}, "level 'severe'"),
])
def test_unknown_settings_are_errors_naming_their_source(seed, values, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SettingsError, match=f"tenant.yml: .*{message}"):
        derive(seed, [Layer("tenant.yml", values)])


def test_mitre_from_tags_groups_techniques_under_their_tactics() -> None:
    meta = derive(tagged("attack.initial-access", "attack.persistence", "attack.t1078.004", "attack.t1136.003"))
    threat = platforms.elastic(meta, "any where true")["threat"]
    by_tactic = {t["tactic"]["id"]: t for t in threat}
    assert set(by_tactic) == {"TA0001", "TA0003"}
    assert [(x["id"], [s["id"] for s in x["subtechnique"]]) for x in by_tactic["TA0001"]["technique"]] == [
        ("T1078", ["T1078.004"])]
    assert [x["id"] for x in by_tactic["TA0003"]["technique"]] == ["T1078", "T1136"]
    assert by_tactic["TA0003"]["tactic"]["reference"] == "https://attack.mitre.org/tactics/TA0003/"
    s = platforms.sentinel(meta, "AWSCloudTrail")
    assert (s["tactics"], s["relevant_techniques"]) == (["InitialAccess", "Persistence"], ["T1078.004", "T1136.003"])
    assert (s["techniques"], s["sub_techniques"]) == (["T1078", "T1136"], ["T1078.004", "T1136.003"])
    assert platforms.splunk(meta, "x")["annotations"] == {"mitre_attack": ["T1078.004", "T1136.003"]}


def test_what_the_table_does_not_know_is_said_not_guessed() -> None:
    meta = derive(tagged("attack.defense-impairment", "attack.t1685"))
    assert any("T1685 is not in siemc's table" in n for n in meta.notes)
    threat = platforms.elastic(meta, "x")["threat"]
    assert threat[0]["tactic"] == {"id": "TA0112", "name": "Defense Impairment",
                                   "reference": "https://attack.mitre.org/tactics/TA0112/"}
    assert threat[0]["technique"][0]["name"] == "T1685"
    s = platforms.sentinel(meta, "AWSCloudTrail")
    assert s["tactics"] == ["DefenseEvasion"]
    assert any("Sentinel has no tactic Defense Impairment" in n for n in meta.notes)


def test_a_rule_without_custom_attributes_gets_a_guide_from_what_it_says() -> None:
    meta = derive(tagged(description="Finds X.", falsepositives=["admins"]))
    note = platforms.elastic(meta, "x")["note"]
    assert "Finds X." in note and "- admins" in note and "0f6a3f9e-1d2c-4b5a-8e7f-000000000001" in note


def test_platform_values_are_checked(seed) -> None:  # type: ignore[no-untyped-def]
    for assignment, fn, message in [
        ("elastic.severity=urgent", platforms.elastic, "elastic.severity"),
        ("elastic.risk_score=101", platforms.elastic, "elastic.risk_score"),
        ("splunk.index=bad index", platforms.splunk, "splunk.index"),
        ("sentinel.severity=Critical", platforms.sentinel, "sentinel.severity"),
        ("cloudwatch.log_groups=['a b']", platforms.cloudwatch, "cloudwatch.log_groups"),
        ("sentinel.query_frequency=1m", platforms.sentinel, "sentinel.query_frequency"),
        ("elastic.from=now-1m", platforms.elastic, "looks back less than the interval"),
    ]:
        meta = derive(seed, [parse_assignment(assignment)])
        with pytest.raises(SettingsError, match=message):
            fn(meta, "q")


def test_splunk_search_gets_the_tenant_index_or_macro(seed) -> None:  # type: ignore[no-untyped-def]
    q = 'sourcetype="aws:cloudtrail" eventName="X"'
    assert platforms.splunk(derive(seed, [parse_assignment("splunk.index=acme_aws")]), q)["search"] == (
        'index="acme_aws" ' + q)
    assert platforms.splunk(derive(seed, [parse_assignment("splunk.macro=cloudtrail")]), q)["search"] == (
        "`cloudtrail` " + q)


def test_a_rule_sets_generic_settings_under_siemc() -> None:
    rule = tagged(siemc={"level": "critical", "schedule": {"interval": "1h"}}, splunk={"security_domain": "cloud"})
    s = derive(rule).settings
    assert (s["elastic"]["severity"], s["elastic"]["interval"], s["splunk"]["security_domain"]) == (
        "critical", "1h", "cloud")
    # ...and a profile still overrides the rule.
    assert derive(rule, [Layer("profile", {"level": "low"})]).section("sentinel")["severity"] == "Low"
    with pytest.raises(SettingsError, match="'siemc' must be a mapping of generic settings"):
        derive(tagged(siemc={"elastic": {"severity": "low"}}))
