"""The ``metricfilter`` target: a CloudWatch Logs metric filter on a CloudTrail log group.

CloudWatch Logs stores each CloudTrail record as its raw JSON text, and a JSON filter pattern reads
that JSON directly, so the view is the raw event itself with nothing lost.
"""

from __future__ import annotations

from typing import Any

from engines.base import View
from engines.metricfilter import compile_text


class MetricFilterEngine:
    """Executes JSON metric filter patterns on raw events (one answer per event)."""

    target = "metricfilter"

    def view(self, event: dict[str, Any]) -> View:
        return View(doc=event, losses={})

    def run(self, query: str, docs: list[dict[str, Any]]) -> list[bool]:
        """Whether the pattern matches each raw event. Raises QueryError outside the subset."""
        matches = compile_text(query)
        return [matches(doc) for doc in docs]
