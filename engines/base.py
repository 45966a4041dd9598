"""The contract every engine keeps: a platform view of a raw event, and an executor of query text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class View:
    """A raw event as one platform stores it.

    ``losses`` maps a raw field path (dotted, as in the raw record: ``errorCode``,
    ``requestParameters.instancesSet``) to the reason the platform cannot represent that field
    faithfully for this event (an empty value dropped, an absent string stored as "", a boolean
    stored as 1). The parity check uses it to call a disagreement "lossy" instead of "diverge".
    """

    doc: dict[str, Any]
    losses: dict[str, str] = field(default_factory=dict)


class QueryError(Exception):
    """The query text is invalid, or outside the subset an executor understands (never guessed)."""


class Engine(Protocol):
    """One target's verification engine."""

    target: str

    def view(self, event: dict[str, Any]) -> View:
        """The raw event as this platform stores it."""
        ...

    def run(self, query: str, docs: list[dict[str, Any]]) -> list[bool]:
        """Whether ``query`` matches each stored document (one answer per doc, in order).

        Raises QueryError when the query cannot be parsed or uses something unsupported.
        """
        ...
