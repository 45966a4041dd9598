"""Microsoft Sentinel KQL over the AWSCloudTrail table, semantics.md A.3 and B.3.

Kusto strings are never null: an absent CloudTrail string is "" in its column, so an existence
test is ``isnotempty`` and cannot tell absent from empty (said in a note; check reports such
cases as lossy). Nested request and response fields are read from the JSON text columns.
"""

from __future__ import annotations

from typing import ClassVar

from sigma.rule import SigmaRule

from backends import regex as rx
from backends.base import SiemcBackend
from backends.cloudtrail import SENTINEL_JSON, SENTINEL_TYPES, sentinel_pipeline
from backends.pattern import Pattern, ascii_escape, double_quoted

JSON_COLUMNS = frozenset(SENTINEL_JSON.values())
EMPTY_NOTE = ("Sentinel stores an absent string as \"\": existence is tested with isnotempty/isempty, "
              "so an empty value reads as absent")


def kql_string(text: str) -> str:
    return double_quoted(text, lambda c: f"\\u{c:04x}")


class KqlBackend(SiemcBackend):
    name: ClassVar[str] = "siemc Microsoft Sentinel KQL"
    target: ClassVar[str] = "kql"
    formats: ClassVar[dict[str, str]] = {"default": "KQL query"}
    keyword_reason = ("KQL's search and has operators match whole terms, not Sigma's "
                      "case-insensitive substring of any field")
    not_expression = "not({expr})"

    def __init__(self) -> None:
        super().__init__(processing_pipeline=sentinel_pipeline())

    def negate(self, expr: str) -> str:
        # not() is a function: its argument needs no extra parentheses
        if expr.startswith("(") and expr.endswith(")"):
            expr = expr[1:-1]
        return f"not({expr})"

    def field(self, name: str) -> str:
        column, _, path = name.partition(".")
        if column in JSON_COLUMNS and path:
            keys = "".join(f"[{kql_string(k)}]" for k in path.split("."))
            return f"tostring(parse_json({column}){keys})"
        if column.isidentifier():
            return column
        return f"[{kql_string(name)}]"

    def _column_type(self, field: str) -> str:
        return SENTINEL_TYPES.get(field, "string")

    def match(self, field: str, pattern: Pattern, cased: bool) -> str:
        kind = self._column_type(field)
        if kind == "bool":
            if pattern.is_literal and pattern.text.lower() in ("true", "false"):
                return f"{field} == {pattern.text.lower()}"
            raise self.refuse(f"string match on {field}", f"{field} is a bool column in AWSCloudTrail")
        if kind != "string":
            raise self.refuse(f"string match on {field}", f"{field} is a {kind} column in AWSCloudTrail")
        shape = pattern.shape()
        suffix = "_cs" if cased else ""
        if shape is not None:
            how, text = shape
            if how == "exact":
                return f"{field} {'==' if cased else '=~'} {kql_string(text)}"
            op = {"prefix": "startswith", "suffix": "endswith", "contains": "contains"}[how]
            return f"{field} {op}{suffix} {kql_string(text)}"
        body = pattern.to_regex(ascii_escape, any_=".*", one=".")
        flags = "(?s)" if cased else "(?is)"
        return f"{field} matches regex {kql_string(flags + chr(92) + 'A' + body + chr(92) + 'z')}"

    def boolean(self, field: str, value: bool) -> str:
        if self._column_type(field) == "bool":
            return f"{field} == {'true' if value else 'false'}"
        return super().boolean(field, value)

    def regex(self, field: str, regex: rx.Regex) -> str:
        if self._column_type(field) != "string":
            raise self.refuse(f"|re on {field}", f"{field} is not a string column")
        return f"{field} matches regex {kql_string(rx.render_standard(regex, 'rust'))}"

    def cidr(self, field: str, network: str) -> str:
        fn = "ipv6_is_in_range" if ":" in network else "ipv4_is_in_range"
        # both return null for a value that is not an address (F.4 4.3): make it false, so not() is true
        return f"coalesce({fn}({field}, {kql_string(network)}), false)"

    def compare(self, field: str, op: str, number: int | float) -> str:
        return f"coalesce(toreal({field}) {op} {number}, false)"

    def exists(self, field: str, exists: bool) -> str:
        if self._column_type(field) != "string":
            return f"{'isnotnull' if exists else 'isnull'}({field})"
        self.note(EMPTY_NOTE)
        return f"{'isnotempty' if exists else 'isempty'}({field})"

    def other_logsource(self, rule: SigmaRule) -> None:
        from backends.base import describe_logsource

        raise self.refuse(f"log source {describe_logsource(rule)}", "siemc knows the Sentinel table only for "
                          "AWS CloudTrail (AWSCloudTrail); a KQL query must name its table")

    def finish(self, expr: str, rule: SigmaRule) -> str:
        return f"AWSCloudTrail | where {expr}"
