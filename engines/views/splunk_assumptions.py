"""Every unconfirmed Splunk behaviour the Splunk view relies on, each in one named place.

Facts tagged [U] in shared/reference/semantics.md (A.2, F.3, F.7) that no public source settles.
The view reads them only through this module, so changing one answer here changes the view
everywhere, and tests/test_views_splunk.py pins each one. Revisit them against a live Splunk.
"""

from __future__ import annotations

import json
from typing import Any

EXTRACTION_CUTOFF_BYTES = 5000
"""``limits.conf [spath] extraction_cutoff`` default (Splunk 9.0.3 spec text)."""

RAW_SEPARATORS = (",", ":")
"""Item and key separators of ``_raw`` (see raw_text); the view counts bytes with them."""


def raw_text(event: dict[str, Any]) -> str:
    """The ``_raw`` text of one record: compact JSON, keys in the record's order, UTF-8 as is. [U]

    Sheet A.2 does not say how the Splunk Add-on for AWS serialises a record it splits out of a
    CloudTrail file; compact JSON is how CloudTrail itself writes records. It matters for the
    extraction cutoff below, which counts bytes of this text.
    """
    return json.dumps(event, separators=RAW_SEPARATORS, ensure_ascii=False)


def extracts_json_null() -> bool:
    """Whether KV_MODE=json makes a field for a JSON ``null``. Assumed not: the field is absent. [U]

    Sheet A.2 / F.3 row 3.5: "How JSON null renders (literal null, empty, or absent) is not
    documented." Absent is the choice that keeps ``NOT field=*`` true for a null.
    """
    return False


def extracts_empty_string() -> bool:
    """Whether KV_MODE=json makes a field for a JSON ``""``. Assumed not: the field is absent. [U]

    Sheet A.2 lists value rendering as unconfirmed; we treat "" like null, so a Sigma rule that
    tells empty from absent is lossy on Splunk rather than silently decided.
    """
    return False


def within_extraction_cutoff(end_byte: int) -> bool:
    """Whether a JSON value ending ``end_byte`` bytes into ``_raw`` is still auto-extracted. [U]

    Sheet A.2 and F.3 row 3.6: ``[spath] extraction_cutoff = 5000`` applies to "both the auto kv
    extraction and the spath command" [V spec text]; whether KV_MODE=json obeys it, and whether a
    value straddling the limit counts, is unconfirmed. Assumed: only values that end within the
    first 5000 bytes are extracted; the rest of ``_raw`` is still searchable as text.
    """
    return end_byte <= EXTRACTION_CUTOFF_BYTES


def kv_field_limit() -> int | None:
    """Maximum number of auto-extracted fields, or None for no limit. Assumed: no limit. [U]

    Sheet A.2 / F.3 row 3.6: ``[kv] limit = 100`` (and ``maxchars = 10240``) are documented for
    "auto kv"; nothing links them to KV_MODE=json, so the view does not apply them.
    """
    return None


def extracts_parent_objects() -> bool:
    """Whether a JSON object (e.g. ``requestParameters`` as a whole) is itself a field. Assumed not. [U]

    Sheet A.2: the add-on aliases ``requestParameters AS desc``, but whether the parent object is a
    field, and with what value, is unconfirmed. Without it ``desc`` never exists.
    """
    return False


def like_matches(value: Any, pattern_text: str) -> bool:
    """eval ``like(value, "text")`` for a pattern without ``%``/``_``: case-sensitive equality. [U]

    Used by EVAL-errorCode (``like('responseElements.ConsoleLogin', "Failure")``). Sheet B.2 and
    F.3 row 3.4: like() case sensitivity is "believed case-sensitive"; not documented. A null
    input is not a match.
    """
    return isinstance(value, str) and value == pattern_text
