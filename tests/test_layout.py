"""Standing guards on the layout design.md requires."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_no_python_under_sigma() -> None:
    # pySigma's `sigma` is a namespace package: any .py or __init__.py here would shadow it everywhere.
    found = [p for p in (ROOT / "sigma").rglob("*") if p.suffix in (".py", ".pyc") or p.name == "__init__.py"]
    assert found == []


def test_pysigma_is_importable_next_to_our_sigma_folder() -> None:
    out = subprocess.run([sys.executable, "-c", "import sigma.rule, sigma.conversion.base; print('ok')"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_engines_import_nothing_they_check() -> None:
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.skip("import-linter is not installed: pip install 'siemc[test]'")
    out = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "engines verify independently" in out.stdout and "KEPT" in out.stdout
