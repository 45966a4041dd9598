"""What each platform needs to know about a Sigma log source to deploy a rule over it, as data.

These are the defaults of the settings (metadata.py); a rule's custom attributes, a profile or
``--set`` override any of them. A log source with no entry gets GENERIC, which names no
platform-specific index, connector or entity, and the render says so.
"""

from __future__ import annotations

from typing import Any

CLOUDTRAIL: dict[str, Any] = {
    "elastic": {
        # The data streams of Elastic's AWS integration, and Filebeat's legacy indices.
        "index": ["filebeat-*", "logs-aws.cloudtrail-*"],
        "integration": ["aws"],
        # The AWS package version whose ingest pipeline siemc's Elastic view models (engines/).
        "related_integrations": [{"package": "aws", "integration": "cloudtrail", "version": "^9.0.0"}],
        "domain_tags": ["Domain: Cloud", "Data Source: AWS", "Data Source: Amazon Web Services"],
    },
    "splunk": {
        "security_domain": "threat",
        # Fields of the aws:cloudtrail sourcetype (KV_MODE=json) that name who acted and from where.
        "risk_object": {"field": "userIdentity.arn", "type": "user"},
        "threat_object": {"field": "sourceIPAddress", "type": "ip_address"},
    },
    "sentinel": {
        "connectors": [{"connectorId": "AWS", "dataTypes": ["AWSCloudTrail"]},
                       {"connectorId": "AWSS3", "dataTypes": ["AWSCloudTrail"]}],
        "entity_mappings": [
            {"entityType": "Account", "fieldMappings": [{"identifier": "FullName", "columnName": "UserIdentityArn"}]},
            {"entityType": "IP", "fieldMappings": [{"identifier": "Address", "columnName": "SourceIpAddress"}]},
        ],
    },
    "cloudwatch": {},
}

GENERIC: dict[str, Any] = {
    "elastic": {"index": ["logs-*"], "integration": [], "related_integrations": [], "domain_tags": []},
    "splunk": {"security_domain": "threat", "risk_object": None, "threat_object": None},
    "sentinel": {"connectors": [], "entity_mappings": []},
    "cloudwatch": {},
}

LOGSOURCES: dict[tuple[str | None, str | None, str | None], dict[str, Any]] = {
    ("aws", "cloudtrail", None): CLOUDTRAIL,
}


def defaults_for(product: str | None, service: str | None, category: str | None) -> tuple[dict[str, Any], bool]:
    """The platform defaults for a log source, and whether siemc knows that log source."""
    found = LOGSOURCES.get((product, service, category))
    return (found, True) if found is not None else (GENERIC, False)
