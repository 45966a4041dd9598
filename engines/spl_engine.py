"""The Splunk target's engine: the Splunk Add-on for AWS view of an event, and an SPL executor."""

from __future__ import annotations

import functools
from typing import Any

from engines.base import View
from engines.spl import Predicate, compile_pipeline, parse


@functools.lru_cache(maxsize=1024)
def compile_query(query: str) -> Predicate:
    """Parse and compile ``query`` once; QueryError (not cached) when it is outside the subset."""
    return compile_pipeline(parse(query))


class SplEngine:
    """Executes the SPL subset (see engines/spl) on documents as Splunk presents them at search time.

    A document is a flat dict: field name (case-sensitive, e.g. ``userIdentity.arn``,
    ``requestParameters.items{}.instanceId``, ``_raw``) -> str, int, float, bool or a list of those
    (a multivalue field). A field not in the dict is absent. An int or float is read as its Python
    text (``7``, ``7.5``) and a bool as ``true``/``false``: a view that must keep Splunk's exact text
    of a number (``1.50``) passes it as a string.
    """

    target = "spl"

    def view(self, event: dict[str, Any]) -> View:
        """The raw event as the Splunk Add-on for AWS presents it (sourcetype aws:cloudtrail)."""
        from engines.views.splunk import splunk_view  # written separately; imported only when used

        result = splunk_view(event)
        return result if isinstance(result, View) else View(doc=result)

    def run(self, query: str, docs: list[dict[str, Any]]) -> list[bool]:
        """Whether ``query`` keeps each document, in order. Raises QueryError for an invalid query."""
        predicate = compile_query(query)
        return [predicate(doc) for doc in docs]
