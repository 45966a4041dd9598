"""The pre-filter of `siemc evaluate` (compiler/prefilter.py) and the fast JSON Lines reader under it.

Soundness: a line holding an event the evaluator matches is never skipped, whatever the escaping
(``\\uXXXX`` for any character, ``\\/``), the case, or the non-ASCII characters the evaluator folds
onto ASCII letters. Usefulness: plain lines that cannot match are skipped. And the reader gives
exactly what ``json.loads`` gives, filter or not, however the reads cut the lines.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.evaluator import compile_rule
from compiler.prefilter import EQUIVALENTS, TRUE, All, Any_, LineFilter, Need, derive, is_hazard
from engines.events import EventsError, read_events
from tests.conftest import ROOT, loaded, sigma_rule

SEED = ROOT / "sigma/rules/cloud/aws/cloudtrail/aws_rds_db_instance_restored.yml"


def seed_rule():  # type: ignore[no-untyped-def]
    from compiler.loader import load_rule_docs, read_yaml

    return load_rule_docs(SEED, read_yaml(SEED))[0].rule


# Rules that exercise every way a needle is derived (or not).
DETECTIONS: list[dict[str, Any]] = [
    {"sel": {"eventSource": "s3.amazonaws.com", "eventName|contains": "DeleteBucket"}, "condition": "sel"},
    {"sel": {"userAgent|startswith": "aws-cli/", "eventName|cased": "ConsoleLogin"}, "condition": "sel"},
    {"keywords": ["kelvinator", "Straße-Sink"], "condition": "keywords"},
    {"sel": {"errorMessage|contains|all": ["not authorized", "rds:"]}, "f": {"errorCode": "Skip*"},
     "condition": "sel and not f"},
    {"a": {"eventName": ["Put*Policy", "Attach?olicy"]}, "b": {"eventSource": "iam.amazonaws.com"},
     "c": {"userIdentity.type": "Root"}, "condition": "(a and b) or c"},
    {"sel": {"requestParameters.policyDocument|contains": '"Effect":"Allow"'}, "condition": "sel"},
    {"sel": {"eventName|re": "^Get", "sourceIPAddress": "203.0.113.*"}, "condition": "sel"},
    {"sel": {"requestParameters.command|windash|contains": "-encodedcommand"}, "condition": "sel"},
]


def rules() -> list[Any]:
    return [seed_rule()] + [loaded(sigma_rule(d)).rule for d in DETECTIONS]


# ---- the table of case equivalents -----------------------------------------------------------------
def test_equivalents_are_every_non_ascii_character_the_evaluator_folds_onto_ascii() -> None:
    """The evaluator folds case with str.lower (plain strings) and re.IGNORECASE (wildcards)."""
    printable = [chr(c) for c in range(0x20, 0x7F)]
    any_ascii = re.compile("[" + re.escape("".join(printable)) + "]", re.IGNORECASE)
    found: dict[str, set[str]] = {}
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        hits = {c for c in ch.lower() if c.isascii()}
        if any_ascii.fullmatch(ch):
            hits |= {c for c in printable if re.fullmatch(re.escape(c), ch, re.IGNORECASE)}
        if hits:
            found[ch] = {h.lower() for h in hits}
    assert found == {ch: {letter} for ch, letter in EQUIVALENTS.items()}


# ---- deriving the formula --------------------------------------------------------------------------
def test_the_seed_needs_its_event_source_and_one_of_its_event_names() -> None:
    assert derive(seed_rule()) == All((Need("rds.amazonaws.com"), Any_((
        Need("restoredbinstancefromdbsnapshot"), Need("restoredbinstancefroms3")))))


@pytest.mark.parametrize(("detection", "expected"), [
    ({"sel": {"eventName|re": "^Restore"}, "condition": "sel"}, TRUE),  # regex: nothing derived
    ({"sel": {"eventName": "Restore*"}, "condition": "not sel"}, TRUE),  # a negation needs nothing
    ({"sel": {"count": 5}, "condition": "sel"}, TRUE),  # a number's text may differ from the raw JSON
    ({"sel": {"flag": "true"}, "condition": "sel"}, TRUE),  # could be the JSON boolean true
    ({"sel": {"n": "1.5e+10"}, "condition": "sel"}, TRUE),  # could be a number's text
    ({"sel": {"errorCode": None}, "condition": "sel"}, TRUE),
    ({"sel": {"errorCode|exists": True}, "condition": "sel"}, TRUE),
    ({"sel": {"eventName": "ab"}, "condition": "sel"}, TRUE),  # too short to be worth a scan
    ({"sel": {"eventName": "Get*"}, "condition": "sel"}, Need("get")),
    ({"sel": {"userAgent": "aws-cli/2.*"}, "condition": "sel"}, Need("aws-cli")),  # split at "/"
    ({"sel": {"path": 'a"quoted"value'}, "condition": "sel"}, Need("quoted")),  # split at '"'
    ({"sel": {"name": "Schloß"}, "condition": "sel"}, Need("schlo")),  # split at non-ASCII
    ({"sel": {"name": "Straße"}, "condition": "sel"}, TRUE),  # "stra": only letters of true/false/nan/inf
    ({"sel": {"eventName": ["GetObject", "GetObjectAcl"]}, "condition": "sel"}, Need("getobject")),
    ({"a": {"x": "alpha"}, "b": {"y": "beta*"}, "condition": "a or b"}, Any_((Need("alpha"), Need("beta")))),
    ({"a": {"x": "alpha"}, "b": {"y": ["beta", "re|x"]}, "condition": "a or not b"}, TRUE),
])
def test_derive(detection: dict[str, Any], expected: Any) -> None:
    assert derive(loaded(sigma_rule(detection)).rule) == expected


def test_a_rule_with_nothing_to_rule_out_gets_no_filter() -> None:
    rule = loaded(sigma_rule({"sel": {"eventName|re": "^Get"}, "condition": "sel"})).rule
    assert LineFilter.for_rule(rule) is None


# ---- soundness --------------------------------------------------------------------------------------
PIECES = ["rds.amazonaws.com", "RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceFromS3", "s3.amazonaws.com",
          "DeleteBucketPolicy", "aws-cli/2.15", "ConsoleLogin", "kelvinator", "Straße-Sink", "not authorized",
          "rds:RestoreDBInstanceFromS3", "Skipped", "PutRolePolicy", "AttachPolicy", "iam.amazonaws.com", "Root",
          '{"Effect":"Allow"}', "GetObject", "203.0.113.7", "powershell -encodedcommand", "/encodedcommand",
          "AccessDenied", "x", "", "ec2.amazonaws.com"]
FIELDS = ["eventSource", "eventName", "errorCode", "errorMessage", "userAgent", "sourceIPAddress", "kw",
          "userIdentity.type", "requestParameters.policyDocument", "requestParameters.command"]
SWAPS = {"k": ["K", "\u212a"], "s": ["S", "\u017f"], "i": ["I", "\u0130", "\u0131"]}


def mutate(text: str, rng: random.Random) -> str:
    """Flip case, put in an equivalent non-ASCII letter, or leave the text as it is."""
    out = []
    for ch in text:
        r = rng.random()
        if r < 0.15:
            out.append(ch.swapcase())
        elif r < 0.25 and ch.lower() in SWAPS:
            out.append(rng.choice(SWAPS[ch.lower()]))
        else:
            out.append(ch)
    return "".join(out)


def value(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.05:
        return rng.choice([None, True, False, 5, 1.5e10, -0.0])
    if r < 0.1:
        return [value(rng), value(rng)]
    text = rng.choice(PIECES)
    if rng.random() < 0.3:
        text = rng.choice(PIECES) + text + rng.choice(PIECES)
    return mutate(text, rng) if rng.random() < 0.5 else text


# events close to what each rule above matches, so that matches are common
TEMPLATES: list[dict[str, Any]] = [
    {"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromDBSnapshot"},
    {"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromS3"},
    {"eventSource": "s3.amazonaws.com", "eventName": "PutDeleteBucketPolicy"},
    {"userAgent": "aws-cli/2.15.30 Python/3.11", "eventName": "ConsoleLogin"},
    {"kw": "kelvinator"},
    {"requestParameters": {"nested": ["x", "Straße-Sink"]}},
    {"errorMessage": "User: bob is not authorized to perform: rds:RestoreDBInstanceFromS3"},
    {"eventName": "PutRolePolicy", "eventSource": "iam.amazonaws.com"},
    {"eventName": "AttachPolicy", "eventSource": "iam.amazonaws.com"},
    {"userIdentity": {"type": "Root"}},
    {"requestParameters": {"policyDocument": '{"Version":"2012-10-17","Statement":{"Effect":"Allow"}}'}},
    {"requestParameters": {"command": "powershell /encodedcommand AAAA"}},
]


def mutated(obj: Any, rng: random.Random) -> Any:
    if isinstance(obj, dict):
        return {k: mutated(v, rng) for k, v in obj.items()}
    if isinstance(obj, list):
        return [mutated(v, rng) for v in obj]
    return mutate(obj, rng) if isinstance(obj, str) and rng.random() < 0.5 else obj


def event(rng: random.Random) -> dict[str, Any]:
    ev: dict[str, Any] = mutated(rng.choice(TEMPLATES), rng) if rng.random() < 0.6 else {}
    for f in rng.sample(FIELDS, rng.randrange(0, 4)):
        head, _, tail = f.partition(".")
        if tail:
            ev.setdefault(head, {})
            if isinstance(ev[head], dict):
                ev[head][tail] = value(rng)
        else:
            ev[head] = value(rng)
    return ev


def dump(obj: Any, rng: random.Random, escape: float) -> str:
    """JSON text where any character of a string may be written as \\uXXXX (and "/" as \\/)."""
    if isinstance(obj, dict):
        return "{" + ",".join(dump(str(k), rng, escape) + ":" + dump(v, rng, escape) for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ", ".join(dump(v, rng, escape) for v in obj) + "]"
    if not isinstance(obj, str):
        return json.dumps(obj)
    out = []
    for ch in obj:
        if ch in '"\\' or ch < " ":
            out.append(json.dumps(ch)[1:-1])
        elif ch == "/" and rng.random() < escape:
            out.append("\\/")
        elif rng.random() < escape:
            out.append("".join(f"\\u{u:04{rng.choice('xX')}}" for u in _utf16(ch)))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _utf16(ch: str) -> list[int]:
    b = ch.encode("utf-16-be")
    return [int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2)]


FILTERS = [(compile_rule(r), LineFilter.for_rule(r)) for r in rules()]


@settings(max_examples=1000, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.sampled_from([0.0, 0.02, 0.3, 1.0]))
def test_a_line_that_can_match_is_never_skipped(seed: int, escape: float) -> None:
    rng = random.Random(seed)
    events = [event(rng) for _ in range(12)]
    lines = [dump(ev, rng, escape).encode("utf-8") for ev in events]
    for ev, line in zip(events, lines):
        assert json.loads(line) == ev
    chunk = b"\n".join(lines) + b"\n"
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for predicate, lf in FILTERS:
        if lf is None:
            continue
        picked = {s for s, _ in lf.candidates(chunk)}
        lo, hi = sorted(rng.sample(range(len(starts)), 2))  # and on a part of the chunk
        part = {s for s, _ in lf.candidates(chunk, starts[lo], starts[hi])}
        for i, (ev, line) in enumerate(zip(events, lines)):
            if predicate(ev):
                assert lf.may_match(line), (lf, line)
                assert starts[i] in picked, (lf, line)
                assert not lo <= i < hi or starts[i] in part, (lf, line)
            assert (starts[i] in picked) <= lf.may_match(line)  # candidates are a subset of may_match


def test_an_escaped_needle_is_not_skipped() -> None:
    predicate, lf = FILTERS[0]
    assert lf is not None
    line = (b'{"eventSource":"\\u0072ds.amazonaws.com","eventName":"RestoreDBInstanceFromS3"}')
    assert predicate(json.loads(line)) and lf.may_match(line) and lf.candidates(line + b"\n")
    line = '{"eventSource":"rd\u017f.amazonaws.com","eventName":"Restore\u0130DBInstanceFromS3"}'.encode()
    assert lf.may_match(line) and is_hazard(line)
    # escapes that cannot hide an ASCII letter leave the line skippable
    line = b'{"eventSource":"ec2.amazonaws.com","userName":"Jos\\u00e9","policy":"{\\"a\\":1}\\n"}'
    assert not is_hazard(line) and not lf.may_match(line) and not lf.candidates(line + b"\n")


REALISTIC = [
    {"eventVersion": "1.09", "eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
     "userAgent": "aws-cli/2.15.30 Python/3.11.8", "sourceIPAddress": "198.51.100.23",
     "requestParameters": {"instanceType": "t3.micro"}, "responseElements": None},
    {"eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "sourceIPAddress": "rds.amazonaws.com",
     "userAgent": "rds.amazonaws.com", "userIdentity": {"invokedBy": "rds.amazonaws.com"}},
    {"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBClusterFromSnapshot"},
    {"eventSource": "rds.amazonaws.com", "eventName": "DescribeDBInstances", "userName": "Łukasz Zoë"},
    {"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "errorMessage": "Failed authentication"},
]


def test_plain_lines_that_cannot_match_are_skipped() -> None:
    _, lf = FILTERS[0]
    assert lf is not None
    for ensure_ascii in (False, True):
        chunk = b"".join(json.dumps(ev, ensure_ascii=ensure_ascii).encode() + b"\n" for ev in REALISTIC)
        assert lf.candidates(chunk) == []
    hit = json.dumps({"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromS3"}).encode()
    chunk = b"\n".join(json.dumps(ev).encode() for ev in REALISTIC) + b"\n" + hit + b"\n"
    assert [chunk[s:e] for s, e in lf.candidates(chunk)] == [hit]


# ---- the reader: the same events as json.loads, filter or not, in one piece or several -------------
def reference(text: str) -> list[dict[str, Any]]:
    """JSON Lines as the standard library reads them (text mode: \\r and \\r\\n end a line too); a
    CloudTrail file's Records are unwrapped on the first line only."""
    out: list[dict[str, Any]] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            doc = json.loads(line)
            first = not out and len(doc) == 1 and isinstance(doc.get("Records"), list)
            out.extend(doc["Records"] if first else [doc])
    return out


TRICKY = [
    '{"a": 18446744073709551616, "b": -9223372036854775809, "c": 12345678901234567890123}',
    '{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1e400}',
    '{"a": "\\ud800 lone surrogate", "b": "\\ud83d\\ude00"}',
    '{"a": -0, "b": -0.0, "c": 0.1, "d": 1E2, "e": 2.2250738585072011e-308}',
    '{"a": 1, "a": 2}',
    '   {"padded": true}   ',
    '',
    '\t',
    '{"Records": [{"eventName": "X"}]}',
]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_the_reader_gives_what_json_gives(tmp_path: Path, newline: str) -> None:
    text = newline.join(['{"eventSource": "rds.amazonaws.com"}', *TRICKY, '{"last": 1}'])
    f = tmp_path / "e.jsonl"
    f.write_bytes(text.encode())
    want = reference(text)
    got = list(read_events(str(f)))
    assert json.dumps(got) == json.dumps(want)  # NaN and -0.0 compare by their text


def test_the_reader_reads_blocks_cut_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import engines.events as events

    rng = random.Random(3)
    lines = [json.dumps(event(rng), ensure_ascii=rng.random() < 0.5) for _ in range(300)]
    text = "\r\n".join(lines[:100]) + "\n" + "\r".join(lines[100:200]) + "\n" + "\n\n".join(lines[200:]) + "\n"
    f = tmp_path / "e.jsonl"
    f.write_bytes(text.encode())
    want = reference(text)
    _, lf = FILTERS[0]
    for block in (7, 64, 1000, 1 << 20):
        monkeypatch.setattr(events, "BLOCK", block)
        assert list(read_events(str(f))) == want
        filtered = list(read_events(str(f), lf))
        assert [e for e in filtered if FILTERS[0][0](e)] == [e for e in want if FILTERS[0][0](e)]
        assert filtered[0] == want[0] and filtered[-1] == want[-1]  # the first and the last line: always read


def test_errors_name_the_line_with_or_without_the_filter(tmp_path: Path) -> None:
    _, lf = FILTERS[0]
    good = json.dumps({"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromS3"})
    f = tmp_path / "bad.jsonl"
    f.write_text("\n".join([good, good, '{"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromS3',
                            good]) + "\n")
    for line_filter in (None, lf):
        with pytest.raises(EventsError, match=r"bad.jsonl: invalid JSON at line 3, column \d+"):
            list(read_events(str(f), line_filter))
    f.write_text("\n".join([good, "[1, 2]", good]) + "\n")
    with pytest.raises(EventsError, match="line 2 is not a JSON object"):
        list(read_events(str(f), None))
    # a malformed line the filter proves irrelevant is not parsed, the last line always is
    f.write_text("\n".join([good, '{"eventSource": "ec2.amazonaws.com", ', good]) + "\n")
    assert len(list(read_events(str(f), lf))) == 2
    f.write_text("\n".join([good, good, '{"eventSource": "ec2.amazonaws.com", ']))
    with pytest.raises(EventsError, match="line 3"):
        list(read_events(str(f), lf))


def test_gzip_and_arrays_still_read(tmp_path: Path) -> None:
    import gzip

    rows = [{"eventSource": "rds.amazonaws.com", "eventName": "RestoreDBInstanceFromS3"}, {"eventName": "x"}]
    gz = tmp_path / "e.jsonl.gz"
    gz.write_bytes(gzip.compress(("\n".join(json.dumps(r) for r in rows) + "\n").encode()))
    arr = tmp_path / "a.json"
    arr.write_text(json.dumps(rows, indent=2))
    pretty = tmp_path / "ct.json"
    pretty.write_text(json.dumps({"Records": rows}, indent=2))
    _, lf = FILTERS[0]
    for p in (gz, arr, pretty):
        assert list(read_events(str(p))) == rows
        assert rows[0] in list(read_events(str(p), lf))
