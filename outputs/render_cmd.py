"""`siemc render`: each rule's deployable artifacts per platform (outputs/README.md).

Registered on the ``siemc`` group by the import at the bottom of compiler/cli.py.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import click

from compiler.cli import Exit, cli, fail, gather_rules, pick_targets, progress, relative_to_roots

if TYPE_CHECKING:  # the CLI starts fast: jinja2 and the templates load only when render runs
    from outputs.profiles import Config
    from outputs.render import File, Part

DEFAULT_CONFIG = "siemc-profiles.yml"


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-t", "--target", "target_spec", required=True, help="Comma list of targets or aliases, or all.")
@click.option("-a", "--artifact", "artifact_specs", multiple=True,
              help="Only these artifacts (repeat or comma list): toml, ndjson, conf, app, yaml, arm, cfn, alarm.")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write into: <target>/<rule path>.<ext>, or <profile>/<target>/... with --profile.")
@click.option("--profile", "profile_name", help="A profile of the config file, or all (one folder per profile).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help=f"Profiles file (YAML). Default: {DEFAULT_CONFIG} when it exists.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="Override a setting for this run, e.g. schedule.interval=10m or elastic.index='[logs-*]'.")
@click.option("--no-warnings", is_flag=True, help="Do not print the SigmaHQ validators' findings.")
def render(paths: tuple[str, ...], target_spec: str, artifact_specs: tuple[str, ...], out_dir: str,
           profile_name: str | None, config_path: str | None, assignments: tuple[str, ...], no_warnings: bool) -> None:
    """Render deployable rules (Elastic TOML + NDJSON, Splunk conf + app, Sentinel YAML + ARM, CloudFormation
    query definitions and metric filter alarms)."""
    from compiler.driver import compile_rule
    from outputs import render as r
    from outputs.metadata import SettingsError, parse_assignment, validate_layer

    chosen = pick_targets(target_spec)
    named = {x.strip().lower() for x in target_spec.split(",")}
    missing = [t.name for t in chosen if t.name not in r.ARTIFACTS]
    if missing and "all" not in named:
        fail(f"no deployable artifacts for target {', '.join(missing)} yet")
    for name in missing:
        click.echo(f"siemc: {name}: no deployable artifacts yet, skipped", err=True)
    usable = [t for t in chosen if t.name in r.ARTIFACTS]

    selected = {a.strip() for spec in artifact_specs for a in spec.split(",") if a.strip()} or None
    if selected is not None:
        known = {n for t in usable for n in r.ARTIFACTS[t.name].names()}
        if selected - known:
            fail(f"unknown artifact {', '.join(sorted(selected - known))} for {', '.join(t.name for t in usable)} "
                 f"(known: {', '.join(sorted(known))})")
        usable = [t for t in usable if selected & set(r.ARTIFACTS[t.name].names())]

    try:
        set_layers = [parse_assignment(a) for a in assignments]
        for layer in set_layers:
            validate_layer(layer)
        chosen_profiles = _config(config_path, profile_name).select(profile_name)
    except SettingsError as e:
        fail(str(e))

    rules, failed = gather_rules(paths, no_warnings)
    run = _Run(Path(out_dir))
    with progress(rules, "rendering") as bar:
        for rule in bar:
            rel = PurePosixPath(relative_to_roots(rule.path, paths).with_suffix("").as_posix())
            for target in usable:
                compiled = compile_rule(rule, target)
                if compiled.query is None:
                    run.report(rule.path, target.name, compiled.error or "no query")
                    continue
                for prof in chosen_profiles:
                    layers = prof.layers(rule.id) + set_layers
                    result = r.render_rule(rule, target.name, compiled.query, rel, layers, compiled.notes, selected)
                    for message in result.errors:
                        run.report(rule.path, target.name, message)
                    for text in result.notes:
                        run.note(rule.path, "", text)
                    for text in result.target_notes:
                        run.note(rule.path, target.name, text)
                    run.write(prof.folder, result.files, rule.path, target.name)
                    for name, part in result.parts.items():
                        run.parts[(prof.folder, target.name)][name].append(part)

    for prof in chosen_profiles:
        for target in usable:
            collected = run.parts.get((prof.folder, target.name))
            if collected:
                files, errors = r.build_bundles(target.name, collected, prof.layers("") + set_layers, selected)
                for rule, message in errors:
                    run.report(rule.path, target.name, message)
                run.write(prof.folder, files, Path("(bundle)"), target.name)

    click.echo(f"siemc: {len(rules)} rule(s) for {', '.join(t.name for t in usable)}: "
               f"{len(run.written)} file(s) written to {out_dir}", err=True)
    if failed or run.bad_rules:
        raise Exit(1)


class _Run:
    """What one render run has written, collected and reported."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.written: dict[Path, Path] = {}  # output file -> the rule it came from
        self.parts: dict[tuple[str, str], dict[str, list[Part]]] = defaultdict(lambda: defaultdict(list))
        self.bad_rules: set[Path] = set()
        self.said: set[tuple[Path, str, str]] = set()

    def report(self, rule_path: Path, target: str, message: str) -> None:
        self.bad_rules.add(rule_path)
        self._once(rule_path, target, message)

    def note(self, rule_path: Path, target: str, text: str) -> None:
        """``target`` "" for a note about the rule itself, whatever the target."""
        self._once(rule_path, target, f"note: {text}")

    def _once(self, rule_path: Path, target: str, text: str) -> None:
        # Once per rule and target, however many profiles render it.
        if (rule_path, target, text) not in self.said:
            self.said.add((rule_path, target, text))
            click.echo(f"siemc: {rule_path}: {target + ': ' if target else ''}{text}", err=True)

    def write(self, folder: str, files: list[File], source: Path, target: str) -> None:
        for rel, data in files:
            dest = self.out / folder / rel
            if self.written.get(dest, source) != source:
                self.report(source, target, f"{dest} is also written for {self.written[dest]}: render them separately")
                continue
            self.written[dest] = source
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)


def _config(path: str | None, profile: str | None) -> Config:
    from outputs import profiles

    if path is None and Path(DEFAULT_CONFIG).is_file():
        path = DEFAULT_CONFIG
    if path is None:
        if profile is not None:
            fail(f"--profile {profile} needs a profiles file: --config FILE (or {DEFAULT_CONFIG} here)")
        return profiles.EMPTY
    return profiles.load(Path(path))
