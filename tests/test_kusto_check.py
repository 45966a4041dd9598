"""Microsoft's Kusto.Language, run in node, as the KQL syntax and schema validator."""

from __future__ import annotations

import pytest

from engines import kusto_check
from engines.kusto_check import KustoUnavailable, errors, kusto_diagnostics

COLUMNS = {"EventName": "string", "ReadOnly": "bool", "RequestParameters": "string", "Odd-Name": "string"}

VALID = (
    'AWSCloudTrail | where EventName =~ "x" and not(ReadOnly)'
    ' and tostring(parse_json(RequestParameters).userName) == "bob"'
    ' and ipv4_is_in_range(EventName, "10.0.0.0/8") and ["Odd-Name"] matches regex "a.b"'
)
INVALID = [
    ('AWSCloudTrail | where NoSuchColumn == "x"', "KS142"),
    ('AWSCloudTrail | where EventName = "x"', "KS141"),
    ("AWSCloudTrail | where no_such_function(EventName)", "KS211"),
    ("AWSCloudTrail | where ReadOnly =~ true", "KS106"),
    ('NoSuchTable | where EventName == "x"', "KS204"),
]
GOOD, BAD = 'AWSCloudTrail | where EventName == "x"', "AWSCloudTrail | where Nope == 1"
BATCH = [VALID, *(q for q, _ in INVALID), GOOD, BAD, GOOD, BAD]


@pytest.fixture(scope="module")
def check():  # type: ignore[no-untyped-def]
    """Error codes per query, from one node process for the whole module (node starts in ~0.5 s)."""
    try:
        answers = kusto_diagnostics(BATCH, COLUMNS)
    except KustoUnavailable as exc:  # only when node or the npm package is really absent
        pytest.skip(f"Kusto.Language unavailable: {exc}")
    by_query = {query: [d["code"] for d in errors(ds)] for query, ds in zip(BATCH, answers, strict=True)}
    ordered = [[d["code"] for d in errors(ds)] for ds in answers]

    def run(*queries: str) -> list[list[str]]:
        if queries == tuple(BATCH[-4:]):
            return ordered[-4:]
        return [by_query[q] for q in queries]

    return run


def test_valid_query_has_no_errors(check) -> None:  # type: ignore[no-untyped-def]
    assert check(VALID) == [[]]


@pytest.mark.parametrize(("query", "code"), INVALID)
def test_errors_are_reported(check, query: str, code: str) -> None:  # type: ignore[no-untyped-def]
    assert code in check(query)[0]


def test_batch_keeps_query_order(check) -> None:  # type: ignore[no-untyped-def]
    assert check(GOOD, BAD, GOOD, BAD) == [[], ["KS142"], [], ["KS142"]]


def test_diagnostics_carry_positions(check) -> None:  # type: ignore[no-untyped-def]
    query = "AWSCloudTrail | where Nope == 1"
    diagnostic = kusto_diagnostics([query], COLUMNS)[0][0]
    assert diagnostic["severity"] == "Error"
    assert query[diagnostic["start"] : diagnostic["start"] + diagnostic["length"]] == "Nope"


def test_default_schema_is_the_sentinel_table(check) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("engines.views.sentinel")
    diags = kusto_diagnostics(['AWSCloudTrail | where EventSource =~ "iam.amazonaws.com" and isempty(ErrorCode)'])
    assert errors(diags[0]) == []


def test_only_errors_count() -> None:
    diags = [{"severity": "Warning", "code": "KS1"}, {"severity": "Error", "code": "KS2"}]
    assert errors(diags) == [{"severity": "Error", "code": "KS2"}]


def test_missing_package_gives_the_install_hint(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SIEMC_NODE_MODULES", str(tmp_path))
    monkeypatch.setattr(kusto_check.shutil, "which", lambda name: "/usr/bin/node")
    with pytest.raises(KustoUnavailable, match="npm ci --prefix engines/node"):
        kusto_diagnostics(["AWSCloudTrail"], COLUMNS)


def test_missing_node_gives_the_install_hint(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(kusto_check.shutil, "which", lambda name: None)
    with pytest.raises(KustoUnavailable, match=r"node is not installed.*npm ci --prefix engines/node"):
        kusto_diagnostics(["AWSCloudTrail"], COLUMNS)


def test_empty_batch_starts_nothing(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(kusto_check.shutil, "which", lambda name: None)
    assert kusto_diagnostics([], COLUMNS) == []
