"""Evaluate the seed rule over 1M realistic CloudTrail records: siemc against Elastic's eql engine
and against the bare cost of parsing the file (the floor).

    python benchmarks/evaluate_bench.py                 # makes benchmarks/data/ files if missing
    python benchmarks/evaluate_bench.py --repeat 5 --records 1000000 --small 100000

In one run, each as its own child process (wall time and that process's peak RSS, median of
--repeat runs), on the same JSON Lines file:
  siemc  `siemc evaluate sigma/rules/cloud/aws/cloudtrail/aws_rds_db_instance_restored.yml FILE -f count`
  eql    Elastic's `eql` package (PythonEngine, the stock engine) running the equivalent EQL over the
         raw records, each line parsed with the JSON parser siemc uses (orjson), streamed
  floor  every line parsed by json, orjson and msgspec (each if installed) and the match checked by
         a hand-written dict lookup; the fastest parser is the floor
All must report the same number of matches (asserted). Ratios: eql/siemc (goal >= 3) and
siemc/floor (goal <= 2). Peak RSS on --small records against --records shows whether memory is
constant. Not a test: nothing here is timed in the test suite.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _measure import PYTHON, Run, load, machine, median_run, run, spread, table  # noqa: E402

RULE = "sigma/rules/cloud/aws/cloudtrail/aws_rds_db_instance_restored.yml"
EQL = ('any where eventSource == "rds.amazonaws.com" and '
       'eventName in ("RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceFromS3") and errorCode == null')
NAMES = ("restoredbinstancefromdbsnapshot", "restoredbinstancefroms3")


# ---- workers: run in a child process by this same script -------------------------------------------
def _lines(path: str):  # type: ignore[no-untyped-def]
    """Whole lines of the file, read in 1 MB blocks (the fastest plain way in Python)."""
    carry = b""
    with open(path, "rb") as f:
        while data := f.read(1 << 20):
            lines = data.split(b"\n")
            lines[0] = carry + lines[0]
            carry = lines.pop()
            yield from lines
    if carry:
        yield carry


def worker_eql(path: str) -> int:
    import eql
    import orjson

    with eql.parser.elasticsearch_syntax, eql.parser.ignore_missing_functions:
        query = eql.parse_query(EQL)
    engine = eql.PythonEngine()
    engine.add_query(query)
    hits = [0]

    def hit(_: object) -> None:
        hits[0] += 1

    engine.add_output_hook(hit)
    loads, event = orjson.loads, eql.Event
    engine.stream_events(event("any", 0, loads(line)) for line in _lines(path) if line)
    return hits[0]


def worker_floor(path: str, parser: str) -> int:
    if parser == "json":
        import json

        loads = json.loads
    elif parser == "orjson":
        import orjson

        loads = orjson.loads
    else:
        import msgspec

        loads = msgspec.json.Decoder().decode
    n = 0
    for line in _lines(path):
        if not line:
            continue
        d = loads(line)
        # the cheapest check that counts the same matches (Sigma's string equality folds case)
        if (str(d.get("eventSource", "")).lower() == "rds.amazonaws.com"
                and str(d.get("eventName", "")).lower() in NAMES and "errorCode" not in d):
            n += 1
    return n


# ---- the benchmark -----------------------------------------------------------------------------------
def ensure(records: int) -> Path:
    path = HERE / "data" / f"cloudtrail-{records}.jsonl"
    if not path.exists():
        print(f"making {path} ...", file=sys.stderr)
        r = run([PYTHON, str(HERE / "make_events.py"), "-n", str(records), "-o", str(path)])
        if r.code:
            sys.exit(f"make_events.py failed: {r.stderr}")
    return path


def parsers() -> list[str]:
    found = ["json"]
    for mod in ("orjson", "msgspec"):
        try:
            __import__(mod)
            found.append(mod)
        except ImportError:
            print(f"note: {mod} is not installed; the floor is measured without it", file=sys.stderr)
    return found


def measure(path: Path, repeat: int, siemc: str, floors: list[str], only: set[str]) -> dict[str, list[Run]]:
    tools: dict[str, list[str]] = {
        "siemc": [*shlex.split(siemc), "evaluate", RULE, str(path), "-f", "count"],
        "eql": [PYTHON, __file__, "--worker", "eql", str(path)],
    }
    for p in floors:
        tools[f"floor-{p}"] = [PYTHON, __file__, "--worker", p, str(path)]
    tools = {k: v for k, v in tools.items() if not only or k.split("-")[0] in only}
    runs: dict[str, list[Run]] = {k: [] for k in tools}
    for i in range(repeat):
        for name, cmd in tools.items():
            r = run(cmd, cwd=ROOT)
            if r.code:
                sys.exit(f"{name} failed ({r.code}): {r.stderr.strip()[-2000:]}")
            runs[name].append(r)
            print(f"  [{path.name} {i + 1}/{repeat}] {name}: {r.wall:.2f} s, {r.peak_mb:.0f} MB, "
                  f"{r.stdout.strip()} matches", file=sys.stderr)
    return runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--small", type=int, default=100_000, help="the smaller file, for the memory comparison")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--siemc", default=str(Path(PYTHON).with_name("siemc")),
                    help="the siemc command, split as a shell would (e.g. 'python old-checkout/run_siemc.py')")
    ap.add_argument("--tools", default="", help="comma list of siemc, eql, floor (default: all)")
    ap.add_argument("--worker", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        kind, path = a.worker
        print(worker_eql(path) if kind == "eql" else worker_floor(path, kind))
        return 0

    floors = parsers()
    print(f"machine: {machine()}; load average at start {load()}", file=sys.stderr)
    results: dict[int, dict[str, list[Run]]] = {}
    for n in sorted({a.small, a.records}):
        results[n] = measure(ensure(n), a.repeat, a.siemc, floors, {t for t in a.tools.split(",") if t})

    big = results[a.records]
    counts = {name: {r.stdout.strip() for r in runs} for name, runs in big.items()}
    all_counts = set().union(*counts.values())
    assert len(all_counts) == 1, f"the tools disagree on the number of matches: {counts}"
    for n, res in results.items():
        c = {r.stdout.strip() for runs in res.values() for r in runs}
        assert len(c) == 1, f"the tools disagree on {n} records: {c}"
    matches = all_counts.pop()
    med = {name: median_run(runs) for name, runs in big.items()}
    floor_name = min((k for k in med if k.startswith("floor-")), key=lambda k: med[k].wall, default="")
    size = ensure(a.records).stat().st_size

    rows = []
    for name, runs in big.items():
        m = med[name]
        small = median_run(results[a.small][name]) if a.small != a.records else m
        label = name + (" (the floor)" if name == floor_name else "")
        rows.append([label, f"{m.wall:.2f}", spread(runs), f"{a.records / m.wall:,.0f}", f"{m.cpu:.2f}",
                     f"{small.peak_mb:.0f}", f"{m.peak_mb:.0f}", matches])
    print()
    print(f"evaluate {RULE}")
    print(f"over {a.records:,} CloudTrail records ({size / 1e6:,.0f} MB JSON Lines), median of {a.repeat}")
    print(f"machine: {machine()}; load average at end {load()}")
    print()
    print(table(rows, ["tool", "wall s", "range", "events/s", "cpu s", f"peak MB {a.small // 1000}k",
                       f"peak MB {a.records // 1000}k", "matches"]))
    print()
    if "siemc" in med and "eql" in med:
        ratio = med["eql"].wall / med["siemc"].wall
        print(f"eql / siemc   = {ratio:.2f}  (goal >= 3)  {'met' if ratio >= 3 else 'NOT met'}")
    if "siemc" in med and floor_name:
        ratio = med["siemc"].wall / med[floor_name].wall
        print(f"siemc / floor = {ratio:.2f}  (goal <= 2)  {'met' if ratio <= 2 else 'NOT met'}  "
              f"(floor: {floor_name.removeprefix('floor-')})")
    if "siemc" in med:
        small_peak = median_run(results[a.small]["siemc"]).peak_mb
        print(f"siemc peak RSS {small_peak:.0f} MB on {a.small:,} records, {med['siemc'].peak_mb:.0f} MB on "
              f"{a.records:,}: {'constant' if med['siemc'].peak_mb <= small_peak * 1.25 + 8 else 'GROWS'}")
    print(f"all tools: {matches} matches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
