"""The AWS API operation names, as CloudTrail writes them in eventName.

CloudTrail's eventName for an API call is the operation's name in the service's API model, whose
spelling (case included) botocore ships as data: ``botocore/data/<service>/<version>/service-2.json``.
A metric filter matches case-sensitively, so whether a record's eventName is spelled as CloudTrail
writes it decides whether the metricfilter target's case-sensitive pattern is exact on it.
Several services spell the same word differently (RebootDBCluster, RebootDbCluster), which is why
the case cannot be guessed from the name's shape.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from functools import cache
from pathlib import Path


class CatalogueMissing(ImportError):
    """botocore's service models are not installed."""


@cache
def operation_names() -> frozenset[str]:
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise CatalogueMissing("the metricfilter view needs botocore's API models: pip install 'siemc[verify]'",
                               name="botocore")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    names: set[str] = set()
    for path in sorted(data.glob("*/*/service-2.json*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            names.update(json.load(fh).get("operations", {}))
    if not names:
        raise CatalogueMissing(f"no API models found under {data}", name="botocore")
    return frozenset(names)
