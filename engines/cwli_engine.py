"""The ``cwli`` target: CloudWatch Logs Insights over a CloudTrail log group.

The view (how CloudWatch Logs stores and discovers a raw CloudTrail record) lives in
engines.views.cloudwatch; the executor is our interpreter in engines.cwli.
"""

from __future__ import annotations

from typing import Any

from engines.base import View
from engines.cwli import ALTERNATIVE_READINGS, compile_query, parse


class CwliEngine:
    """Executes Logs Insights query text on discovered-field documents (one answer per document)."""

    target = "cwli"

    def view(self, event: dict[str, Any]) -> View:
        # Imported lazily: the view module is maintained separately and is not needed to run queries.
        from engines.views.cloudwatch import cloudwatch_view

        return cloudwatch_view(event)

    def run(self, query: str, docs: list[dict[str, Any]]) -> list[bool]:
        """Whether ``query`` keeps each document. Raises QueryError for text outside the subset."""
        matches = compile_query(query)
        return [matches(doc) for doc in docs]

    def run_readings(self, query: str, docs: list[dict[str, Any]]) -> dict[str, list[bool]]:
        """The answers under the default and under each alternative reading of an unconfirmed fact.

        Keys are "default" and the names in ``ALTERNATIVE_READINGS``. When they disagree for a
        document, the translation's result there depends on a fact nobody has confirmed.
        """
        results = {"default": self.run(query, docs)}
        for name, readings in ALTERNATIVE_READINGS.items():
            matches = compile_query(query, readings)
            results[name] = [matches(doc) for doc in docs]
        return results

    def unconfirmed(self, query: str) -> frozenset[str]:
        """Static unconfirmed facts the query text relies on ("string-escapes", "and-or-precedence")."""
        return parse(query).unconfirmed
