"""Shared by the benchmark scripts: run a command as a child process and measure it; machine facts."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = Path("/usr/bin/time")
KEEP = 1 << 16  # bytes of each output kept (the benchmark itself must stay small: see run)


@dataclass
class Run:
    wall: float  # seconds
    peak_mb: float  # the child's peak resident set size
    cpu: float  # user + system seconds
    code: int
    stdout: str  # the first KEEP bytes
    stderr: str  # the last KEEP bytes
    lines: int  # lines written to stdout


def _count_lines(f: object) -> tuple[str, int]:
    f.seek(0)  # type: ignore[attr-defined]
    head, lines = b"", 0
    while chunk := f.read(1 << 20):  # type: ignore[attr-defined]
        if len(head) < KEEP:
            head += chunk[:KEEP - len(head)]
        lines += chunk.count(b"\n")
    return head.decode("utf-8", "replace"), lines


def run(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run ``cmd``; its wall time, CPU time and peak RSS.

    A child's peak RSS on Linux starts from the RSS of the process it was forked from, so the
    command is started by GNU time (a process of a few MB) where there is one, and its figures are
    taken from there; otherwise from wait4, which is then exact only while this process is smaller
    than the command. Outputs go to files, not pipes, and only their heads are kept.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        full = [str(GNU_TIME), "-f", "%M %U %S", "-o", timing.name, *cmd] if GNU_TIME.exists() else cmd
        t0 = time.perf_counter()
        p = subprocess.Popen(full, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = code = os.waitstatus_to_exitcode(status)
        peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
        if GNU_TIME.exists():
            fields = (timing.read().strip().splitlines() or ["0 0 0"])[-1].split()
            peak, cpu = int(fields[0]) / 1024, float(fields[1]) + float(fields[2])
        stdout, lines = _count_lines(out)
        err.seek(max(0, err.seek(0, 2) - KEEP))
        return Run(wall, peak, cpu, code, stdout, err.read().decode("utf-8", "replace"), lines)


def median_run(runs: list[Run]) -> Run:
    """The run with the median wall time (its own peak and CPU time go with it)."""
    ordered = sorted(runs, key=lambda r: r.wall)
    return ordered[len(ordered) // 2]


def spread(runs: list[Run]) -> str:
    walls = [r.wall for r in runs]
    return f"{min(walls):.2f}-{max(walls):.2f}" if len(walls) > 1 else f"{walls[0]:.2f}"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), {mem} RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def load() -> str:
    try:
        one, five, _ = os.getloadavg()
        return f"{one:.2f} (1 min), {five:.2f} (5 min)"
    except OSError:
        return "?"


def table(rows: list[list[str]], head: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in [head, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


PYTHON = sys.executable
