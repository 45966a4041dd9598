"""Compile the whole SigmaHQ rules/ folder: siemc to four targets against sigma-cli to one.

    python benchmarks/compile_bench.py               # creates benchmarks/.venv-sigma-cli on first use
    python benchmarks/compile_bench.py --repeat 5 --corpus ../shared/corpus/sigmahq/rules

In one run, each as its own child process (wall time and that process's peak RSS, median of
--repeat runs):
  siemc      `siemc compile RULES -t eql,spl,kql,cwli -f json --no-warnings`, and the same with the
             SigmaHQ validators' warnings on (validation is part of siemc's job)
  sigma-cli  `sigma convert -t splunk -s --without-pipeline RULES` (the official Splunk backend; no
             pipeline maps CloudTrail, and with -p splunk_windows it converts the same rules, slower:
             that is measured too). -s skips the 3 rules the backend cannot convert, without which
             it stops at the first.
sigma-cli and its backends pin pysigma<2, so they live in their own virtual environment, made
here with `pip install sigma-cli pySigma-backend-splunk`; never a dependency of siemc.
Ratio: siemc for four targets / sigma-cli for one (goal <= 1). Not a test.
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

VENV = HERE / ".venv-sigma-cli"
TARGETS = "eql,spl,kql,cwli"


def sigma_cli() -> Path:
    exe = VENV / "bin" / "sigma"
    if not exe.exists():
        print(f"creating {VENV} (sigma-cli, pySigma-backend-splunk) ...", file=sys.stderr)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        for cmd in ([sys.executable, "-m", "venv", str(VENV)], [*pip, "sigma-cli", "pySigma-backend-splunk"]):
            r = run(cmd)
            if r.code:
                sys.exit(f"{' '.join(cmd)} failed: {r.stderr[-2000:]}")
    return exe


def versions() -> str:
    r = run([str(VENV / "bin" / "python"), "-m", "pip", "list", "--format=freeze"])
    keep = ("sigma-cli", "pysigma", "pysigma-backend-splunk")
    return ", ".join(line for line in r.stdout.splitlines() if line.split("==")[0].lower() in keep)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "sigmahq" / "rules")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--siemc", default=str(Path(PYTHON).with_name("siemc")),
                    help="the siemc command, split as a shell would (e.g. 'python old-checkout/run_siemc.py')")
    a = ap.parse_args(argv)
    corpus = a.corpus.resolve()
    files = sum(1 for _ in corpus.rglob("*.yml"))
    sigma = str(sigma_cli())
    siemc = shlex.split(a.siemc)
    tools: dict[str, tuple[str, list[str]]] = {
        "siemc --no-warnings": ("4", [*siemc, "compile", str(corpus), "-t", TARGETS, "-f", "json", "--no-warnings"]),
        "siemc (warnings on)": ("4", [*siemc, "compile", str(corpus), "-t", TARGETS, "-f", "json"]),
        "sigma-cli --without-pipeline": ("1", [sigma, "convert", "-t", "splunk", "-s", "--without-pipeline",
                                               str(corpus)]),
        "sigma-cli -p splunk_windows": ("1", [sigma, "convert", "-t", "splunk", "-s", "-p", "splunk_windows",
                                              str(corpus)]),
    }
    print(f"machine: {machine()}; load average at start {load()}", file=sys.stderr)
    runs: dict[str, list[Run]] = {k: [] for k in tools}
    for i in range(a.repeat):
        for name, (_, cmd) in tools.items():
            r = run(cmd, cwd=ROOT)
            ok = r.code == 0 or (name.startswith("siemc") and r.code == 1)  # 1: some rules refused, by design
            if not ok:
                sys.exit(f"{name} failed ({r.code}): {r.stderr.strip()[-2000:]}")
            runs[name].append(r)
            print(f"  [{i + 1}/{a.repeat}] {name}: {r.wall:.2f} s, {r.peak_mb:.0f} MB", file=sys.stderr)

    med = {k: median_run(v) for k, v in runs.items()}
    fastest_cli = min((k for k in tools if k.startswith("sigma-cli")), key=lambda k: med[k].wall)
    rows = []
    for name, (targets, _) in tools.items():
        m = med[name]
        rows.append([name, targets, f"{m.wall:.2f}", spread(runs[name]), f"{files / m.wall:,.0f}", f"{m.cpu:.2f}",
                     f"{m.peak_mb:.0f}", f"{m.wall / med[fastest_cli].wall:.2f}"])
    print()
    print(f"compile {files} rule files ({corpus}), median of {a.repeat}")
    print(f"machine: {machine()}; load average at end {load()}")
    print(f"sigma-cli venv: {versions()}")
    print()
    print(table(rows, ["tool", "targets", "wall s", "range", "files/s", "cpu s", "peak MB",
                       f"vs {fastest_cli}"]))
    print()
    for name in ("siemc --no-warnings", "siemc (warnings on)"):
        ratio = med[name].wall / med[fastest_cli].wall
        print(f"{name} (4 targets) / {fastest_cli} (1 target) = {ratio:.2f}  (goal <= 1)  "
              f"{'met' if ratio <= 1 else 'NOT met'}")
    print(f"siemc wrote {med['siemc --no-warnings'].lines} JSON lines (one a rule, each with all four targets); "
          f"sigma-cli {med[fastest_cli].lines} query lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
