"""`siemc evaluate`: the reference evaluator over event files, streaming."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from compiler.evaluator import EvaluationError, compile_rule
from compiler.loader import LoadError, load_rule_docs, read_yaml


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
    count = 0
    out = sys.stdout
    dumps = json.dumps
    bar = _Progress() if sys.stderr.isatty() else None
    try:
        for f in files:
            for event in read_events(f):
                if bar:
                    bar.tick()
                if predicate(event):
                    count += 1
                    if fmt == "jsonl":
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
    """A running count of events on stderr, updated every 50,000 events (cheap on the hot path)."""

    def __init__(self) -> None:
        self.n = 0

    def tick(self, every: int = 50_000) -> None:
        self.n += 1
        if self.n % every == 0:
            sys.stderr.write(f"\r{self.n:,} events")
            sys.stderr.flush()

    def done(self) -> None:
        if self.n >= 50_000:
            sys.stderr.write(f"\r{self.n:,} events\n")

    def __repr__(self) -> str:
        return f"_Progress({self.n})"


