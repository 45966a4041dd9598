"""The siemc command line (design.md): compile, evaluate, check, render, view, targets.

Exit codes for every command: 0 all good; 1 a rule failed to compile, a divergence or an
expectation failure; 2 bad usage or unreadable input. Errors are one line naming the file.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from compiler.loader import LoadedRule, LoadError, load_rules
from compiler.registry import Target, UnknownTarget, resolve, targets

USAGE = 2


class Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def fail(message: str, code: int = USAGE) -> NoReturn:
    click.echo(f"siemc: {message}", err=True)
    raise Exit(code)


def pick_targets(spec: str) -> list[Target]:
    try:
        return resolve(spec)
    except UnknownTarget as e:
        fail(str(e))


def progress(items: list[Any], label: str) -> Any:
    """A progress bar on a terminal, nothing when piped."""
    if sys.stderr.isatty() and len(items) > 1:
        return click.progressbar(items, label=label, file=sys.stderr)
    return _Plain(items)


class _Plain:
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __enter__(self) -> list[Any]:
        return self.items

    def __exit__(self, *a: object) -> None:
        return None


def gather_rules(paths: tuple[str, ...], quiet_warnings: bool = False) -> tuple[list[LoadedRule], int]:
    """Rules under ``paths``; each bad file is reported on stderr and counted."""
    from compiler.validate import warnings_for

    rules: list[LoadedRule] = []
    bad = 0
    try:
        for item in load_rules(Path(p) for p in paths):
            if isinstance(item, LoadError):
                click.echo(f"siemc: {item}", err=True)
                bad += 1
            else:
                rules.append(item)
                if not quiet_warnings:
                    for w in warnings_for(item):
                        click.echo(w, err=True)
    except LoadError as e:
        fail(str(e))
    return rules, bad


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@click.version_option(package_name="siemc")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Compile Sigma rules to EQL, SPL, KQL and CloudWatch Logs Insights, and prove them equivalent."""
    ctx.obj = {"debug": debug}


@cli.command()
def targets_cmd() -> None:
    """List the targets, their aliases and the platform each models."""
    for t in targets().values():
        aliases = ",".join(t.aliases) or "-"
        click.echo(f"{t.name:<6} {aliases:<12} {t.language:<26} {t.platform}")


targets_cmd.name = "targets"


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-t", "--targets", "target_spec", default="all", show_default=True,
              help="Comma list of targets or aliases, or all.")
@click.option("-f", "--format", "fmt", type=click.Choice(["query", "json"]), default="query", show_default=True)
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), help="Write one file per rule and target.")
@click.option("--no-warnings", is_flag=True, help="Do not print the SigmaHQ validators' findings.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Processes for large folders (default: the number of cores).")
def compile(paths: tuple[str, ...], target_spec: str, fmt: str, out_dir: str | None, no_warnings: bool,
            jobs: int | None) -> None:
    """Compile Sigma rules (files or folders) to each target's query."""
    from compiler.loader import yaml_files
    from compiler.parallel import compile_all

    chosen = pick_targets(target_spec)
    try:
        files = list(yaml_files(Path(p) for p in paths))
    except LoadError as e:
        fail(str(e))
    names = ",".join(t.name for t in chosen)
    failed = 0
    single = len(files) == 1 and len(chosen) == 1 and not out_dir
    bar = (click.progressbar(length=len(files), label="compiling", file=sys.stderr)
           if sys.stderr.isatty() and len(files) > 1 else None)
    try:
        for rec in compile_all(files, names, not no_warnings, jobs):
            if bar:
                bar.update(1)
            if rec.error is not None:
                click.echo(f"siemc: {rec.error}", err=True)
                failed += 1
                continue
            for w in rec.warnings:
                click.echo(w, err=True)
            results = rec.results
            failed += any(r.query is None for r in results)
            for r in results:
                if r.error:
                    click.echo(f"siemc: {rec.path}: {r.target}: {r.error}", err=True)
            if out_dir:
                _write_outputs(Path(out_dir), rec.path, chosen, results, paths)
            elif fmt == "json":
                click.echo(json.dumps({"path": str(rec.path), "id": rec.id, "title": rec.title,
                                       "targets": {r.target: r.as_json() for r in results}}, ensure_ascii=False))
            else:
                for t, r in zip(chosen, results):
                    if r.query is None:
                        continue
                    if not single:
                        click.echo(f"# {rec.path} [{t.name}] {rec.title}")
                    click.echo(r.query)
    finally:
        if bar:
            bar.render_finish()
    if failed:
        raise Exit(1)


def relative_to_roots(path: Path, roots: tuple[str, ...]) -> Path:
    for root in roots:
        r = Path(root)
        if r.is_dir():
            try:
                return path.relative_to(r)
            except ValueError:
                continue
    return Path(path.name)


def _write_outputs(out: Path, path: Path, chosen: list[Target], results: list[Any],
                   roots: tuple[str, ...]) -> None:
    rel = relative_to_roots(path, roots).with_suffix("")
    for t, r in zip(chosen, results):
        if r.query is None:
            continue
        dest = out / t.name / rel.with_suffix(f".{t.extension}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(r.query + "\n", encoding="utf-8")


def _events(files: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    from engines.events import EventsError, read_events

    try:
        for f in files:
            yield from read_events(f)
    except EventsError as e:
        fail(str(e))


@cli.command()
@click.argument("rule_path", metavar="RULE")
@click.argument("events", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["jsonl", "count"]), default="jsonl", show_default=True)
def evaluate(rule_path: str, events: tuple[str, ...], fmt: str) -> None:
    """Run the reference Sigma evaluator: print the matching events (or their count).

    Lines whose raw text proves they cannot match are skipped unparsed (a pre-filter derived from
    the rule), so a malformed line among them is not reported; the first and last lines always are.
    """
    from compiler.evaluate_cmd import run_evaluate

    raise Exit(run_evaluate(rule_path, events, fmt, fail))


@cli.command()
@click.option("-t", "--target", "target_spec", required=True, help="One target or alias.")
@click.argument("events", nargs=-1, required=True)
def view(target_spec: str, events: tuple[str, ...]) -> None:
    """Print each raw event as TARGET's platform stores it (JSON Lines)."""
    chosen = pick_targets(target_spec)
    if len(chosen) != 1:
        fail("view takes exactly one target")
    engine = chosen[0].make_engine()
    out = sys.stdout
    for event in _events(events):
        out.write(json.dumps(engine.view(event).doc, ensure_ascii=False, sort_keys=False, default=str) + "\n")


def main(argv: list[str] | None = None) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="siemc", standalone_mode=False)
    except Exit as e:
        sys.exit(e.code)
    except click.exceptions.Abort:
        click.echo("siemc: aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(USAGE)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:  # never a traceback for the user, unless asked
        if debug:
            traceback.print_exc()
        click.echo(f"siemc: internal error: {type(e).__name__}: {e} (run with --debug for the traceback)",
                   err=True)
        sys.exit(70)
    sys.exit(0)


def register(command: Callable[..., Any]) -> None:
    cli.add_command(command)  # type: ignore[arg-type]


# Commands defined in their own modules register themselves on import.
import compiler.check_cmd  # noqa: E402, F401
import outputs.render_cmd  # noqa: E402, F401
