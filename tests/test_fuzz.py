"""Differential fuzzing (issue 5, item 2): random Sigma detections and random events, compiled for
every registered target and checked against the reference evaluator with ``run_check``.

A target that refuses a rule is fine (a refusal is a value); a lossy case is fine (the platform
cannot store what the rule reads, and says so). A divergence or an error fails, printing the shrunk
rule as YAML, the event and what the target stored.

Bounded for CI: derandomized (the same examples every run, no example database) and a fixed number of
examples per test. A longer run on demand:

    SIEMC_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py

``SIEMC_FUZZ_TARGETS=spl,kql`` narrows the targets (default: every registered target), to chase one
platform's failures past another's.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.cases import Case
from compiler.check import Report, run_check
from compiler.generate import generate
from compiler.loader import LoadError, load_rule_docs
from compiler.registry import resolve

EXAMPLES = int(os.environ.get("SIEMC_FUZZ_EXAMPLES", "0")) or None
TARGETS = resolve(os.environ.get("SIEMC_FUZZ_TARGETS", "all"))
FIELDS = ["eventName", "eventSource", "userAgent", "awsRegion", "errorCode", "sourceIPAddress",
          "userIdentity.arn", "requestParameters.bucketName"]


def fuzz_settings(default: int) -> settings:
    return settings(max_examples=EXAMPLES or default, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---- values ------------------------------------------------------------------------------------
# The characters that break translators, weighted up; any other character (unicode, controls) too.
NASTY = [*"*?\"'\\|\n\t /:.-_%$`{}()[]<>=!~&;,#@+^", "é", "É", "ß", "Σ", "ς", "中", "😀", "\u00a0", "\u200b"]
char = st.one_of(st.sampled_from(NASTY), st.sampled_from("aAbBsS01"), st.characters(exclude_categories=("Cs",)))
text = st.text(char, min_size=1, max_size=10)
words = st.sampled_from(["Delete", "delete", "Trail", "s3.amazonaws.com", "AccessDenied", "aws-cli/2", "us-east-1",
                         "arn:aws:iam::123456789012:user/alice", "prod-logs", "Get*", "*Bucket", "a?c", "\\*", "\\\\"])
value_text = st.one_of(words, text)

# A regex from Sigma's PCRE subset, built from pieces that mean the same in every flavour.
re_atom = st.one_of(
    st.sampled_from(list("abcAZ09_-/:@ ")),
    st.sampled_from(["\\.", "\\*", "\\?", "\\+", "\\(", "\\)", "\\[", "\\]", "\\{", "\\}", "\\|", "\\^", "\\$",
                     "\\\\", "\\/", "."]),
    st.sampled_from(["[a-z]", "[A-Z0-9]", "[^a]", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "[.*]"]),
)
re_piece = st.tuples(re_atom, st.sampled_from(["", "", "", "*", "+", "?", "{1,3}", "{2}"])).map("".join)
re_seq = st.lists(re_piece, min_size=1, max_size=5).map("".join)
regex = st.one_of(
    re_seq,
    st.tuples(st.sampled_from(["", "^"]), re_seq, st.sampled_from(["", "$"])).map("".join),
    st.tuples(re_seq, re_seq).map(lambda ab: f"({ab[0]}|{ab[1]})"),
)


@st.composite
def item(draw: Any, name: str) -> tuple[str, Any]:
    """One detection item: ``field|modifiers: value``."""
    kind = draw(st.sampled_from(["plain", "plain", "list", "contains", "startswith", "endswith", "cased",
                                 "contains_cased", "all", "re", "cidr", "exists", "null", "number", "compare"]))
    if kind == "plain":
        return name, draw(value_text)
    if kind == "list":
        return name, draw(st.lists(value_text, min_size=2, max_size=3))
    if kind in ("contains", "startswith", "endswith"):
        return f"{name}|{kind}", draw(st.one_of(value_text, st.lists(value_text, min_size=2, max_size=3)))
    if kind == "cased":
        return f"{name}|cased", draw(value_text)
    if kind == "contains_cased":
        return f"{name}|contains|cased", draw(value_text)
    if kind == "all":
        return f"{name}|contains|all", draw(st.lists(value_text, min_size=2, max_size=3))
    if kind == "re":
        flags = draw(st.sampled_from(["", "", "", "|i", "|m", "|s"]))
        return f"{name}|re{flags}", draw(regex)
    if kind == "cidr":
        v4 = draw(st.booleans())
        addr = draw(st.ip_addresses(v=4 if v4 else 6))
        prefix = draw(st.integers(8, 32) if v4 else st.integers(16, 128))
        return f"{name}|cidr", str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))
    if kind == "exists":
        return f"{name}|exists", draw(st.booleans())
    if kind == "null":
        return name, None
    if kind == "number":
        return name, draw(st.integers(-5, 100000))
    op = draw(st.sampled_from(["gt", "gte", "lt", "lte"]))
    return f"{name}|{op}", draw(st.integers(-5, 5000))


@st.composite
def selection(draw: Any) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3))
    out: dict[str, Any] = {}
    for name in names:
        key, value = draw(item(name))
        out.setdefault(key, value)  # a repeated key would be one YAML mapping key: keep the first
    return out


def condition(names: list[str]) -> st.SearchStrategy[str]:
    prefixes = sorted({n.split("_")[0] + "_*" for n in names})
    base = st.one_of(st.sampled_from(names),
                     st.sampled_from([f"{q} of {p}" for q in ("1", "all") for p in [*prefixes, "them"]]))
    return st.recursive(base, lambda sub: st.one_of(
        sub.map(lambda a: f"not {a}"),
        st.tuples(sub, sub).map(lambda ab: f"({ab[0]} and {ab[1]})"),
        st.tuples(sub, sub).map(lambda ab: f"({ab[0]} or {ab[1]})"),
    ), max_leaves=4)


@st.composite
def detection(draw: Any) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(["sel_a", "sel_b", "filter_a", "filter_b"]), min_size=1, max_size=3,
                          unique=True))
    det: dict[str, Any] = {}
    for n in names:
        if draw(st.integers(0, 9)) == 0:  # a list of maps: any of them
            det[n] = draw(st.lists(selection(), min_size=2, max_size=2))
        elif draw(st.integers(0, 39)) == 0:  # keywords: a value anywhere (most targets refuse them)
            det[n] = draw(st.lists(value_text, min_size=1, max_size=2))
        else:
            det[n] = draw(selection())
    det["condition"] = draw(condition(names))
    return det


def rule_of(det: dict[str, Any]) -> dict[str, Any]:
    return {"title": "fuzz", "id": "0f6a3f9e-1d2c-4b5a-8e7f-00000000f022", "status": "test",
            "logsource": {"product": "aws", "service": "cloudtrail"}, "detection": det, "level": "low"}


# ---- events --------------------------------------------------------------------------------------
ABSENT = object()


def _texts(obj: Any) -> list[str]:
    """The rule's own string values: events built from them land next to what the rule tests."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [t for k, v in obj.items() if k != "condition" for t in _texts(v)]
    if isinstance(obj, list):
        return [t for v in obj for t in _texts(v)]
    return []


def _unwild(t: str) -> str:
    """A rule value as event text: wildcards filled, Sigma's escapes resolved (roughly: a fuzz input)."""
    return re.sub(r"\\([*?\\])", r"\1", re.sub(r"(?<!\\)[*?]", "x", t))


@st.composite
def event_value(draw: Any, seeds: list[str]) -> Any:
    kind = draw(st.sampled_from(["seed", "seed", "seed_case", "seed_edit", "text", "absent", "null", "empty",
                                 "number", "bool", "ip"]))
    if kind.startswith("seed") and seeds:
        t = _unwild(draw(st.sampled_from(seeds)))
        if kind == "seed_case":
            return t.swapcase()
        if kind == "seed_edit":
            pre, post = draw(st.sampled_from(["", "x", "*", " "])), draw(st.sampled_from(["", "y", "\\", "\n"]))
            return pre + t + post
        return t
    if kind == "absent":
        return ABSENT
    if kind == "null":
        return None
    if kind == "empty":
        return ""
    if kind == "number":
        return draw(st.integers(-5, 100000))
    if kind == "bool":
        return draw(st.booleans())
    if kind == "ip":
        return str(draw(st.ip_addresses()))
    return draw(value_text)


@st.composite
def event(draw: Any, seeds: list[str]) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "eventVersion": "1.09", "eventTime": "2026-03-01T10:00:00Z", "eventSource": "s3.amazonaws.com",
        "eventName": "DeleteBucket", "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.23",
        "userAgent": "aws-cli/2.15.30", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/a"},
        "requestParameters": {"bucketName": "prod-logs"}, "eventType": "AwsApiCall",
        "recipientAccountId": "123456789012",
    }
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        value = draw(event_value(seeds))
        head, _, leaf = name.partition(".")
        parent = ev
        if leaf:
            if not isinstance(ev.get(head), dict):
                ev[head] = {}
            parent = ev[head]
        name = leaf or head
        if value is ABSENT:
            parent.pop(name, None)
        else:
            if head == "requestParameters" and draw(st.integers(0, 5)) == 0:
                value = [value, "other"]  # per-API objects hold arrays in real records
            parent[name] = value
    return ev


@st.composite
def rule_and_events(draw: Any) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    det = draw(detection())
    seeds = _texts(det)
    events = draw(st.lists(event(seeds), min_size=1, max_size=4))
    return rule_of(det), events, draw(st.integers(0, 3))


# ---- the check ---------------------------------------------------------------------------------
def check(rule: dict[str, Any], events: list[dict[str, Any]], generated: int = 0) -> Report | None:
    try:
        [loaded] = load_rule_docs(Path("fuzz.yml"), [rule])
    except LoadError:  # a detection pySigma rejects is no rule: nothing to compare
        return None
    cases = [Case(f"event {i}", e, None, "fuzz") for i, e in enumerate(events, 1)]
    if generated:  # the generator's matches and near-misses for this rule, too
        cases += generate(loaded.rule, generated, seed=0, labelled=False).cases
    return run_check([loaded], {loaded.id: cases}, [], TARGETS)


def failures(report: Report | None) -> str:
    if report is None:
        return ""
    lines = []
    for r in report.results:
        if r.status == "error":
            lines.append(f"[{r.target}] error: {r.reason}\n    query: {r.query}")
        for c in r.cases:
            if c.status == "diverge":
                lines.append(f"[{r.target}] diverges on {c.name}: reference {c.reference}, {r.target} {c.target}\n"
                             f"    query: {r.query}\n"
                             f"    event: {json.dumps(c.event, ensure_ascii=False)}\n"
                             f"    as {r.target} stores it: {json.dumps(c.stored, ensure_ascii=False, default=str)}")
    return "\n".join(lines)


def _explain(rule: dict[str, Any], problems: str) -> str:
    """The shrunk rule as YAML a user can paste into a file, then what each target got wrong."""
    return "\n" + yaml.safe_dump(rule, sort_keys=False, allow_unicode=True) + problems


@fuzz_settings(150)
@given(rule_and_events())
def test_random_rules_agree_with_the_reference(case: tuple[dict[str, Any], list[dict[str, Any]], int]) -> None:
    rule, events, generated = case
    problems = failures(check(rule, events, generated))
    assert not problems, _explain(rule, problems)


@fuzz_settings(120)
@given(st.sampled_from(FIELDS), st.data())
def test_single_values_with_any_characters(name: str, data: st.DataObject) -> None:
    """One field, one value: the escaping of every character, one at a time, for every modifier."""
    key, value = data.draw(item(name))
    rule = rule_of({"sel": {key: value}, "condition": data.draw(st.sampled_from(["sel", "not sel"]))})
    events = data.draw(st.lists(event(_texts(value)), min_size=1, max_size=4))
    problems = failures(check(rule, events))
    assert not problems, _explain(rule, problems)


def test_the_strategies_reach_every_target() -> None:
    """The fuzz is worth something only if the targets compile what it makes: most rules, some targets."""
    rule = rule_of({"sel": {"eventName|contains": "a'b*\"c\\", "userIdentity.arn|endswith": "é"},
                    "filter_a": {"errorCode|exists": True}, "condition": "sel and not 1 of filter_*"})
    report = check(rule, [{"eventName": "xa'bQ\"c\\", "userIdentity": {"arn": "É"}}], generated=2)
    assert report is not None and failures(report) == ""
    assert sum(r.status == "agree" for r in report.results) >= 3
