"""CloudWatch Logs Insights QL: a strict interpreter of the subset siemc emits.

Written from AWS's documented semantics (see engines/cwli/*.py docstrings for the pages), never
from the siemc backend. Unconfirmed facts live in engines.cwli.assumptions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from engines.cwli.assumptions import ALTERNATIVE_READINGS, DEFAULT_READINGS, Readings
from engines.cwli.evaluate import Doc, compile_filters
from engines.cwli.parser import Query, parse_query

__all__ = ["ALTERNATIVE_READINGS", "DEFAULT_READINGS", "Query", "Readings", "compile_query", "parse"]


@lru_cache(maxsize=512)
def parse(text: str) -> Query:
    """Parse once per distinct query text (QueryError is raised again on every call)."""
    return parse_query(text)


@lru_cache(maxsize=512)
def compile_query(text: str, readings: Readings = DEFAULT_READINGS) -> Callable[[Doc], bool]:
    """The matcher of a query under the given readings of the unconfirmed facts (cached)."""
    return compile_filters(parse(text), readings)
