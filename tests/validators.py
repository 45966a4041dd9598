"""The real validators: Elastic's eql parser and Microsoft's Kusto.Language (through node)."""

from __future__ import annotations

import pytest


def eql_parse_error(query: str) -> str | None:
    eql = pytest.importorskip("eql", reason="Elastic's eql package is missing: pip install 'siemc[verify]'")
    try:
        with eql.parser.elasticsearch_syntax, eql.parser.ignore_missing_functions:
            eql.parse_query(query)
    except eql.EqlError as e:
        return str(e)
    return None


def kusto_errors(queries: list[str]) -> list[list[str]]:
    """Kusto.Language error diagnostics per query, against the full AWSCloudTrail schema."""
    from engines.kusto_check import KustoUnavailable, kusto_diagnostics

    try:
        diags = kusto_diagnostics(queries)
    except KustoUnavailable as e:
        pytest.skip(f"Kusto.Language is not available: {e}")
    return [[f"{d.get('code')}: {d.get('message')}" for d in ds if str(d.get("severity", "Error")).lower() == "error"]
            for ds in diags]
