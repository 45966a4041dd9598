"""The Elastic EQL engine: the Elastic view of an event, and an executor with Elasticsearch semantics.

Queries are parsed by Elastic's own `eql` package (Elasticsearch syntax) and evaluated by our layer
(`engines.eql`), which reproduces how Elasticsearch translates EQL to Query DSL on a mapped index:
term/wildcard/regexp/range queries over the indexed values of each field. The package's own
PythonEngine is not used: it folds case everywhere and anchors regexes differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from engines.base import QueryError, View
from engines.eql.compile import Matcher, compile_query
from engines.eql.fields import FieldResolver
from engines.eql.parse import parse_es_eql

__all__ = ["EqlEngine"]


class EqlEngine:
    """Runs Elasticsearch EQL event queries over Elastic `_source` documents.

    `field_types` is the index mapping flattened to dotted names (`event.action` -> `keyword`);
    by default the Elastic view's `ELASTIC_FIELD_TYPES`. `ignore_above` gives keyword fields whose
    longer values are stored but not indexed (default: the view's `ELASTIC_IGNORE_ABOVE`, if any).
    """

    target = "eql"

    def __init__(
        self,
        field_types: Mapping[str, str] | None = None,
        ignore_above: Mapping[str, int] | None = None,
    ) -> None:
        if field_types is None:
            from engines.views import elastic  # lazily: the view module is optional for unit use

            field_types = elastic.ELASTIC_FIELD_TYPES
            if ignore_above is None:
                ignore_above = getattr(elastic, "ELASTIC_IGNORE_ABOVE", None)
        self._resolver = FieldResolver(field_types, ignore_above)
        self._compile = lru_cache(maxsize=512)(self._compile_uncached)

    @classmethod
    def raw_engine(cls, docs: list[dict[str, Any]]) -> EqlEngine:
        """An engine for events indexed as they are (a log source no view models), with the
        mapping an explicit keyword-for-strings template would give: str -> keyword, bool ->
        boolean, int -> long, float -> double. (Elasticsearch's default dynamic mapping would make
        strings `text`, which EQL cannot search; a SIEM index for detections maps them keyword.)"""
        types: dict[str, str] = {}

        def walk(value: Any, path: str) -> None:
            if isinstance(value, dict):
                if path:
                    types.setdefault(path, "object")
                for key, item in value.items():
                    walk(item, f"{path}.{key}" if path else key)
            elif isinstance(value, list):
                for item in value:
                    walk(item, path)
            elif value is not None and path:
                kind = ("boolean" if isinstance(value, bool) else "long" if isinstance(value, int)
                        else "double" if isinstance(value, float) else "keyword")
                if types.setdefault(path, kind) != kind:
                    types[path] = "keyword"

        for doc in docs:
            walk(doc, "")
        types.setdefault("@timestamp", "date")
        return cls(field_types=types, ignore_above={})

    def view(self, event: dict[str, Any]) -> View:
        from engines.views.elastic import elastic_view

        return elastic_view(event)

    def _compile_uncached(self, query: str) -> Matcher:
        return compile_query(parse_es_eql(query), self._resolver)

    def compile(self, query: str) -> Matcher:
        """The query as a closure over one `_source` document; QueryError if Elasticsearch would refuse it."""
        return self._compile(query)

    def run(self, query: str, docs: list[dict[str, Any]]) -> list[bool]:
        matcher = self.compile(query)
        try:
            return [bool(matcher(doc)) for doc in docs]
        except QueryError:
            raise
        except (TypeError, ValueError) as exc:  # a value the mapping cannot hold; never guess
            raise QueryError(f"cannot evaluate {query!r}: {exc}") from exc
