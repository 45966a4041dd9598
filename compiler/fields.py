"""The raw field names a Sigma rule reads, before any pipeline renames them."""

from __future__ import annotations

from sigma.rule import SigmaDetection, SigmaDetectionItem, SigmaRule


def rule_fields(rule: SigmaRule) -> set[str]:
    fields: set[str] = set()

    def walk(item: SigmaDetection | SigmaDetectionItem) -> None:
        if isinstance(item, SigmaDetectionItem):
            if item.field:
                fields.add(item.field)
        else:
            for sub in item.detection_items:
                walk(sub)

    for detection in rule.detection.detections.values():
        walk(detection)
    return fields


def touches(field: str, path: str) -> bool:
    """Whether a rule field and a raw path overlap (equal, or one contains the other).

    A view may name a whole subtree with a trailing ``.*`` (every key under requestParameters).
    """
    if path.endswith(".*"):
        path = path[:-2]
    return field == path or field.startswith(path + ".") or path.startswith(field + ".")
