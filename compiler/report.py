"""`siemc check` reports: a text table for people, JSON for tools, JUnit XML for CI."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from compiler.check import Report

MARK = {"agree": "agree", "diverge": "DIVERGE", "unsupported": "unsupported", "error": "ERROR"}


def _cell(result) -> str:  # type: ignore[no-untyped-def]
    if result.status in ("unsupported", "error"):
        return MARK[result.status]
    n = len(result.cases)
    ok = sum(c.status == "agree" for c in result.cases)
    lossy = sum(c.status == "lossy" for c in result.cases)
    text = f"{MARK[result.status]} {ok}/{n}"
    return text + (f" ({lossy} lossy)" if lossy else "")


def render_text(report: Report) -> str:
    lines: list[str] = []
    rules: dict[str, dict[str, object]] = {}
    for r in report.results:
        rules.setdefault(r.rule, {})[r.target] = r
    width = max([len("rule")] + [len(p) for p in rules])
    cols = report.targets
    cells = {(p, t): _cell(rs[t]) for p, rs in rules.items() for t in cols if t in rs}
    cw = {t: max([len(t)] + [len(cells.get((p, t), "")) for p in rules]) for t in cols}
    lines.append("  ".join(["rule".ljust(width)] + [t.ljust(cw[t]) for t in cols]).rstrip())
    for p in rules:
        lines.append("  ".join([p.ljust(width)] + [cells.get((p, t), "").ljust(cw[t]) for t in cols]).rstrip())
    details = []
    for r in report.results:
        if r.status in ("unsupported", "error"):
            details.append(f"{r.rule} [{r.target}] {r.status}: {r.reason}")
        for c in r.cases:
            if c.status == "diverge":
                details.append(f"{r.rule} [{r.target}] DIVERGE on case '{c.name}': reference "
                               f"{_yn(c.reference)}, {r.target} {_yn(c.target)}")
                details.append(f"    query: {r.query}")
                details.append(f"    event: {json.dumps(c.event, ensure_ascii=False, sort_keys=True)}")
                details.append(f"    as {r.target} stores it: {json.dumps(c.stored, ensure_ascii=False, default=str)}")
            elif c.status == "lossy":
                details.append(f"{r.rule} [{r.target}] lossy on case '{c.name}': reference {_yn(c.reference)}, "
                               f"{r.target} {_yn(c.target)}: {c.reason}")
    for e in report.expectations:
        details.append(f"{e.rule} EXPECTATION on case '{e.case}': labelled {_yn(e.expected)}, "
                       f"the Sigma rule gives {_yn(e.reference)}")
    if details:
        lines.append("")
        lines.extend(details)
    for m in report.messages:
        lines.append(m)
    s = report.summary()
    lines.append("")
    lines.append(f"{s['rules']} rules x {s['targets']} targets, {s['cases']} cases: {s['agree']} agree, "
                 f"{s['divergences']} divergent cases, {s['expectation_failures']} expectation failures, "
                 f"{s['lossy']} lossy, {s['unsupported']} unsupported, {s['errors']} errors")
    return "\n".join(lines) + "\n"


def _yn(v: bool | None) -> str:
    return "n/a" if v is None else ("match" if v else "no match")


def render_json(report: Report) -> str:
    doc = {"summary": report.summary(), "results": [r.as_json() for r in report.results]}
    if report.expectations:
        doc["expectation_failures"] = [e.__dict__ for e in report.expectations]
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def render_junit(report: Report) -> str:
    suites = ET.Element("testsuites", name="siemc check")
    for target in report.targets:
        rs = [r for r in report.results if r.target == target]
        suite = ET.SubElement(suites, "testsuite", name=target, tests=str(len(rs)),
                              failures=str(sum(r.status == "diverge" for r in rs)),
                              errors=str(sum(r.status == "error" for r in rs)),
                              skipped=str(sum(r.status == "unsupported" for r in rs)))
        for r in rs:
            case = ET.SubElement(suite, "testcase", classname=target, name=r.rule)
            if r.status == "unsupported":
                ET.SubElement(case, "skipped", message=r.reason or "")
            elif r.status == "error":
                ET.SubElement(case, "error", message=r.reason or "")
            elif r.status == "diverge":
                bad = [c for c in r.cases if c.status == "diverge"]
                text = "\n".join(f"{c.name}: reference {_yn(c.reference)}, {target} {_yn(c.target)}; event "
                                 f"{json.dumps(c.event, ensure_ascii=False, sort_keys=True)}" for c in bad)
                ET.SubElement(case, "failure", message=f"{len(bad)} divergent cases").text = text
    if report.expectations:
        suite = ET.SubElement(suites, "testsuite", name="expectations", tests=str(len(report.expectations)),
                              failures=str(len(report.expectations)))
        for e in report.expectations:
            case = ET.SubElement(suite, "testcase", classname="expectations", name=f"{e.rule}: {e.case}")
            ET.SubElement(case, "failure", message=f"labelled {_yn(e.expected)}, rule gives {_yn(e.reference)}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


RENDERERS = {"text": render_text, "json": render_json, "junit": render_junit}
