"""`siemc evaluate`: the reference evaluator over event files, streaming.

JSON Lines go through the rule's pre-filter (compiler/prefilter.py): a line whose raw text proves
that no event in it can match is not parsed. The count and the events printed are the same as
without it; a malformed line that the filter skips is not reported (the first and the last line
of each file are always parsed).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from compiler.evaluator import EvaluationError, compile_rule
from compiler.loader import LoadError, load_rule_docs, read_yaml
from compiler.prefilter import LineFilter


def run_evaluate(rule_path: str, files: tuple[str, ...], fmt: str, fail: Callable[[str], NoReturn]) -> int:
    from engines.events import EventsError, read_events

    path = Path(rule_path)
    try:
        rules = load_rule_docs(path, read_yaml(path))
    except LoadError as e:
        fail(str(e))
    if len(rules) != 1:
        fail(f"{path}: expected one rule, found {len(rules)}")
    try:
        predicate = compile_rule(rules[0].rule)
    except EvaluationError as e:
        fail(f"{path}: {e}")
    line_filter = LineFilter.for_rule(rules[0].rule)
    count = 0
    out = sys.stdout
    bar = _Progress() if sys.stderr.isatty() else None
    progress = bar.add if bar else None
    try:
        for f in files:
            if fmt == "count":
                count += sum(1 for event in read_events(f, line_filter, progress) if predicate(event))
            else:
                dumps = json.dumps
                for event in read_events(f, line_filter, progress):
                    if predicate(event):
                        out.write(dumps(event, ensure_ascii=False) + "\n")
    except EventsError as e:
        fail(str(e))
    finally:
        if bar:
            bar.done()
    if fmt == "count":
        out.write(f"{count}\n")
    return 0


class _Progress:
    """Megabytes of JSON Lines read so far on stderr, redrawn about every 64 MB."""

    def __init__(self) -> None:
        self.bytes = 0
        self.shown = 0

    def add(self, n: int, every: int = 64 << 20) -> None:
        self.bytes += n
        if self.bytes - self.shown >= every:
            self.shown = self.bytes
            sys.stderr.write(f"\r{self.bytes >> 20:,} MB read")
            sys.stderr.flush()

    def done(self) -> None:
        if self.shown:
            sys.stderr.write(f"\r{self.bytes >> 20:,} MB read\n")

    def __repr__(self) -> str:
        return f"_Progress({self.bytes})"
