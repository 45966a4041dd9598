"""Golden files: the seed's artifacts, byte for byte, in tests/golden/render/.

A change to a template, a filter, a backend's query or the seed shows up here as a diff to review.
Rewrite them only on purpose: ``SIEMC_UPDATE_GOLDEN=1 python -m pytest tests/test_render_golden.py``.
A .tgz is compared by its members (``<name>.tgz.d/``) and their tar headers (``<name>.tgz.listing``):
the compressed bytes depend on the zlib build, the members do not.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tarfile
from pathlib import Path

from tests.conftest import ROOT
from tests.test_render_cli import siemc

SEED = ROOT / "sigma/rules/cloud/aws/cloudtrail/aws_rds_db_instance_restored.yml"
GOLDEN = ROOT / "tests/golden/render"
UPDATE = os.environ.get("SIEMC_UPDATE_GOLDEN") == "1"


def tree(root: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if not rel.endswith(".tgz"):
            out[rel] = path.read_bytes()
            continue
        listing = []
        with tarfile.open(path) as tar:
            for m in tar.getmembers():
                listing.append(f"{m.mode:o} {m.mtime} {m.uid}:{m.gid} {m.uname or '-'}:{m.gname or '-'} "
                               f"{'d' if m.isdir() else 'f'} {m.name}\n")
                if m.isfile():
                    data = tar.extractfile(m)
                    assert data is not None
                    out[f"{rel}.d/{m.name}"] = data.read()
        out[f"{rel}.listing"] = "".join(listing).encode()
    return out


def test_the_seed_artifacts_match_the_golden_files(tmp_path: Path) -> None:
    result = siemc("render", str(SEED), "-t", "all", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    actual = tree(tmp_path)
    if UPDATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in actual.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    expected = tree(GOLDEN) if GOLDEN.is_dir() else {}
    hint = "if the change is intended: SIEMC_UPDATE_GOLDEN=1 python -m pytest tests/test_render_golden.py"
    assert sorted(actual) == sorted(expected), hint
    for rel in sorted(actual):
        if actual[rel] != expected[rel]:
            diff = "".join(difflib.unified_diff(expected[rel].decode().splitlines(True),
                                                actual[rel].decode().splitlines(True), f"golden/{rel}", rel))
            raise AssertionError(f"{rel} differs from its golden file ({hint}):\n{diff}")
