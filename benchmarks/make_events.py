"""Write N realistic CloudTrail records as JSON Lines: the input of evaluate_bench.py.

    python benchmarks/make_events.py                  # 1,000,000 records -> benchmarks/data/cloudtrail-1000000.jsonl
    python benchmarks/make_events.py -n 100000 --gzip # -> benchmarks/data/cloudtrail-100000.jsonl.gz

The records follow CloudTrail's own format (compact JSON, one record a line, as a forwarder writes
them): a mix of management and data events from S3, EC2, STS, KMS, IAM, Lambda, DynamoDB, Secrets
Manager, CloudWatch, console sign-ins and RDS, including the seed rule's two calls
(RestoreDBInstanceFromDBSnapshot, RestoreDBInstanceFromS3), some of them failing, and near misses
(other restores, RDS acting as a service principal on KMS, so "rds.amazonaws.com" appears in
records that are not RDS calls). Identities, user agents and request/response bodies vary; records
are about 1-2 KB. A few carry non-ASCII text, some of it written as \\u escapes, and IAM policy
documents are JSON strings full of \\" escapes, as in real trails.

Deterministic: the same --seed and -n give the same bytes, whatever the number of worker processes
(each block of records has its own random generator, seeded from the seed and the block number).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
BLOCK = 10_000
START = datetime(2026, 11, 1, tzinfo=UTC)
SPAN_S = 30 * 24 * 3600  # a month of trail

Record = dict[str, Any]
ACCOUNTS = ["123456789012", "210987654321", "111122223333", "444455556666"]
REGIONS = ["us-east-1"] * 5 + ["eu-west-1"] * 3 + ["us-west-2"] * 2 + ["ap-southeast-2", "eu-central-1"]
TLS = [
    ("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
    ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"),
    ("TLSv1.3", "TLS_AES_256_GCM_SHA384"),
]
CLI = [
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-cloud-amd64 exe/x86_64.debian.12 prompt/off command/{cmd}",
    "aws-cli/2.13.25 Python/3.11.5 Darwin/23.4.0 exe/x86_64 prompt/off command/{cmd}",
    "aws-cli/1.29.62 Python/3.9.18 Linux/5.10.205-195.807.amzn2.x86_64 botocore/1.31.62",
]
SDK = [
    "Boto3/1.34.{n} md/Botocore#1.34.{n} ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 md/arch#x86_64 "
    "lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.{n}",
    "aws-sdk-java/2.21.{n} Linux/5.10.205-195.807.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS "
    "Java/17.0.9 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    "aws-sdk-go-v2/1.24.{n} os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.141.0",
    "APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.{n} "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.49.{n} (go1.21.5; linux; amd64)",
]
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0",
]
NAMES = [
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "niaj",
    "olivia",
    "peggy",
    "rupert",
    "sybil",
    "trent",
    "victor",
    "walter",
    "José",
    "Zoë",
    "Łukasz",
]
ROLES = [
    "DBAdmin",
    "ReadOnly",
    "DeployPipeline",
    "DataEngineer",
    "AWSReservedSSO_AdministratorAccess_8f1e2d3c4b5a6978",
    "AWSReservedSSO_ViewOnlyAccess_1a2b3c4d5e6f7089",
    "eks-node-group-role",
    "lambda-ingest-role",
    "ci-runner",
]
BUCKETS = ["prod-app-assets", "db-backups-eu", "cloudtrail-logs-123456789012", "analytics-raw", "tfstate-platform"]
DB_IDS = ["orders", "billing", "analytics", "users-primary", "inventory", "audit-log"]
ENGINES = [("postgres", "15.5"), ("mysql", "8.0.35"), ("aurora-postgresql", "15.4"), ("mariadb", "10.11.6")]
CLASSES = ["db.t3.medium", "db.r6g.large", "db.m6g.xlarge", "db.t4g.micro"]
AWS_SERVICES = [
    "rds.amazonaws.com",
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "s3.amazonaws.com",
    "cloudformation.amazonaws.com",
    "autoscaling.amazonaws.com",
]


class Gen:
    """One block's generator: every choice comes from its own seeded random.Random."""

    def __init__(self, seed: int, block: int) -> None:
        self.r = random.Random(seed * 1_000_003 + block)
        self.idents = [self._identity(i) for i in range(40)]

    # ---- small helpers ------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return f"{self.r.getrandbits(4 * n):0{n}x}"

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[self.r.randrange(4)]}{h[17:20]}-{h[20:]}"

    def upper_id(self, prefix: str, n: int = 17) -> str:
        return prefix + "".join(self.r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def ip(self) -> str:
        net = self.r.choice(["198.51.100", "203.0.113", "192.0.2", "100.24.37", "52.94.133", "3.120.181"])
        return f"{net}.{self.r.randrange(1, 255)}"

    def agent(self, cmd: str) -> str:
        r = self.r.random()
        if r < 0.35:
            return self.r.choice(CLI).format(cmd=cmd)
        if r < 0.8:
            return self.r.choice(SDK).format(n=self.r.randrange(1, 60))
        if r < 0.95:
            return "AWS Internal"
        return self.r.choice(BROWSERS)

    # ---- identities -------------------------------------------------------------------------------
    def _identity(self, i: int) -> Record:
        acct = ACCOUNTS[i % len(ACCOUNTS)]
        kind = self.r.random()
        if kind < 0.3:
            name = self.r.choice(NAMES)
            pid = self.upper_id("AIDA")
            return {
                "type": "IAMUser",
                "principalId": pid,
                "arn": f"arn:aws:iam::{acct}:user/{name}",
                "accountId": acct,
                "accessKeyId": self.upper_id("AKIA", 16),
                "userName": name,
            }
        if kind < 0.95:
            role = self.r.choice(ROLES)
            rid = self.upper_id("AROA")
            session = (
                self.r.choice(NAMES)
                if role.startswith("AWSReservedSSO")
                else f"botocore-session-{self.r.randrange(10**10)}"
            )
            return {
                "type": "AssumedRole",
                "principalId": f"{rid}:{session}",
                "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
                "accountId": acct,
                "accessKeyId": self.upper_id("ASIA", 16),
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "principalId": rid,
                        "arn": f"arn:aws:iam::{acct}:role/{role}",
                        "accountId": acct,
                        "userName": role,
                    },
                    "webIdFederationData": {},
                    "attributes": {
                        "creationDate": "2026-11-01T08:00:00Z",
                        "mfaAuthenticated": self.r.choice(["true", "false"]),
                    },
                },
            }
        return {
            "type": "Root",
            "principalId": acct,
            "arn": f"arn:aws:iam::{acct}:root",
            "accountId": acct,
            "accessKeyId": self.upper_id("ASIA", 16),
        }

    # ---- requests ---------------------------------------------------------------------------------
    def s3(self, rec: Record) -> None:
        bucket = self.r.choice(BUCKETS)
        key = (
            f"{self.r.choice(['data', 'exports', 'img', 'logs'])}/{self.r.randrange(2024, 2027)}/"
            f"{self.hex(8)}/{self.r.choice(['part', 'report', 'résumé', 'snapshot'])}-{self.r.randrange(10**5)}.parquet"
        )
        name = self.r.choice(["GetObject"] * 6 + ["PutObject"] * 3 + ["HeadObject", "ListObjects", "DeleteObject"])
        rec.update(
            eventName=name,
            eventCategory="Data",
            managementEvent=False,
            readOnly=name in ("GetObject", "HeadObject", "ListObjects"),
            requestParameters={
                "bucketName": bucket,
                "Host": f"{bucket}.s3.{rec['awsRegion']}.amazonaws.com",
                "key": key,
                "x-id": name,
            },
            responseElements=None
            if name != "PutObject"
            else {"x-amz-server-side-encryption": "aws:kms", "x-amz-version-id": self.hex(32)},
            additionalEventData={
                "SignatureVersion": "SigV4",
                "CipherSuite": "TLS_AES_128_GCM_SHA256",
                "bytesTransferredIn": 0 if name != "PutObject" else self.r.randrange(10**7),
                "AuthenticationMethod": "AuthHeader",
                "x-amz-id-2": self.hex(40) + "=",
                "bytesTransferredOut": self.r.randrange(10**6),
            },
            resources=[
                {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
                {"accountId": rec["recipientAccountId"], "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"},
            ],
        )

    def ec2(self, rec: Record) -> None:
        name = self.r.choice(
            ["DescribeInstances"] * 5
            + [
                "DescribeSecurityGroups",
                "DescribeVolumes",
                "DescribeSubnets",
                "DescribeNetworkInterfaces",
                "RunInstances",
                "TerminateInstances",
                "CreateTags",
                "AuthorizeSecurityGroupIngress",
                "StopInstances",
            ]
        )
        iid = f"i-0{self.hex(16)}"
        req: Any
        resp: Any = None
        if name.startswith("Describe"):
            req = {
                "maxResults": 1000,
                "filterSet": {
                    "items": [
                        {
                            "name": "tag:team",
                            "valueSet": {"items": [{"value": self.r.choice(["platform", "data", "payments"])}]},
                        }
                    ]
                },
            }
            if name == "DescribeInstances":
                req["instancesSet"] = {
                    "items": [{"instanceId": f"i-0{self.hex(16)}"} for _ in range(self.r.randrange(0, 4))]
                }
        elif name == "RunInstances":
            req = {
                "instancesSet": {"items": [{"imageId": f"ami-0{self.hex(16)}", "minCount": 1, "maxCount": 1}]},
                "instanceType": self.r.choice(["t3.micro", "m6i.large", "c7g.xlarge"]),
                "blockDeviceMapping": {},
                "monitoring": {"enabled": False},
                "disableApiTermination": False,
                "clientToken": self.uuid(),
                "tagSpecificationSet": {
                    "items": [
                        {
                            "resourceType": "instance",
                            "tags": [
                                {"key": "Name", "value": f"worker-{self.r.randrange(100)}"},
                                {"key": "team", "value": "platform"},
                            ],
                        }
                    ]
                },
            }
            resp = {
                "requestId": self.uuid(),
                "reservationId": f"r-0{self.hex(16)}",
                "ownerId": rec["recipientAccountId"],
                "groupSet": {},
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": iid,
                            "imageId": req["instancesSet"]["items"][0]["imageId"],
                            "instanceState": {"code": 0, "name": "pending"},
                            "privateDnsName": "ip-172-31-35-48.ec2.internal",
                            "amiLaunchIndex": 0,
                            "productCodes": {},
                            "instanceType": req["instanceType"],
                            "launchTime": 1764547200000 + self.r.randrange(10**9),
                            "placement": {"availabilityZone": rec["awsRegion"] + "a", "tenancy": "default"},
                            "monitoring": {"state": "disabled"},
                            "subnetId": f"subnet-0{self.hex(16)}",
                            "vpcId": f"vpc-0{self.hex(16)}",
                            "privateIpAddress": f"172.31.{self.r.randrange(256)}.{self.r.randrange(256)}",
                            "architecture": "x86_64",
                            "rootDeviceType": "ebs",
                            "rootDeviceName": "/dev/xvda",
                            "blockDeviceMapping": {},
                            "virtualizationType": "hvm",
                            "hypervisor": "xen",
                            "metadataOptions": {
                                "state": "pending",
                                "httpTokens": "required",
                                "httpPutResponseHopLimit": 2,
                                "httpEndpoint": "enabled",
                                "httpProtocolIpv4": "enabled",
                            },
                        }
                    ]
                },
            }
        elif name == "AuthorizeSecurityGroupIngress":
            req = {
                "groupId": f"sg-0{self.hex(16)}",
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "groups": {},
                            "ipRanges": {
                                "items": [{"cidrIp": self.r.choice(["0.0.0.0/0", "10.0.0.0/8", "203.0.113.0/24"])}]
                            },
                        }
                    ]
                },
            }
            resp = {"requestId": self.uuid(), "_return": True}
        else:
            req = {"instancesSet": {"items": [{"instanceId": iid}]}}
            if name == "CreateTags":
                req = {
                    "resourcesSet": {"items": [{"resourceId": iid}]},
                    "tagSet": {
                        "items": [
                            {"key": "owner", "value": self.r.choice(NAMES)},
                            {"key": "cost-center", "value": str(self.r.randrange(1000, 9999))},
                        ]
                    },
                }
            resp = {"requestId": self.uuid(), "_return": True}
        rec.update(eventName=name, readOnly=name.startswith("Describe"), requestParameters=req, responseElements=resp)

    def sts(self, rec: Record) -> None:
        name = self.r.choice(
            ["AssumeRole"] * 6 + ["GetCallerIdentity"] * 2 + ["AssumeRoleWithWebIdentity", "GetSessionToken"]
        )
        acct = rec["recipientAccountId"]
        role = self.r.choice(ROLES)
        if name == "GetCallerIdentity":
            rec.update(eventName=name, readOnly=True, requestParameters=None, responseElements=None)
            return
        session = f"{self.r.choice(NAMES)}-{self.r.randrange(10**6)}"
        rec.update(
            eventName=name,
            readOnly=True,
            requestParameters={
                "roleArn": f"arn:aws:iam::{acct}:role/{role}",
                "roleSessionName": session,
                "durationSeconds": 3600,
            },
            responseElements={
                "credentials": {
                    "accessKeyId": self.upper_id("ASIA", 16),
                    "sessionToken": self.hex(120),
                    "expiration": "Dec 1, 2026, 10:00:00 AM",
                },
                "assumedRoleUser": {
                    "assumedRoleId": f"{self.upper_id('AROA')}:{session}",
                    "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
                },
            },
            resources=[{"accountId": acct, "type": "AWS::IAM::Role", "ARN": f"arn:aws:iam::{acct}:role/{role}"}],
        )

    def kms(self, rec: Record) -> None:
        name = self.r.choice(["Decrypt"] * 4 + ["GenerateDataKey"] * 3 + ["Encrypt", "DescribeKey"])
        acct = rec["recipientAccountId"]
        key = f"arn:aws:kms:{rec['awsRegion']}:{acct}:key/{self.uuid()}"
        service = self.r.choice(AWS_SERVICES)
        # most KMS calls are made by a service for a principal: RDS among them (a near miss for the seed rule)
        rec.update(
            eventName=name,
            readOnly=True,
            sourceIPAddress=service,
            userAgent=service,
            requestParameters={
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "keyId": key,
                "encryptionContext": {
                    "aws:"
                    + service.split(".")[0]
                    + ":arn": f"arn:aws:{service.split('.')[0]}:{rec['awsRegion']}:{acct}:{self.hex(12)}"
                },
            },
            responseElements=None,
            resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key}],
        )
        rec["userIdentity"] = dict(rec["userIdentity"], invokedBy=service)

    def iam(self, rec: Record) -> None:
        name = self.r.choice(
            [
                "ListRoles",
                "GetRole",
                "ListPolicies",
                "GetPolicyVersion",
                "ListAttachedRolePolicies",
                "PutRolePolicy",
                "CreateAccessKey",
                "AttachRolePolicy",
            ]
        )
        role = self.r.choice(ROLES)
        req: Any = {"roleName": role}
        resp: Any = None
        if name == "PutRolePolicy":
            doc = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [f"s3:{a}" for a in ("GetObject", "PutObject", "ListBucket")],
                        "Resource": [f"arn:aws:s3:::{b}/*" for b in self.r.sample(BUCKETS, 2)],
                    }
                ],
            }
            req = {"roleName": role, "policyName": f"inline-{self.hex(6)}", "policyDocument": json.dumps(doc, indent=4)}
        elif name == "AttachRolePolicy":
            req = {
                "roleName": role,
                "policyArn": "arn:aws:iam::aws:policy/" + self.r.choice(["ReadOnlyAccess", "AdministratorAccess"]),
            }
        elif name == "CreateAccessKey":
            user = self.r.choice(NAMES)
            req = {"userName": user}
            resp = {
                "accessKey": {
                    "userName": user,
                    "accessKeyId": self.upper_id("AKIA", 16),
                    "status": "Active",
                    "createDate": "Dec 1, 2026, 9:00:00 AM",
                }
            }
        elif name.startswith("List"):
            req = {"maxItems": 100} if name != "ListAttachedRolePolicies" else {"roleName": role}
        rec.update(
            eventName=name,
            readOnly=name.startswith(("List", "Get")),
            requestParameters=req,
            responseElements=resp,
            awsRegion="us-east-1",
        )

    def signin(self, rec: Record) -> None:
        ok = self.r.random() < 0.9
        rec.update(
            eventName="ConsoleLogin",
            eventType="AwsConsoleSignIn",
            readOnly=False,
            awsRegion="us-east-1",
            userAgent=self.r.choice(BROWSERS),
            requestParameters=None,
            responseElements={"ConsoleLogin": "Success" if ok else "Failure"},
            additionalEventData={
                "LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
                "MobileVersion": "No",
                "MFAUsed": self.r.choice(["Yes", "No"]),
            },
        )
        if not ok:
            rec["errorMessage"] = "Failed authentication"

    def other(self, rec: Record) -> None:
        src = self.r.choice(["lambda", "dynamodb", "secretsmanager", "monitoring", "logs", "ssm"])
        names = {
            "lambda": ["Invoke", "GetFunction", "UpdateFunctionCode20150331v2"],
            "dynamodb": ["GetItem", "PutItem", "Query", "DescribeTable"],
            "secretsmanager": ["GetSecretValue", "DescribeSecret"],
            "monitoring": ["GetMetricData", "DescribeAlarms", "PutMetricAlarm"],
            "logs": ["CreateLogStream", "DescribeLogGroups", "StartQuery"],
            "ssm": ["GetParameter", "GetParameters", "StartSession"],
        }[src]
        name = self.r.choice(names)
        rec.update(
            eventSource=f"{src}.amazonaws.com",
            eventName=name,
            readOnly=name.startswith(("Get", "Describe", "Query")),
            requestParameters={
                "resourceName": f"arn:aws:{src}:{rec['awsRegion']}:{rec['recipientAccountId']}:"
                f"{self.r.choice(['function', 'table', 'secret', 'alarm'])}/{self.hex(10)}",
                "withDecryption": True,
                "limit": 50,
            },
            responseElements=None,
        )

    def rds(self, rec: Record) -> None:
        r = self.r.random()
        db, (engine, version) = self.r.choice(DB_IDS), self.r.choice(ENGINES)
        acct, region = rec["recipientAccountId"], rec["awsRegion"]
        if r < 0.75:
            name = self.r.choice(
                [
                    "DescribeDBInstances",
                    "DescribeDBSnapshots",
                    "DescribeDBClusters",
                    "DescribeEvents",
                    "ListTagsForResource",
                ]
            )
            rec.update(
                eventName=name,
                readOnly=True,
                requestParameters={"dBInstanceIdentifier": db, "maxRecords": 100} if self.r.random() < 0.5 else None,
                responseElements=None,
            )
            return
        if r < 0.96:
            name = self.r.choice(
                [
                    "CreateDBSnapshot",
                    "ModifyDBInstance",
                    "RestoreDBClusterFromSnapshot",
                    "RestoreDBInstanceToPointInTime",
                    "StopDBInstance",
                    "DeleteDBInstance",
                    "AddTagsToResource",
                ]
            )
        else:
            name = self.r.choice(["RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceFromS3"])
        target = f"{db}-restore-{self.r.randrange(1000)}"
        req: Record = {
            "dBInstanceIdentifier": target if name.startswith("Restore") else db,
            "dBInstanceClass": self.r.choice(CLASSES),
            "multiAZ": self.r.random() < 0.3,
            "publiclyAccessible": self.r.random() < 0.05,
            "tags": [{"key": "team", "value": "data"}],
        }
        if name == "RestoreDBInstanceFromDBSnapshot":
            req["dBSnapshotIdentifier"] = f"rds:{db}-2026-11-{self.r.randrange(1, 30):02d}-03-10"
        elif name == "RestoreDBInstanceFromS3":
            req.update(
                engine=engine.split("-")[-1],
                engineVersion=version,
                allocatedStorage=100,
                masterUsername="admin",
                masterUserPassword="HIDDEN_DUE_TO_SECURITY_REASONS",
                s3BucketName=self.r.choice(BUCKETS),
                s3IngestionRoleArn=f"arn:aws:iam::{acct}:role/rds-s3-import",
                sourceEngine="mysql",
                sourceEngineVersion="8.0.35",
            )
        failed = self.r.random() < 0.3
        resp: Any = None
        if failed:
            code, msg = self.r.choice(
                [
                    (
                        "AccessDenied",
                        f"User: {rec['userIdentity']['arn']} is not authorized to perform: rds:{name} on resource: "
                        f"arn:aws:rds:{region}:{acct}:db:{req['dBInstanceIdentifier']} because no identity-based "
                        f"policy allows the rds:{name} action",
                    ),
                    ("DBSnapshotNotFoundFault", "DBSnapshot not found: " + str(req.get("dBSnapshotIdentifier", db))),
                    (
                        "InvalidParameterCombination",
                        "RDS does not support creating a DB instance with the following combination: "
                        f"DBInstanceClass={req['dBInstanceClass']}, Engine={engine}, EngineVersion={version}",
                    ),
                    ("DBInstanceAlreadyExistsFault", "DB instance already exists"),
                ]
            )
            rec.update(errorCode=code, errorMessage=msg)
        else:
            resp = {
                "dBInstanceIdentifier": req["dBInstanceIdentifier"],
                "dBInstanceClass": req["dBInstanceClass"],
                "engine": engine,
                "engineVersion": version,
                "dBInstanceStatus": "creating" if name.startswith("Restore") else "modifying",
                "masterUsername": "admin",
                "allocatedStorage": 100,
                "preferredBackupWindow": "03:10-03:40",
                "backupRetentionPeriod": 7,
                "dBSecurityGroups": [],
                "vpcSecurityGroups": [{"vpcSecurityGroupId": f"sg-0{self.hex(16)}", "status": "active"}],
                "dBParameterGroups": [
                    {
                        "dBParameterGroupName": f"default.{engine}{version.split('.')[0]}",
                        "parameterApplyStatus": "in-sync",
                    }
                ],
                "dBSubnetGroup": {
                    "dBSubnetGroupName": "default",
                    "dBSubnetGroupDescription": "default",
                    "vpcId": f"vpc-0{self.hex(16)}",
                    "subnetGroupStatus": "Complete",
                    "subnets": [
                        {
                            "subnetIdentifier": f"subnet-0{self.hex(16)}",
                            "subnetAvailabilityZone": {"name": f"{region}{z}"},
                            "subnetOutpost": {},
                            "subnetStatus": "Active",
                        }
                        for z in "abc"
                    ],
                },
                "preferredMaintenanceWindow": "sun:05:00-sun:05:30",
                "multiAZ": req["multiAZ"],
                "autoMinorVersionUpgrade": True,
                "publiclyAccessible": req["publiclyAccessible"],
                "storageType": "gp3",
                "storageEncrypted": True,
                "kmsKeyId": f"arn:aws:kms:{region}:{acct}:key/{self.uuid()}",
                "dbiResourceId": self.upper_id("db-", 26),
                "cACertificateIdentifier": "rds-ca-rsa2048-g1",
                "copyTagsToSnapshot": True,
                "deletionProtection": False,
                "dBInstanceArn": f"arn:aws:rds:{region}:{acct}:db:{req['dBInstanceIdentifier']}",
                "iAMDatabaseAuthenticationEnabled": False,
                "performanceInsightsEnabled": False,
                "networkType": "IPV4",
                "tagList": req["tags"],
            }
        rec.update(eventName=name, readOnly=False, requestParameters=req, responseElements=resp)

    # ---- one record -----------------------------------------------------------------------------------
    def record(self, index: int, n: int) -> tuple[Record, bool]:
        ident = self.r.choice(self.idents)
        acct = ident["accountId"]
        region = self.r.choice(REGIONS)
        t = START + timedelta(seconds=SPAN_S * index / max(n, 1) + self.r.random())
        rec: Record = {
            "eventVersion": self.r.choice(["1.08", "1.09", "1.10"]),
            "userIdentity": ident,
            "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": "",
            "eventName": "",
            "awsRegion": region,
            "sourceIPAddress": self.ip(),
            "userAgent": "",
            "requestParameters": None,
            "responseElements": None,
            "requestID": self.uuid(),
            "eventID": self.uuid(),
            "readOnly": True,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": acct,
            "eventCategory": "Management",
        }
        kind, handler = pick(self.r.random(), self)
        rec["eventSource"] = rec["eventSource"] or f"{kind}.amazonaws.com"
        handler(rec)
        if not rec["userAgent"]:
            rec["userAgent"] = self.agent(f"{rec['eventSource'].split('.')[0]}.{rec['eventName'].lower()}")
        if "errorCode" not in rec and self.r.random() < 0.03:
            code = self.r.choice(["AccessDenied", "Client.UnauthorizedOperation", "ThrottlingException"])
            rec.update(errorCode=code, errorMessage=f"{code}: the request was refused", responseElements=None)
        host = rec["eventSource"].replace(".amazonaws.com", f".{region}.amazonaws.com")
        rec["tlsDetails"] = {
            "tlsVersion": (tls := self.r.choice(TLS))[0],
            "cipherSuite": tls[1],
            "clientProvidedHostHeader": host,
        }
        if rec["userAgent"] in BROWSERS or rec["eventType"] == "AwsConsoleSignIn":
            rec["sessionCredentialFromConsole"] = "true"
        # a forwarder that writes \u escapes for non-ASCII text: some records (an escape must not hide a match)
        ascii_only = self.r.random() < 0.3
        return rec, ascii_only


WEIGHTS: list[tuple[float, str, Callable[[Gen, Record], None]]] = [
    (0.30, "s3", Gen.s3),
    (0.20, "ec2", Gen.ec2),
    (0.14, "sts", Gen.sts),
    (0.12, "kms", Gen.kms),
    (0.05, "iam", Gen.iam),
    (0.005, "signin", Gen.signin),
    (0.14, "other", Gen.other),
    (0.045, "rds", Gen.rds),
]


def pick(x: float, gen: Gen) -> tuple[str, Callable[[Record], None]]:
    acc = 0.0
    for w, kind, fn in WEIGHTS:
        acc += w
        if x < acc:
            return kind, lambda rec, fn=fn: fn(gen, rec)
    w, kind, fn = WEIGHTS[-1]
    return kind, lambda rec: fn(gen, rec)


def block(args: tuple[int, int, int, int]) -> bytes:
    """Records [start, stop) of n, as JSON Lines bytes."""
    seed, start, stop, n = args
    g = Gen(seed, start // BLOCK)
    compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    escaped = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True)
    out = []
    for i in range(start, stop):
        rec, ascii_only = g.record(i, n)
        out.append((escaped if ascii_only else compact).encode(rec))
    return ("\n".join(out) + "\n").encode("utf-8")


def blocks(seed: int, n: int) -> Iterator[tuple[int, int, int, int]]:
    for start in range(0, n, BLOCK):
        yield seed, start, min(start + BLOCK, n), n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--records", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--gzip", action="store_true", help="write .jsonl.gz")
    ap.add_argument("-o", "--output", type=Path, help="default: benchmarks/data/cloudtrail-N.jsonl[.gz]")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args(argv)
    out = a.output or DATA / f"cloudtrail-{a.records}.jsonl{'.gz' if a.gzip else ''}"
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    tmp = out.with_name(out.name + ".part")
    with gzip.open(tmp, "wb", compresslevel=6) if a.gzip else open(tmp, "wb") as f, Pool(a.jobs) as pool:
        for data in pool.imap(block, blocks(a.seed, a.records)):
            f.write(data)
    tmp.replace(out)
    size = out.stat().st_size
    print(
        f"{out}: {a.records:,} records, {size / 1e6:,.1f} MB ({size / max(a.records, 1):,.0f} B/record on disk), "
        f"{time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
