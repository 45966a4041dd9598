"""Compile a rules folder to every target and count: compiled, refused by reason, crashed.

    python scripts/corpus_report.py ../shared/corpus/sigmahq/rules

Prints a Markdown table (the README's corpus section) and exits 1 if anything crashed.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from compiler.driver import compile_rule
from compiler.loader import LoadedRule, load_rules
from compiler.registry import resolve

FIELD = re.compile(r"^(field|.* on|value of|.*value on) \S+$")


def reason(error: str) -> str:
    """A refusal's construct, with the field name generalised so counts group."""
    construct = error.split(" is not supported on ", 1)[0]
    head = FIELD.sub(lambda m: m.group(1) + " <field>", construct)
    if "log source" in construct:
        return "log source without a Sentinel table"
    if re.fullmatch(r"pattern of \d+ characters", construct):
        return "pattern over 1024 characters"
    if re.fullmatch(r"\d+ regexes", construct):
        return "more than 2 regexes"
    return head


def main(argv: list[str]) -> int:
    roots = [Path(a) for a in argv] or [Path("../shared/corpus/sigmahq/rules")]
    targets = resolve("all")
    ok: Counter[str] = Counter()
    refused: dict[str, Counter[str]] = {t.name: Counter() for t in targets}
    crashed: list[str] = []
    bad_files = 0
    rules = 0
    for item in load_rules(roots):
        if not isinstance(item, LoadedRule):
            bad_files += 1
            continue
        rules += 1
        for t in targets:
            try:
                c = compile_rule(item, t)
            except Exception as e:  # a crash is what this report exists to catch
                crashed.append(f"{item.path} [{t.name}]: {type(e).__name__}: {e}")
                continue
            if c.query is not None:
                ok[t.name] += 1
            elif c.refused:
                refused[t.name][reason(c.error or "")] += 1
            else:
                crashed.append(f"{item.path} [{t.name}]: {c.error}")
    print(f"{rules} rules ({bad_files} files not loadable), {len(targets)} targets\n")
    print("| target | compiled | refused | crashed | refused by reason (count) |")
    print("|---|---|---|---|---|")
    for t in targets:
        why = "; ".join(f"{k} ({n})".replace("|", "\\|") for k, n in refused[t.name].most_common())
        n_crash = sum(line.split("[")[1].startswith(t.name + "]") for line in crashed)
        print(f"| {t.name} | {ok[t.name]} | {sum(refused[t.name].values())} | {n_crash} | {why} |")
    for line in crashed:
        print("CRASH", line, file=sys.stderr)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
