"""A translation that cannot be exact is refused with a reason: refusal is a value, not a crash."""

from __future__ import annotations

from sigma.exceptions import SigmaFeatureNotSupportedByBackendError


class Refused(SigmaFeatureNotSupportedByBackendError):
    """The rule uses ``construct``, which ``target`` cannot express exactly, because ``reason``."""

    def __init__(self, target: str, construct: str, reason: str) -> None:
        self.target = target
        self.construct = construct
        self.reason = reason
        super().__init__(f"{construct} is not supported on {target}: {reason}")

    def __str__(self) -> str:
        return f"{self.construct} is not supported on {self.target}: {self.reason}"
