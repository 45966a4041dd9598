"""AWS CloudWatch Logs Insights over CloudTrail delivered to a log group, semantics.md A.4 and B.4.

Insights has no case-insensitive equality, so every string match is an anchored regex (``\\A``,
``\\z``, which RE2 and Hyperscan read alike). How ``not`` treats a missing field is undocumented
(F.1 1.5), so every leaf under a negation is guarded with ``ispresent`` to stay two-valued.
"""

from __future__ import annotations

from typing import ClassVar

from sigma.rule import SigmaRule

from backends import regex as rx
from backends.base import SiemcBackend
from backends.cloudtrail import BOOLEAN_FIELDS, cloudwatch_pipeline
from backends.pattern import Pattern, ascii_escape


def cw_field(name: str) -> str:
    if all(c.isalnum() or c in "._@" for c in name):
        return name
    return "`" + name.replace("`", "\\`") + "`"


class CwliBackend(SiemcBackend):
    name: ClassVar[str] = "siemc CloudWatch Logs Insights"
    target: ClassVar[str] = "cwli"
    formats: ClassVar[dict[str, str]] = {"default": "Logs Insights query"}
    keyword_reason = ("@message holds the raw JSON text, where a keyword would also match key names "
                      "and JSON escapes, unlike Sigma's match on field values")

    def __init__(self) -> None:
        super().__init__(processing_pipeline=cloudwatch_pipeline())

    def field(self, name: str) -> str:
        return name

    def _guard(self, field: str, leaf: str) -> str:
        if self.negation_depth:
            return f"(ispresent({cw_field(field)}) and {leaf})"
        return leaf

    def _like(self, field: str, regex: str) -> str:
        return self._guard(field, f"{cw_field(field)} like /{regex}/")

    def match(self, field: str, pattern: Pattern, cased: bool) -> str:
        if field in BOOLEAN_FIELDS and self.cloudtrail:
            if pattern.is_literal and pattern.text.lower() in ("true", "false"):
                return self.boolean(field, pattern.text.lower() == "true")
            raise self.refuse(f"string match on {field}", "Logs Insights stores this JSON boolean as 1/0")
        body = pattern.to_regex(ascii_escape, any_=".*", one=".")
        return self._like(field, ("(?s)" if cased else "(?is)") + "\\A" + body + "\\z")

    def boolean(self, field: str, value: bool) -> str:
        if field in BOOLEAN_FIELDS and self.cloudtrail:
            # Insights stores JSON booleans as 1/0 (F.1 1.6); exact for every record CloudTrail writes,
            # and the CloudWatch view reports a readOnly that is not a boolean as lossy
            return self._guard(field, f"{cw_field(field)} = {1 if value else 0}")
        return super().boolean(field, value)

    def regex(self, field: str, regex: rx.Regex) -> str:
        if regex.multiline:
            # m changes only what ^ and $ mean; the Insights docs name no (?m) flag (B.4)
            if rx.has_anchor(regex.root):
                raise self.refuse("|re|m modifier", "Logs Insights documents no multi-line flag for ^ and $")
            regex = rx.Regex(regex.root, regex.ignorecase, False, regex.dotall, regex.source)
        return self._like(field, rx.render_standard(regex, "re2"))

    def cidr(self, field: str, network: str) -> str:
        fn = "isIpv6InSubnet" if ":" in network else "isIpv4InSubnet"
        return self._guard(field, f'{fn}({cw_field(field)}, "{network}")')

    def compare(self, field: str, op: str, number: int | float) -> str:
        return self._guard(field, f"{cw_field(field)} {op} {number}")

    def exists(self, field: str, exists: bool) -> str:
        return f"{'' if exists else 'not '}ispresent({cw_field(field)})"

    def finish(self, expr: str, rule: SigmaRule) -> str:
        return f"filter {expr}"
