"""Target name -> platform view of a raw CloudTrail record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engines.base import View
from engines.views.cloudwatch import cloudwatch_view
from engines.views.elastic import elastic_view
from engines.views.sentinel import sentinel_view
from engines.views.splunk import splunk_view

VIEWS: dict[str, Callable[[dict[str, Any]], View]] = {
    "eql": elastic_view,
    "spl": splunk_view,
    "kql": sentinel_view,
    "cwli": cloudwatch_view,
}
