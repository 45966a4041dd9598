"""An interpreter of the Splunk SPL subset that siemc emits, written from Splunk's documentation.

No offline SPL engine exists, so this one is strict: ``parser`` refuses anything outside the subset
with a QueryError, ``evaluate`` compiles the AST into closures, ``pcre`` translates PCRE patterns to
Python ``re`` exactly or refuses them, and every unconfirmed behaviour lives in ``assumptions``.
"""

from __future__ import annotations

from engines.spl.evaluate import Predicate, compile_pipeline
from engines.spl.parser import Pipeline, parse

__all__ = ["Pipeline", "Predicate", "compile_pipeline", "parse"]
