"""Syntax and schema check of KQL by Microsoft's Kusto.Language, run in node.

`kusto_diagnostics` starts one node process per batch (engines/node/kusto_check.js), sends the
table schema and the queries as JSON lines, and reads one line of diagnostics per query. Only
diagnostics of severity "Error" mean the query is invalid (`errors` filters them).

Node is optional at run time: without node or the npm package, `KustoUnavailable` says how to
install them, and callers keep executing KQL without this check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["KustoUnavailable", "errors", "kusto_diagnostics"]

NODE_DIR = Path(__file__).resolve().parent / "node"
SCRIPT = NODE_DIR / "kusto_check.js"
PACKAGE = Path("@kusto") / "language-service-next"
_LIBRARY_FILE = "Kusto.Language.Bridge.min.js"
_TIMEOUT_BASE_S = 60.0
_TIMEOUT_PER_QUERY_S = 0.5


class KustoUnavailable(Exception):
    """node, or the @kusto/language-service-next package, is not installed."""


def _install_hint() -> str:
    return f"run `npm ci --prefix engines/node` (here: npm ci --prefix {NODE_DIR})"


def _node_modules() -> Path:
    override = os.environ.get("SIEMC_NODE_MODULES")
    return Path(override) if override else NODE_DIR / "node_modules"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise KustoUnavailable(f"node is not installed (Node.js 18 or later is needed); then {_install_hint()}")
    library = _node_modules() / PACKAGE / _LIBRARY_FILE
    if not library.is_file():
        raise KustoUnavailable(f"{PACKAGE.as_posix()} is not installed in {_node_modules()}: {_install_hint()}")
    return node


def kusto_diagnostics(
    queries: list[str], columns: Mapping[str, str] | None = None, table: str = "AWSCloudTrail"
) -> list[list[dict[str, Any]]]:
    """Kusto.Language's diagnostics for each query (code, severity, message, start, length).

    `columns` maps column name -> Kusto type; by default the Sentinel view's `SENTINEL_COLUMNS`.
    """
    if not queries:
        return []
    if columns is None:
        from engines.views.sentinel import SENTINEL_COLUMNS  # lazily: optional for unit use

        columns = SENTINEL_COLUMNS
    node = _node()
    lines = [json.dumps({"table": table, "columns": [[name, kind] for name, kind in columns.items()]})]
    lines += [json.dumps({"query": query}) for query in queries]
    env = dict(os.environ)
    env["SIEMC_NODE_MODULES"] = str(_node_modules())
    try:
        done = subprocess.run(
            [node, str(SCRIPT)],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            timeout=_TIMEOUT_BASE_S + _TIMEOUT_PER_QUERY_S * len(queries),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"Kusto.Language check failed to run: {exc}") from exc
    answers = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or len(answers) != len(queries):
        detail = done.stderr.strip().splitlines()[-1:] or ["no error output"]
        raise RuntimeError(
            f"Kusto.Language check exited with {done.returncode} after {len(answers)} of {len(queries)} "
            f"answers: {detail[0]}"
        )
    return [json.loads(line) for line in answers]


def errors(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The diagnostics that make a query invalid (severity Error); warnings and suggestions do not."""
    return [d for d in diagnostics if str(d.get("severity", "")).lower() == "error"]
