"""Shared helpers for siemc's tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# CI clones main into its own folder with a copy of shared/ beside it; a developer's checkout has
# shared/ beside it too.
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: these tests read the shared corpus that sits beside the checkout")
    return path


def sigma_rule(detection: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A minimal CloudTrail Sigma rule around a detection (the id is fixed: output must be stable)."""
    rule = {
        "title": "test rule",
        "id": "0f6a3f9e-1d2c-4b5a-8e7f-000000000001",
        "status": "test",
        "logsource": {"product": "aws", "service": "cloudtrail"},
        "detection": detection,
        "level": "low",
    }
    rule.update(extra)
    return rule


def loaded(rule: dict[str, Any], path: str = "test.yml"):  # type: ignore[no-untyped-def]
    from compiler.loader import load_rule_docs

    # round-trip through YAML text: what a user writes is what the loader sees
    return load_rule_docs(Path(path), [yaml.safe_load(yaml.safe_dump(rule, sort_keys=False, allow_unicode=True))])[0]


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("siemc") or ""
    cmd = [exe] if exe else [sys.executable, "-c", "from compiler.cli import main; main()"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, input=stdin, cwd=ROOT, timeout=600)
