"""Building planned resources as plain camelCase dicts, and running policies over them.

`run` goes through `policies.offline.evaluate`, which builds the real `ResourceValidationArgs` /
`StackValidationArgs` (props behind pulumi-policy's unknown-checking proxy, numbers as floats)
and calls each policy's real validate function.
"""
from __future__ import annotations

import itertools
import json
from typing import Any, Iterable, Mapping, Optional

from preview.plan import Plan, PlannedResource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import _aws as aws
from policies.offline import Violation, evaluate
from policies.pack import ALL_POLICIES

POLICIES = {policy.name: policy for policy in ALL_POLICIES}
UNKNOWN = UNKNOWN_STRING_VALUE  # how the engine sends a value not known during preview
TAGS = {"Project": "webstack", "Stack": "test", "ManagedBy": "pulumi"}
_serial = itertools.count(1)


def res(resource_type: str, props: Optional[Mapping[str, Any]] = None, *, name: Optional[str] = None,
        protect: bool = False, id: str = "", deps: Optional[Mapping[str, Iterable[Any]]] = None,
        provider: Optional[PlannedResource] = None, custom: bool = True) -> PlannedResource:
    """A planned resource; `deps` maps a property to the resources its value came from."""
    name = name or f"{resource_type.rsplit(':', 1)[-1].lower()}-{next(_serial)}"
    property_dependencies = {prop: tuple(r.urn if isinstance(r, PlannedResource) else r for r in rs)
                             for prop, rs in (deps or {}).items()}
    return PlannedResource(
        urn=f"urn:pulumi:test::webstack::{resource_type}::{name}", type=resource_type, name=name,
        inputs=dict(props or {}), custom=custom, protect=protect,
        provider=f"{provider.urn}::{provider.id}" if provider else None,
        dependencies=tuple(sorted({u for urns in property_dependencies.values() for u in urns})),
        property_dependencies=property_dependencies, id=id or f"{name}-id")


def run(policy_name: str, *resources: PlannedResource,
        config: Optional[Mapping[str, Any]] = None) -> list[Violation]:
    pack_config = {policy_name: dict(config)} if config else {}
    return evaluate(Plan("test", list(resources)), pack_config, policies=[POLICIES[policy_name]])


def fires(policy_name: str, *resources: PlannedResource, config: Optional[Mapping] = None,
          on: Optional[Iterable[PlannedResource]] = None, says: str = "") -> list[Violation]:
    """Asserts the policy reports, only under its own name, on `on` (default: anything)."""
    found = run(policy_name, *resources, config=config)
    assert found, f"{policy_name} did not fire"
    assert {v.policy for v in found} == {policy_name}
    if on is not None:
        assert {v.name for v in found} == {r.name for r in on}, [v.message for v in found]
    if says:
        assert any(says in v.message for v in found), [v.message for v in found]
    return found


def passes(policy_name: str, *resources: PlannedResource, config: Optional[Mapping] = None) -> None:
    found = run(policy_name, *resources, config=config)
    assert found == [], [f"{v.name}: {v.message}" for v in found]


# ---- compliant resources (plain camelCase inputs, as the engine sees them) ----

def rds_instance(**overrides: Any) -> dict:
    return {"engine": "postgres", "engineVersion": "16", "instanceClass": "db.t3.micro",
            "allocatedStorage": 20, "storageEncrypted": True, "backupRetentionPeriod": 7,
            "publiclyAccessible": False, "deletionProtection": True, "skipFinalSnapshot": False,
            "finalSnapshotIdentifier": "db-final", "manageMasterUserPassword": True,
            "tags": dict(TAGS), **overrides}


def rds_cluster(**overrides: Any) -> dict:
    return {"engine": "aurora-postgresql", "engineVersion": "16.4", "storageEncrypted": True,
            "backupRetentionPeriod": 7, "deletionProtection": True, "skipFinalSnapshot": False,
            "finalSnapshotIdentifier": "cluster-final", "tags": dict(TAGS), **overrides}


def pg_parameter_group(**overrides: Any) -> dict:
    return {"family": "postgres16", "name": "app-pg16",
            "parameters": [{"name": "rds.force_ssl", "value": "1"},
                           {"name": "log_min_duration_statement", "value": "1000"}],
            "tags": dict(TAGS), **overrides}


def replication_group(**overrides: Any) -> dict:
    return {"engine": "redis", "engineVersion": "7.1", "nodeType": "cache.t3.micro",
            "description": "cache", "atRestEncryptionEnabled": True, "transitEncryptionEnabled": True,
            "authToken": "s3cr3t-token-never-printed", "snapshotRetentionLimit": 7,
            "finalSnapshotIdentifier": "cache-final", "tags": dict(TAGS), **overrides}


def instance(**overrides: Any) -> dict:
    return {"ami": "ami-0a1b2c3d4e5f60718", "instanceType": "t3.micro",
            "rootBlockDevice": {"encrypted": True, "volumeSize": 20, "volumeType": "gp3"},
            "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required"},
            "tags": dict(TAGS), **overrides}


def launch_template(**overrides: Any) -> dict:
    return {"imageId": "ami-0a1b2c3d4e5f60718",
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeSize": 20}}],
            "metadataOptions": {"httpTokens": "required"}, "tags": dict(TAGS), **overrides}


def https_listener(**overrides: Any) -> dict:
    return {"protocol": "HTTPS", "port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "certificateArn": "arn:aws:acm:ap-northeast-2:123456789012:certificate/abc",
            "defaultActions": [{"type": "forward", "targetGroupArn": "arn:aws:elasticloadbalancing:tg"}],
            **overrides}


def http_redirect_listener(**overrides: Any) -> dict:
    return {"protocol": "HTTP", "port": 80,
            "defaultActions": [{"type": "redirect",
                                "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}],
            **overrides}


def distribution(**overrides: Any) -> dict:
    return {"enabled": True, "webAclId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x",
            "origins": [{"originId": "assets", "domainName": "assets.s3.ap-northeast-2.amazonaws.com",
                         "originAccessControlId": "oac-1"},
                        {"originId": "alb", "domainName": "alb.example.com",
                         "customOriginConfig": {"httpPort": 80, "httpsPort": 443,
                                                "originProtocolPolicy": "https-only",
                                                "originSslProtocols": ["TLSv1.2"]}}],
            "defaultCacheBehavior": {"targetOriginId": "assets", "viewerProtocolPolicy": "redirect-to-https"},
            "orderedCacheBehaviors": [{"pathPattern": "/api/*", "targetOriginId": "alb",
                                       "viewerProtocolPolicy": "https-only"}],
            "viewerCertificate": {"acmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x",
                                  "sslSupportMethod": "sni-only", "minimumProtocolVersion": "TLSv1.2_2021"},
            "loggingConfig": {"bucket": "logs.s3.amazonaws.com", "prefix": "cdn/"},
            "tags": dict(TAGS), **overrides}


KEY_ARN = "arn:aws:kms:ap-northeast-2:123456789012:key/data"


def dynamodb_table(**overrides: Any) -> dict:
    return {"hashKey": "id", "attributes": [{"name": "id", "type": "S"}], "billingMode": "PAY_PER_REQUEST",
            "serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY_ARN}, "pointInTimeRecovery": {"enabled": True},
            "deletionProtectionEnabled": True, "tags": dict(TAGS), **overrides}


def lambda_function(**overrides: Any) -> dict:
    return {"name": "webstack-test-api", "runtime": "python3.13", "handler": "app.handler",
            "role": "arn:aws:iam::123456789012:role/api", "memorySize": 512, "timeout": 10,
            "tracingConfig": {"mode": "Active"}, "kmsKeyArn": KEY_ARN,
            "environment": {"variables": {"TABLE_NAME": "todos", "DB_SECRET_ARN":
                                          "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db"}},
            "tags": dict(TAGS), **overrides}


def function_log_group(function_name: str = "webstack-test-api", **overrides: Any) -> dict:
    return {"name": f"/aws/lambda/{function_name}", "retentionInDays": 30, "kmsKeyId": KEY_ARN, **overrides}


def api_stage(**overrides: Any) -> dict:
    return {"restApi": "api-1", "stageName": "live", "deployment": "dep-1", "xrayTracingEnabled": True,
            "accessLogSettings": {"destinationArn": "arn:aws:logs:ap-northeast-2:123456789012:log-group:api",
                                  "format": '{"requestId":"$context.requestId"}'}, **overrides}


def method_settings(**overrides: Any) -> dict:
    return {"restApi": "api-1", "stageName": "live", "methodPath": "*/*",
            "settings": {"throttlingRateLimit": 100, "throttlingBurstLimit": 50, "metricsEnabled": True},
            **overrides}


def rds_proxy(**overrides: Any) -> dict:
    return {"name": "webstack-test-db", "engineFamily": "POSTGRESQL", "requireTls": True,
            "roleArn": "arn:aws:iam::123456789012:role/proxy", "vpcSubnetIds": ["subnet-1", "subnet-2"],
            "auths": [{"authScheme": "SECRETS", "iamAuth": "REQUIRED",
                       "secretArn": "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db"}],
            "tags": dict(TAGS), **overrides}


def deployment_group(**overrides: Any) -> dict:
    return {"appName": "webstack-test-api", "deploymentGroupName": "live",
            "serviceRoleArn": "arn:aws:iam::123456789012:role/codedeploy",
            "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent30Minutes",
            "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE",
                                                                       "DEPLOYMENT_STOP_ON_ALARM"]},
            "alarmConfiguration": {"enabled": True, "alarms": ["webstack-test-api-errors"]}, **overrides}


def security_group(role: str, **overrides: Any) -> dict:
    return {"description": f"{role} group", "vpcId": "vpc-1", "tags": {**TAGS, "Role": role}, **overrides}


def ingress_rule(group: PlannedResource, *, source: Optional[PlannedResource] = None,
                 port: int = 443, cidr: Optional[str] = None, protocol: str = "tcp",
                 name: Optional[str] = None, provider: Optional[PlannedResource] = None) -> PlannedResource:
    """An aws.vpc.SecurityGroupIngressRule into `group`, from a CIDR or a source group."""
    props = {"securityGroupId": group.id, "ipProtocol": protocol, "fromPort": port, "toPort": port}
    deps: dict[str, list] = {"securityGroupId": [group]}
    if source is not None:
        props["referencedSecurityGroupId"] = source.id
        deps["referencedSecurityGroupId"] = [source]
    if cidr is not None:
        props["cidrIpv4" if ":" not in cidr else "cidrIpv6"] = cidr
    return res(aws.SECURITY_GROUP_INGRESS_RULE, props, deps=deps, name=name, provider=provider)


def bucket_with(bucket: Optional[PlannedResource] = None, *, encryption: bool = True,
                public_access_block: bool = True, versioning: bool = True,
                tls_policy: bool = True, tags: Optional[dict] = None) -> list[PlannedResource]:
    """A bucket and the separate resources that make it compliant (as the components write it)."""
    bucket = bucket or res(aws.BUCKET, {"bucketPrefix": "assets-", "forceDestroy": False,
                                        "tags": tags if tags is not None else dict(TAGS)}, protect=True)
    linked = {"bucket": bucket.id}
    deps = {"bucket": [bucket]}
    parts = [bucket]
    if encryption:
        parts.append(res(aws.BUCKET_ENCRYPTION[0], {**linked, "rules": [
            {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}, "bucketKeyEnabled": True}]},
            deps=deps))
    if public_access_block:
        parts.append(res(aws.BUCKET_PUBLIC_ACCESS_BLOCK, {**linked, "blockPublicAcls": True,
                                                          "blockPublicPolicy": True, "ignorePublicAcls": True,
                                                          "restrictPublicBuckets": True}, deps=deps))
    if versioning:
        parts.append(res(aws.BUCKET_VERSIONING[0], {**linked, "versioningConfiguration": {"status": "Enabled"}},
                         deps=deps))
    if tls_policy:
        parts.append(res(aws.BUCKET_POLICY, {**linked, "policy": tls_only_policy()}, deps=deps))
    return parts


def tls_only_policy(**deny_overrides: Any) -> str:
    deny = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}, **deny_overrides}
    allow = {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [allow, deny]})
