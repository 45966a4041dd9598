"""Every unconfirmed fact the metric filter pattern executor relies on, in one place.

Tags as in the fact sheet: [V] stated by AWS, [D] derived from AWS material, [U] unconfirmed.
Change a choice here (and in tests/test_metricfilter_assumptions.py) once AWS's own
``TestMetricFilter`` API has been asked.

Sources cited below:
- AWS-FPS: "Filter pattern syntax for metric filters, subscription filters, filter log events, and
  Live Tail", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
  (sections "Supported regular expressions", "Using filter patterns to match terms in JSON log
  events").
- AWS-MF: "Filter pattern syntax for metric filters",
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntaxForMetricFilters.html
  (``{ $.latency = * }`` publishing the number 50).
- CDK: aws/aws-cdk ``packages/aws-cdk-lib/aws-logs/lib/pattern.ts`` (AWS-maintained): doc comments of
  ``FilterPattern.stringValue``, ``isNull``, ``exists``, and ``quoteTerm``.
- AZUL-5884: github.com/DataBiosphere/azul issue #5884 (2024): tested in the console, the pattern
  ``{($.errorCode = "AccessDenied") && ($.userIdentity.invokedBy != "cloudfront.amazonaws.com")}``
  does not match a record without ``userIdentity.invokedBy``.
"""

from __future__ import annotations

import math

from engines.base import QueryError

NOT_EQUAL_MATCHES_MISSING = False
"""[D, observed in AZUL-5884]: ``$.f != "x"`` does not match an event without ``f``; only
``NOT EXISTS`` does. The same holds for ``!=`` against a number or a regex."""

NOT_EQUAL_MATCHES_NULL = False
"""[U]: ``$.f != "x"`` when ``f`` is JSON null. We read it like a missing field: no match (a null
is no "value node" to compare, AWS-FPS: "Value nodes can be strings or numbers")."""

IS_NULL_MATCHES_MISSING = False
"""[D] CDK ``isNull``: "matches if the field exists and has the special value 'null'". AWS-FPS
lists ``IS NULL`` and ``NOT EXISTS`` as different tests."""

NOT_EXISTS_MATCHES_NULL = False
"""[D] from the same CDK wording: a field holding null exists, so ``NOT EXISTS`` is false."""

STRING_PATTERN_MATCHES_NUMBER_TEXT = True
"""[D]: a string pattern (quoted, unquoted word, or ``%regex%``) is matched against the text of a
JSON number too. AWS-FPS: "Use the asterisk (*) as a wild card to match numbers"; AWS-MF's
``{ $.latency = * }`` matches ``"latency": 50``; CDK ``exists()`` is ``field = "*"``."""

STRING_PATTERN_MATCHES_BOOLEAN = False
"""[U]: JSON ``true``/``false`` are tested with ``IS TRUE`` / ``IS FALSE`` (AWS-FPS); we assume a
string pattern (``= "true"``, ``= *``) never matches them."""

NUMBER_LITERAL_MATCHES_NUMERIC_STRING = False
"""[U]: numeric comparisons (``$.f = 400``, ``$.f > 3``) apply to JSON numbers only; a JSON
string "400" does not compare as a number."""


def number_text(value: int | float) -> str:
    """[U]: the text of a JSON number a string pattern is matched against.

    The raw JSON token is not kept once parsed; we use the integer digits for whole numbers and
    the shortest round-trip form otherwise (``50``, ``2.5``).
    """
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def unescape_string(body: str) -> str:
    """Decode a double-quoted value.

    [D]: AWS's CDK quotes terms by writing ``\\\\`` for a backslash and ``\\"`` for a double
    quote ("Inner double quotes are escaped using a backslash"). Any other backslash sequence is
    [U] and refused.
    """
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        if body[i] == "\\":
            nxt = body[i + 1 : i + 2]
            if nxt not in ('"', "\\"):
                raise QueryError(f"escape '\\{nxt}' in a quoted value is undocumented; only \\\" and \\\\ are read")
            out.append(nxt)
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def check_wildcards(value: str) -> None:
    """Refuse a ``*`` that is not at the start or the end of a string value.

    [D] CDK ``stringValue``: "May use '*' as wildcard at start or end of string". [U]: a ``*`` is
    always a wildcard; no way to write a literal asterisk is documented.
    """
    if "*" in value.strip("*"):
        raise QueryError(f"value {value!r}: '*' inside a value is undocumented (only at the start or end)")


KEYWORDS_UPPER_CASE_ONLY = True
"""[U]: ``IS NULL``, ``IS TRUE``, ``IS FALSE`` and ``NOT EXISTS`` are only documented in upper case;
other spellings are refused."""

UNQUOTED_VALUE_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.*+-"
)
"""[U]: AWS-FPS says values with characters other than alphanumerics and ``_`` must be quoted, yet
writes ``123.123.*`` and numbers such as ``1e+3`` and ``-5`` bare; we accept exactly these
characters unquoted."""

REGEX_WHITESPACE = " \t\n"
"""[U]: ``\\s`` in a ``%regex%``: AWS-FPS says whitespace "include[s] the tab, space, and newline";
we take exactly those."""

REGEX_DOT_MATCHES_NEWLINE = False
"""[U]: ``.`` "matches any single character" (AWS-FPS); we assume a newline is not one, as in
common regex engines."""
