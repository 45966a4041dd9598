"""`siemc check`: the command around compiler.check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from compiler.cases import event_cases, load_cases
from compiler.check import run_check
from compiler.cli import Exit, _events, cli, fail, gather_rules, pick_targets
from compiler.generate import add_generated
from compiler.loader import LoadError
from compiler.report import RENDERERS


def _split(paths: tuple[str, ...]) -> tuple[list[str], list[Path]]:
    """A folder holding rules/ and cases/ (like sigma/) gives its rules and its cases."""
    rule_paths: list[str] = []
    case_paths: list[Path] = []
    for p in paths:
        root = Path(p)
        if root.is_dir() and (root / "rules").is_dir():
            rule_paths.append(str(root / "rules"))
            if (root / "cases").is_dir():
                case_paths.append(root / "cases")
        else:
            rule_paths.append(p)
            case_paths.append(root)
    return rule_paths, case_paths


def _kusto_validator(messages: list[str]):  # type: ignore[no-untyped-def]
    """Microsoft's Kusto.Language checks each KQL query, when node and its package are here."""
    try:
        from engines.kusto_check import KustoUnavailable, kusto_diagnostics
    except ImportError:
        return None
    cache: dict[str, str | None] = {}

    def validate(target: str, query: str) -> str | None:
        if target != "kql":
            return None
        if query not in cache:
            try:
                diags = kusto_diagnostics([query])[0]
            except KustoUnavailable as e:
                if not any("Kusto.Language" in m for m in messages):
                    messages.append(f"note: KQL executed but not schema-checked by Kusto.Language: {e}")
                cache[query] = None
                return None
            errors = [d for d in diags if str(d.get("severity", "Error")).lower() == "error"]
            cache[query] = ("Kusto.Language: " + "; ".join(f"{d.get('code')}: {d.get('message')}" for d in errors)
                            if errors else None)
        return cache[query]

    return validate


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--cases", "case_files", multiple=True, help="More case files or folders.")
@click.option("--events", "event_files", multiple=True, help="Unlabelled events, compared with the reference.")
@click.option("-t", "--targets", "target_spec", default="all", show_default=True)
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True)
@click.option("-o", "--output", "out_file", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--generate", "generate_n", type=click.IntRange(min=0), default=0, metavar="N",
              help="Also check N generated matching events and N near-misses per rule.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --generate: same seed, same events.")
def check(paths: tuple[str, ...], case_files: tuple[str, ...], event_files: tuple[str, ...], target_spec: str,
          fmt: str, out_file: str | None, generate_n: int, seed: int) -> None:
    """Compile each rule, run every target's query on its view of every case, compare with Sigma."""
    chosen = pick_targets(target_spec)
    rule_paths, case_paths = _split(paths or ("sigma",))
    rules, bad = gather_rules(tuple(rule_paths), quiet_warnings=True)
    try:
        cases_by_id = load_cases([*case_paths, *(Path(c) for c in case_files)])
    except LoadError as e:
        fail(str(e))
    extra = []
    for f in event_files:
        extra.extend(event_cases(_events((f,)), f))
    messages: list[str] = []
    if generate_n:
        messages.extend(add_generated(rules, cases_by_id, generate_n, seed))
    with_bar = sys.stderr.isatty() and len(rules) > 1
    bar = click.progressbar(length=len(rules), label="checking", file=sys.stderr) if with_bar else None
    report = run_check(rules, cases_by_id, extra, chosen, _kusto_validator(messages),
                       on_rule=(lambda: bar.update(1)) if bar else None)
    if bar:
        bar.render_finish()
    report.messages.extend(messages)
    text = RENDERERS[fmt](report)
    if out_file:
        Path(out_file).write_text(text, encoding="utf-8")
        if fmt != "text":
            click.echo(RENDERERS["text"](report), nl=False, err=True)
    else:
        click.echo(text, nl=False)
    if report.failed or bad:
        raise Exit(1)
