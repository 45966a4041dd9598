"""Compile one loaded rule for one target: a query, or a refusal that says why."""

from __future__ import annotations

from dataclasses import dataclass, field

from sigma.exceptions import SigmaError

from backends.refusal import Refused
from compiler.loader import LoadedRule
from compiler.registry import Target


@dataclass
class Compiled:
    target: str
    query: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    refused: bool = False  # a deliberate refusal (a named construct), not a failure of siemc

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"query": self.query, "error": self.error}
        if self.notes:
            out["notes"] = self.notes
        return out


def compile_rule(rule: LoadedRule, target: Target) -> Compiled:
    backend = target.make_backend()
    try:
        queries = backend.convert_rule(rule.fresh())
    except Refused as e:
        return Compiled(target.name, error=str(e), refused=True)
    except SigmaError as e:
        return Compiled(target.name, error=f"{type(e).__name__}: {e}", refused=True)
    notes = list(getattr(backend, "notes", []))
    if not queries:
        return Compiled(target.name, error="the rule produced no query", notes=notes)
    if len(queries) > 1:
        # A list of conditions means OR of them; one query each would be a different alert set.
        return Compiled(target.name, error="a condition list (several conditions) is not supported: "
                        "write one condition joined with 'or'", refused=True)
    return Compiled(target.name, query=str(queries[0]), notes=notes)
