"""CloudWatch Logs metric filter patterns (JSON form): a strict executor of the documented syntax.

Written from AWS's "Filter pattern syntax" pages (see engines/metricfilter/*.py docstrings), never
from the siemc backend. Unconfirmed facts live in engines.metricfilter.assumptions.
"""

from __future__ import annotations

from functools import lru_cache

from engines.metricfilter.evaluate import Matcher, compile_pattern
from engines.metricfilter.parser import Pattern, parse_pattern

__all__ = ["Pattern", "compile_text", "parse_pattern"]


@lru_cache(maxsize=512)
def compile_text(text: str) -> Matcher:
    """The matcher of a pattern, parsed once per distinct text."""
    return compile_pattern(parse_pattern(text))
