"""The ``metricfilter`` target: a CloudWatch Logs metric filter on a CloudTrail log group.

CloudWatch Logs stores each CloudTrail record as its raw JSON text, and a JSON filter pattern reads
that JSON directly, so the view is the raw event itself. Its only losses are the CloudTrail facts
a case-sensitive, not-less pattern leans on: eventSource (in lower case) and eventName (in the API's
own case) are strings in every record, readOnly and managementEvent JSON booleans. A record that
breaks one is not one CloudTrail writes, and ``siemc check`` reports a disagreement on it as lossy,
never hidden.
"""

from __future__ import annotations

from typing import Any

from engines.base import View
from engines.metricfilter import compile_text
from engines.metricfilter.api_names import operation_names

CASE_REASON = ("CloudTrail writes eventSource in lower case and eventName in the API's own case: a record in "
               "another case is not one CloudTrail writes")
NAME_REASON = ("not an AWS API operation as the service models spell it (botocore): CloudTrail's case for it is "
               "unknown, so a case-sensitive pattern may not be exact")
PRESENCE_REASON = ("CloudTrail writes eventSource and eventName, as strings, in every API call and service event "
                   "record: a record without them is not one CloudTrail writes")
BOOLEAN_REASON = ("CloudTrail writes readOnly and managementEvent as JSON booleans: a record with another value is "
                  "not one CloudTrail writes")
BOOLEAN_FIELDS = ("readOnly", "managementEvent")


def cloudtrail_losses(event: dict[str, Any]) -> dict[str, str]:
    """The fields ``event`` holds as CloudTrail never writes them.

    A metric filter matches case-sensitively only, its ``!=`` never matches a missing field, and its
    IS TRUE / IS FALSE test JSON booleans only. So the metricfilter target compiles eventSource and
    eventName values in CloudTrail's own case, a negation on them as ``!=``, and true/false on
    readOnly and managementEvent as IS TRUE / IS FALSE; these losses make that visible to ``check``.
    """
    losses: dict[str, str] = {}
    for field in ("eventSource", "eventName"):
        if not isinstance(event.get(field), str):
            losses[field] = PRESENCE_REASON
    for field in BOOLEAN_FIELDS:
        if event.get(field) is not None and not isinstance(event[field], bool):
            losses[field] = BOOLEAN_REASON
    source, name = event.get("eventSource"), event.get("eventName")
    if isinstance(source, str) and source != source.lower():
        losses["eventSource"] = CASE_REASON
    if isinstance(name, str) and name not in operation_names():
        losses["eventName"] = NAME_REASON
    return losses


class MetricFilterEngine:
    """Executes JSON metric filter patterns on raw events (one answer per event)."""

    target = "metricfilter"

    def view(self, event: dict[str, Any]) -> View:
        return View(doc=event, losses=cloudtrail_losses(event))

    def run(self, query: str, docs: list[dict[str, Any]]) -> list[bool]:
        """Whether the pattern matches each raw event. Raises QueryError outside the subset."""
        matches = compile_text(query)
        return [matches(doc) for doc in docs]
