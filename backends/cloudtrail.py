"""AWS CloudTrail field maps per platform, as data (semantics.md A.1-A.4), and their pipelines.

Sigma rules for ``logsource: {product: aws, service: cloudtrail}`` name raw CloudTrail fields
(``eventName``, ``userIdentity.arn``, ``requestParameters.bucketName``). Each platform stores
them under its own names; a field a platform does not store is refused, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable

from sigma.processing.conditions import LogsourceCondition
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import FieldFunctionTransformation

from backends.refusal import Refused

# JSON objects whose contents CloudTrail varies per API call: paths below them are open-ended.
OPEN_OBJECTS = ("requestParameters", "responseElements", "additionalEventData", "serviceEventDetails")

# Path segments that hold JSON arrays in CloudTrail records (resources[], the EC2 "items" lists).
ARRAY_KEYS = frozenset({"resources", "items"})

BOOLEAN_FIELDS = frozenset({"readOnly", "managementEvent"})

# --- Elastic: ECS names set by the AWS integration's ingest pipeline (A.1) ---------------------
ELASTIC = {
    "eventTime": "@timestamp",
    "eventVersion": "aws.cloudtrail.event_version",
    "eventSource": "event.provider",
    "eventName": "event.action",
    "eventCategory": "aws.cloudtrail.event_category",
    "eventType": "aws.cloudtrail.event_type",
    "eventID": "event.id",
    "requestID": "aws.cloudtrail.request_id",
    "apiVersion": "aws.cloudtrail.api_version",
    "managementEvent": "aws.cloudtrail.management_event",
    "readOnly": "aws.cloudtrail.read_only",
    "awsRegion": "cloud.region",
    "sourceIPAddress": "source.address",
    "userAgent": "user_agent.original",
    "errorCode": "aws.cloudtrail.error_code",
    "errorMessage": "aws.cloudtrail.error_message",
    "userIdentity.type": "aws.cloudtrail.user_identity.type",
    "userIdentity.principalId": "aws.cloudtrail.user_identity.principal_id",
    "userIdentity.arn": "aws.cloudtrail.user_identity.arn",
    "userIdentity.accountId": "cloud.account.id",
    "userIdentity.accessKeyId": "aws.cloudtrail.user_identity.access_key_id",
    "userIdentity.invokedBy": "aws.cloudtrail.user_identity.invoked_by",
    "userIdentity.sessionContext.attributes.mfaAuthenticated":
        "aws.cloudtrail.user_identity.session_context.mfa_authenticated",
    "userIdentity.sessionContext.attributes.creationDate":
        "aws.cloudtrail.user_identity.session_context.creation_date",
    "userIdentity.sessionContext.sessionIssuer.type":
        "aws.cloudtrail.user_identity.session_context.session_issuer.type",
    "userIdentity.sessionContext.sessionIssuer.principalId":
        "aws.cloudtrail.user_identity.session_context.session_issuer.principal_id",
    "userIdentity.sessionContext.sessionIssuer.arn":
        "aws.cloudtrail.user_identity.session_context.session_issuer.arn",
    "userIdentity.sessionContext.sessionIssuer.accountId":
        "aws.cloudtrail.user_identity.session_context.session_issuer.account_id",
    "recipientAccountId": "aws.cloudtrail.recipient_account_id",
    "vpcEndpointId": "aws.cloudtrail.vpc_endpoint_id",
    "tlsDetails.cipherSuite": "tls.cipher",
    "tlsDetails.clientProvidedHostHeader": "tls.client.server_name",
    "additionalEventData.LoginTo": "aws.cloudtrail.console_login.additional_eventdata.login_to",
    "requestParameters.userName": "user.target.name",
    "requestParameters.groupName": "group.name",
}
ELASTIC_REFUSED = {
    "userIdentity.userName": "Elastic stores it in user.name, which also takes "
    "sessionIssuer.userName when userName is absent, so user.name cannot tell the two apart",
    "userIdentity.sessionContext.sessionIssuer.userName": "Elastic merges it into user.name only "
    "when userIdentity.userName is absent",
    "sharedEventID": "the ingest pipeline renames sharedEventId (lower-case d), so the field "
    "is never stored",
    "additionalEventData.MFAUsed": "Elastic stores it as a boolean (\"No\" -> false, anything "
    "else -> true), so its text is lost",
    "additionalEventData.MobileVersion": "Elastic stores it as a boolean, so its text is lost",
}
ELASTIC_OPEN_REASON = (
    "Elastic stores {obj} as Map.toString() text plus a `flattened` copy, and EQL cannot query "
    "flattened sub-fields (elastic/elasticsearch#101985)"
)

# --- Sentinel: AWSCloudTrail columns (A.3) -----------------------------------------------------
SENTINEL = {
    "eventTime": "TimeGenerated",
    "eventID": "AwsEventId",
    "eventVersion": "EventVersion",
    "eventSource": "EventSource",
    "eventName": "EventName",
    "eventType": "EventTypeName",
    "eventCategory": "Category",
    "awsRegion": "AWSRegion",
    "sourceIPAddress": "SourceIpAddress",
    "userAgent": "UserAgent",
    "errorCode": "ErrorCode",
    "errorMessage": "ErrorMessage",
    "userIdentity.type": "UserIdentityType",
    "userIdentity.principalId": "UserIdentityPrincipalid",
    "userIdentity.arn": "UserIdentityArn",
    "userIdentity.accountId": "UserIdentityAccountId",
    "userIdentity.invokedBy": "UserIdentityInvokedBy",
    "userIdentity.accessKeyId": "UserIdentityAccessKeyId",
    "userIdentity.userName": "UserIdentityUserName",
    "userIdentity.sessionContext.attributes.mfaAuthenticated": "SessionMfaAuthenticated",
    "userIdentity.sessionContext.attributes.creationDate": "SessionCreationDate",
    "userIdentity.sessionContext.sessionIssuer.type": "SessionIssuerType",
    "userIdentity.sessionContext.sessionIssuer.principalId": "SessionIssuerPrincipalId",
    "userIdentity.sessionContext.sessionIssuer.arn": "SessionIssuerArn",
    "userIdentity.sessionContext.sessionIssuer.accountId": "SessionIssuerAccountId",
    "userIdentity.sessionContext.sessionIssuer.userName": "SessionIssuerUserName",
    "requestID": "AwsRequestId_",
    "apiVersion": "APIVersion",
    "readOnly": "ReadOnly",
    "managementEvent": "ManagementEvent",
    "recipientAccountId": "RecipientAccountId",
    "sharedEventID": "SharedEventId",
    "vpcEndpointId": "VpcEndpointId",
    "tlsDetails.tlsVersion": "TlsVersion",
    "tlsDetails.cipherSuite": "CipherSuite",
    "tlsDetails.clientProvidedHostHeader": "ClientProvidedHostHeader",
}
SENTINEL_JSON = {
    "requestParameters": "RequestParameters",
    "responseElements": "ResponseElements",
    "additionalEventData": "AdditionalEventData",
    "serviceEventDetails": "ServiceEventDetails",
}
SENTINEL_TYPES = {"SessionMfaAuthenticated": "bool", "ReadOnly": "bool", "ManagementEvent": "bool",
                  "TimeGenerated": "datetime", "SessionCreationDate": "datetime"}


def whole_object(target: str, field: str) -> None:
    """A field naming a whole JSON object has no value for Sigma to match: refuse, everywhere."""
    if field in OPEN_OBJECTS:
        raise Refused(target, f"field {field}", "it names a whole JSON object, not a value; Sigma matches "
                      "values, and each platform stores the object differently (text, JSON, or not at all)")


def array_path(field: str) -> bool:
    return any(seg in ARRAY_KEYS for seg in field.split(".")[:-1])


def _elastic(field: str) -> str:
    whole_object("eql", field)
    if field in ELASTIC_REFUSED:
        raise Refused("eql", f"field {field}", ELASTIC_REFUSED[field])
    head = field.split(".", 1)[0]
    if head in OPEN_OBJECTS:
        raise Refused("eql", f"field {field}", ELASTIC_OPEN_REASON.format(obj=head))
    raise Refused("eql", f"field {field}", "the Elastic AWS integration does not store this CloudTrail field")


def _sentinel(field: str) -> str:
    whole_object("kql", field)
    head, _, rest = field.partition(".")
    if head in SENTINEL_JSON and rest:
        if array_path(field):
            raise Refused("kql", f"field {field}", "it lies inside a JSON array; matching any element "
                          "needs mv-expand, which changes the result rows")
        return SENTINEL_JSON[head] + "." + rest
    if head == "resources":
        raise Refused("kql", f"field {field}", "resources is a JSON array; matching any element needs "
                      "mv-expand, which changes the result rows")
    raise Refused("kql", f"field {field}", "AWSCloudTrail has no column for this CloudTrail field")


def _splunk(field: str) -> str:
    whole_object("spl", field)
    # KV_MODE=json names an array's elements with a {} segment and makes the field multivalued.
    segs = field.split(".")
    return ".".join(s + "{}" if s in ARRAY_KEYS and i < len(segs) - 1 else s for i, s in enumerate(segs))


def _cloudwatch(field: str) -> str:
    whole_object("cwli", field)
    if array_path(field):
        raise Refused("cwli", f"field {field}", "Logs Insights addresses array elements only by index "
                      "(items.0.x); there is no any-element match")
    return field


def _pipeline(name: str, mapping: dict[str, str], fallback: Callable[[str], str]) -> ProcessingPipeline:
    return ProcessingPipeline(
        name=f"AWS CloudTrail for {name}",
        priority=20,
        items=[
            ProcessingItem(
                identifier=f"siemc_cloudtrail_{name}_fields",
                transformation=FieldFunctionTransformation(mapping=dict(mapping), transform_func=fallback),
                rule_conditions=[LogsourceCondition(product="aws", service="cloudtrail")],
            )
        ],
    )


def elastic_pipeline() -> ProcessingPipeline:
    return _pipeline("eql", ELASTIC, _elastic)


def sentinel_pipeline() -> ProcessingPipeline:
    return _pipeline("kql", SENTINEL, _sentinel)


def splunk_pipeline() -> ProcessingPipeline:
    return _pipeline("spl", {}, _splunk)


def cloudwatch_pipeline() -> ProcessingPipeline:
    return _pipeline("cwli", {}, _cloudwatch)
