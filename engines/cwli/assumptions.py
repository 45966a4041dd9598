"""Every unconfirmed fact the Logs Insights interpreter relies on, in one place.

Each constant or function below names the row of the fact sheet it answers
(/work/shared/reference/semantics.md, section F.1, "row 1.x") and its tag there: [U] unconfirmed,
[D] derived from vendor documents. When a live CloudWatch test settles one, change it here and in
tests/test_cwli_assumptions.py, nowhere else.

Sources cited below:
- AWS-FILTER: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Filter.html
- AWS-FUNC: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
- AWS-ARCH: archived awsdocs/amazon-cloudwatch-logs-user-guide doc_source/CWL_QuerySyntax.md
- AZUL-5884: github.com/DataBiosphere/azul issue #5884 (2024): a user's live observation that the
  Logs Insights filter ``userIdentity.invokedBy != 'foo'`` is true for records without the field.

Run-time choices that a query's answer can depend on are gathered in :class:`Readings`; the
engine can evaluate a query under each alternative reading (``ALTERNATIVE_READINGS``) so a
translation whose result hinges on an unconfirmed fact is visible instead of silently passing.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass, replace

from engines.base import QueryError

# --- Null (missing field) handling: row 1.5 [U] -------------------------------------------------

KLEENE = "kleene"
"""Reading of row 1.5 chosen by the project brief: a comparison, ``like``, ``in`` or regex on a
missing field is null; ``and``/``or``/``not`` are Kleene three-valued; ``filter`` keeps an event
only when its expression is true. So ``f != "x"``, ``f not like "x"`` and ``not (f = "x")`` all
drop events without ``f``."""

TWO_VALUED = "two-valued"
"""Alternative reading of row 1.5, supported by a live observation (AZUL-5884): a comparison on a
missing field is false, and its negated operator form (``!=``, ``not like``, ``not in``) is true."""


def null_outcome(reading: str, negated_operator: bool) -> bool | None:
    """The result of a predicate whose left value is null (a missing field), per row 1.5 [U].

    ``negated_operator`` is true for ``!=``, ``not like`` and ``not in``.
    """
    if reading == KLEENE:
        return None
    if reading == TWO_VALUED:
        return negated_operator
    raise ValueError(f"unknown null reading {reading!r}")


# --- Regular expressions: row 1.7 [U] (engine), F.6 item 2 ---------------------------------------

DOLLAR_END_OF_TEXT_ONLY = True
"""Row 1.7 [U]: the engine behind ``like /re/`` is undocumented today (archived doc: Hyperscan;
``regexReplace``: RE2). We read ``$`` as RE2 does without the ``m`` flag: end of text only
(Python ``\\Z``). The PCRE/Hyperscan reading also matches just before a final newline
(Python ``$``); the other reading is in ``ALTERNATIVE_READINGS``."""


# --- Numbers and strings: rows 1.2 [D] and 1.6 [U] -----------------------------------------------

NUMBER_FIELD_EQUALS_STRING_LITERAL = False
"""Row 1.6 [U]: whether ``f = "0"`` matches a numeric field ``f`` (JSON booleans are stored as
1/0). A third-party note in the sheet says ``= "0"`` matches nothing, so a number never equals a
string literal (and ``!=`` is true). The other reading compares the number's decimal text."""

_NUMERIC_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")


def numeric_value_of_text(text: str) -> int | float | None:
    """The number a string field holds when compared with a number literal, or None.

    Row 1.2 [D]: AWS's own sample ``parse @message "Status Code: *;" as statusCode | filter
    statusCode >= 400`` (AWS-FUNC, ``now()``) compares a parsed string numerically, and the
    archived doc says ``statusCode in [300,400,500]`` matches "300". Which texts count as numbers
    is [U]: we accept only an optional minus, decimal digits and an optional fraction (no
    exponent, no spaces, no plus sign, no hex).
    """
    if not _NUMERIC_TEXT.match(text):
        return None
    return float(text) if "." in text else int(text)


def non_numeric_string_vs_number(op: str) -> bool:
    """Result of comparing a present, non-numeric string with a number literal.

    [D] from AWS-FUNC: "Comparison operators accept all data types as arguments and return a
    Boolean result", so no null: ``=`` and orderings are false, ``!=`` is true.
    """
    return op == "!="


def number_text(value: int | float) -> str:
    """The text of a number when it meets ``like``, a regex or a string function.

    Row 1.6 [U]: we assume the decimal text of the JSON number (integers without a fraction;
    other floats in shortest round-trip form, e.g. ``1.5``). JSON booleans arrive as 1/0.
    """
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


# --- Case: rows 1.1 [D], 1.2 [D], 1.10 [D] --------------------------------------------------------

STRING_EQUALITY_CASE_SENSITIVE = True
"""Rows 1.1 and 1.2 [D]: ``=``, ``!=`` and ``in`` compare strings exactly, case-sensitively.
Every documented matcher is case-sensitive unless told otherwise (AWS-FILTER, AWS-FUNC)."""

FIELD_NAMES_CASE_SENSITIVE = True
"""Row 1.10 [D]: field names are case-sensitive (the field-index doc: ``RequestId`` does not
match ``requestId``)."""

FUNCTION_NAMES_CASE_INSENSITIVE = True
"""[D]: AWS's own pages write ``ispresent`` (AWS-FUNC) and ``isPresent`` (the dedup page), so
function names are matched without case. Command and operator keywords likewise (row 1.3 [V])."""


# --- Literals: row 1.4 [U] ------------------------------------------------------------------------

_STRING_ESCAPES = {'"': '"', "'": "'", "\\": "\\"}


def unescape_string(body: str) -> str:
    """Decode the text between the quotes of a string literal.

    Row 1.4 [U]: no escape syntax is documented. Our reading: a backslash escapes the next
    character only when it is ``"``, ``'`` or ``\\``; any other backslash sequence is refused
    (QueryError) rather than guessed.
    """
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1] if i + 1 < len(body) else ""
            if nxt not in _STRING_ESCAPES:
                raise QueryError(
                    f"string escape '\\{nxt}' is undocumented in Logs Insights; only \\\", \\' and \\\\ "
                    "are read (assumption, fact sheet F.1 row 1.4)"
                )
            out.append(_STRING_ESCAPES[nxt])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


PRECEDENCE = ("not", "and", "or")
"""[U]: operator precedence is undocumented; we read the usual order, tightest first:
``not`` > ``and`` > ``or``. A query that mixes ``and`` and ``or`` without parentheses relies
on it, and the parser records that (``Query.unconfirmed``)."""


# --- Functions: AWS-FUNC [V] for existence, details [U] -------------------------------------------

FLAG_IS_TRUE_WHEN_NONZERO = True
"""Row 1.6 [D]: ``isempty``, ``isblank`` and ``strcontains`` return the number 1 or 0
(AWS-FUNC); used directly as a filter condition, 1 is true and 0 false (Insights stores booleans
as 1/0; ``fields ispresent(x) as isRes`` gives 0 or 1)."""

BLANK_CHARACTERS = " \t\n\r\f\v"
"""[U]: ``isblank`` is "missing, empty, or contains only white space" (AWS-FUNC); which
characters are white space is not stated. We take the ASCII ones."""


def to_lower(text: str) -> str:
    """``tolower`` [U for non-ASCII]: Unicode default lower-casing (Python ``str.lower``)."""
    return text.lower()


def to_upper(text: str) -> str:
    """``toupper`` [U for non-ASCII]: Unicode default upper-casing (Python ``str.upper``)."""
    return text.upper()


def contains_ignoring_case(text: str, sub: str) -> bool:
    """``strcontains(str, sub, true)`` (AWS-FUNC [V]: "If the third parameter is set to true,
    the match is case-insensitive"). How case is folded is [U]: we lower-case both sides."""
    return sub.lower() in text.lower()


IP_FUNCTIONS_ON_MISSING_FIELD = False
"""Row 1.9 [D]: the IP functions "return true if the field is a valid ... address"; a missing
field is not one, so they return false (not null): ``not isIpv4InSubnet(f, ...)`` is then true
on an event without ``f``."""


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a field holds for ``isValidIp*`` / ``is*InSubnet``, or None if invalid.

    Row 1.9 [U] on edge syntax: strict dotted quad (no leading zeros), IPv6 text without a zone
    index (``%eth0``) or surrounding spaces. An IPv4-mapped IPv6 address stays IPv6.
    """
    if "%" in text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def parse_subnet(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The CIDR block argument of ``is*InSubnet``.

    [U]: AWS-FUNC says to use CIDR notation "where 192.0.2.0 is the start of the CIDR block";
    a block with host bits set, or without a ``/prefix``, is refused instead of guessed.
    """
    if "/" not in text:
        raise QueryError(f"subnet {text!r} is not in CIDR notation (address/prefix)")
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        raise QueryError(f"subnet {text!r} is not a CIDR block start: {exc}") from None


# --- The run-time readings, and their alternatives ------------------------------------------------


@dataclass(frozen=True)
class Readings:
    """The run-time choices among unconfirmed facts that a query's answer can depend on."""

    null: str = KLEENE
    dollar_end_of_text_only: bool = DOLLAR_END_OF_TEXT_ONLY
    number_equals_string_literal: bool = NUMBER_FIELD_EQUALS_STRING_LITERAL


DEFAULT_READINGS = Readings()

ALTERNATIVE_READINGS: dict[str, Readings] = {
    "null-two-valued (F.1 row 1.5)": replace(DEFAULT_READINGS, null=TWO_VALUED),
    "regex-dollar-before-final-newline (F.1 row 1.7)": replace(
        DEFAULT_READINGS, dollar_end_of_text_only=False
    ),
    "number-equals-its-text (F.1 row 1.6)": replace(DEFAULT_READINGS, number_equals_string_literal=True),
}
"""One alternative per run-time [U] fact, each differing from the default in that fact only."""
