"""Property tests: take the compliant stack, flip one security-relevant property, and exactly the
matching policy fires (run with every policy of the pack, through the offline evaluator)."""
from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_kit import ingress_rule, res, tls_only_policy
from policy_stack import (ADMIN_CIDR, PACK_CONFIG, compliant_stack, plan_of, setter, with_inputs,
                          with_options, without)

from policies import _aws as aws
from policies.offline import evaluate
from policies.pack import ALL_POLICIES

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE = compliant_stack()


@dataclass(frozen=True)
class Flip:
    name: str
    values: st.SearchStrategy
    apply: Callable[[dict, Any], dict]
    expected: frozenset


def flip(name: str, values: st.SearchStrategy, apply: Callable[[dict, Any], dict], *expected: str) -> Flip:
    return Flip(name, values, apply, frozenset(expected))


def edit(key: str, *path: Any) -> Callable[[dict, Any], dict]:
    return lambda stack, value: with_inputs(stack, key, setter(*path, value=value))


def drop(key: str, *path: Any) -> Callable[[dict, Any], dict]:
    return lambda stack, _: with_inputs(stack, key, setter(*path, delete=True))


NOT_TRUE = st.sampled_from([False, None, "false"])
UNSAFE_PORTS = {80, 443, 22, 3389, 5432, 3306, 6379, 11211}
OTHER_PORTS = st.integers(1, 65534).filter(lambda p: p not in UNSAFE_PORTS)
OUTSIDE_ADMIN = st.builds(lambda address, prefix: str(ipaddress.ip_network(f"{address}/{prefix}", strict=False)),
                          st.ip_addresses(v=4), st.integers(8, 32)).filter(
    lambda cidr: not ipaddress.ip_network(cidr).subnet_of(ipaddress.ip_network(ADMIN_CIDR)))
PRIVATE_CIDRS = st.builds(lambda a, b: f"10.{a}.{b}.0/24", st.integers(0, 255), st.integers(0, 255))


def _retarget_database_rule(stack: dict, group_key: str) -> dict:
    source = stack[group_key]
    return with_inputs(stack, "database-from-backend", setter("referencedSecurityGroupId", value=source.id),
                       property_dependencies={"securityGroupId": (stack["database-sg"].urn,),
                                              "referencedSecurityGroupId": (source.urn,)})


def _database_rule_from_cidr(stack: dict, cidr: str) -> dict:
    rule = ingress_rule(stack["database-sg"], cidr=cidr, port=5432, name="database-from-backend",
                        provider=stack["provider"])
    return {**stack, "database-from-backend": rule}


def _public_acl(stack: dict, acl: str) -> dict:
    bucket = stack["bucket"]
    return {**stack, "bucket-acl": res(aws.BUCKET_ACL[0], {"bucket": bucket.id, "acl": acl},
                                       deps={"bucket": [bucket]})}


def _edit_container(key: str, make: Callable[[Any], Any] = lambda value: value) -> Callable[[dict, Any], dict]:
    def change(stack: dict, value: Any) -> dict:
        def edit_definitions(inputs: dict) -> None:
            containers = json.loads(inputs["containerDefinitions"])
            containers[0][key] = make(value)
            inputs["containerDefinitions"] = json.dumps(containers)
        return with_inputs(stack, "task", edit_definitions)
    return change


FLIPS = [
    # encryption at rest
    flip("rds unencrypted", NOT_TRUE, edit("database", "storageEncrypted"), "rds-storage-encrypted"),
    flip("cache unencrypted", NOT_TRUE, edit("cache", "atRestEncryptionEnabled"), "elasticache-encrypted-at-rest"),
    flip("bucket without encryption", st.just(None), lambda s, _: without(s, "bucket-encryption"),
         "s3-bucket-encrypted"),
    flip("volume unencrypted", NOT_TRUE, edit("volume", "encrypted"), "ebs-encrypted"),
    flip("template volume unencrypted", st.sampled_from(["false", False]),
         edit("launch-template", "blockDeviceMappings", 0, "ebs", "encrypted"), "ebs-encrypted"),
    flip("table without kms", NOT_TRUE, edit("table", "serverSideEncryption", "enabled"), "kms-key-at-rest"),
    flip("topic without kms", st.just(None), drop("topic", "kmsMasterKeyId"), "kms-key-at-rest"),
    flip("log group without kms", st.sampled_from([None, ""]), edit("logs", "kmsKeyId"), "kms-key-at-rest"),
    # in transit
    flip("cache plaintext", NOT_TRUE, edit("cache", "transitEncryptionEnabled"), "elasticache-encrypted-in-transit"),
    flip("cache tls preferred", st.just("preferred"), edit("cache", "transitEncryptionMode"),
         "elasticache-encrypted-in-transit"),
    flip("old listener tls", st.sampled_from(["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-1-2017-01",
                                              "ELBSecurityPolicy-TLS13-1-1-2021-06"]),
         edit("https-listener", "sslPolicy"), "alb-listener-https"),
    flip("http listener forwards", st.sampled_from(["forward", "fixed-response"]),
         edit("http-listener", "defaultActions", 0, "type"), "alb-listener-https"),
    flip("http rule forwards", st.just("forward"), edit("http-rule", "actions", 0, "type"),
         "alb-http-listener-rules-redirect"),
    flip("viewer http", st.sampled_from(["allow-all", None]),
         edit("cdn", "defaultCacheBehavior", "viewerProtocolPolicy"), "cloudfront-viewer-https"),
    flip("viewer old tls", st.sampled_from(["TLSv1", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019"]),
         edit("cdn", "viewerCertificate", "minimumProtocolVersion"), "cloudfront-viewer-https"),
    flip("origin http", st.sampled_from(["http-only", "match-viewer"]),
         edit("cdn", "origins", 1, "customOriginConfig", "originProtocolPolicy"), "cloudfront-origin-https"),
    flip("database ssl optional", st.sampled_from(["0", "false"]),
         edit("db-parameters", "parameters", 0, "value"), "rds-force-ssl"),
    flip("bucket policy allows plain http", st.sampled_from([{"Action": "s3:GetObject"}, {"Principal": {"AWS": "arn"}}]),
         lambda s, deny: with_inputs(s, "bucket-policy", setter("policy", value=tls_only_policy(**deny))),
         "s3-bucket-policy-requires-tls", "s3-bucket-policy-denies-insecure-transport"),
    flip("bucket policy public", st.sampled_from(["*", {"AWS": "*"}]),
         lambda s, principal: with_inputs(s, "bucket-policy", setter("policy", value=json.dumps({"Statement": [
             *json.loads(tls_only_policy())["Statement"],
             {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}))),
         "s3-bucket-policy-not-public"),
    flip("bucket owner is the writer", st.just("ObjectWriter"), edit("bucket-ownership", "rule", "objectOwnership"),
         "s3-ownership-not-object-writer"),
    # backups
    flip("short rds backups", st.integers(0, 6), edit("database", "backupRetentionPeriod"), "rds-backup-retention"),
    flip("no cache snapshots", st.just(0), edit("cache", "snapshotRetentionLimit"), "elasticache-snapshot-retention"),
    flip("table without pitr", NOT_TRUE, edit("table", "pointInTimeRecovery", "enabled"),
         "dynamodb-point-in-time-recovery"),
    flip("short backup plan", st.integers(1, 6), edit("backup-plan", "rules", 0, "lifecycle", "deleteAfter"),
         "backup-plan-retention"),
    flip("bucket versioning suspended", st.sampled_from(["Suspended", "Disabled"]),
         edit("bucket-versioning", "versioningConfiguration", "status"), "s3-data-bucket-versioning"),
    # security groups
    flip("public port", OTHER_PORTS,
         lambda s, port: with_inputs(s, "edge-https", lambda i: i.update(fromPort=port, toPort=port)),
         "sg-public-ingress-only-on-public-ports"),
    flip("admin from elsewhere", OUTSIDE_ADMIN, edit("backend-admin", "cidrIpv4"), "sg-admin-ports-from-admin-cidrs"),
    flip("database from a cidr", PRIVATE_CIDRS, _database_rule_from_cidr,
         "sg-data-ports-from-security-groups-only", "sg-data-tier-admits-only-backend"),
    flip("all traffic", st.sampled_from(["-1", "all"]), edit("backend-from-edge", "ipProtocol"),
         "sg-no-all-traffic-ingress"),
    flip("all ports", st.integers(0, 1),
         lambda s, low: with_inputs(s, "backend-from-edge", lambda i: i.update(fromPort=low, toPort=65535)),
         "sg-no-all-traffic-ingress"),
    flip("database from the edge", st.sampled_from(["edge-sg", "cache-sg", "database-sg"]),
         _retarget_database_rule, "sg-data-tier-admits-only-backend"),
    # exposure
    flip("public database", st.sampled_from([True, "true"]), edit("database", "publiclyAccessible"),
         "rds-not-publicly-accessible"),
    flip("bucket access block off", st.sampled_from(["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                                     "restrictPublicBuckets"]),
         lambda s, flag: with_inputs(s, "bucket-public-access-block", setter(flag, value=False)),
         "s3-public-access-blocked", "s3-public-access-block-complete"),
    flip("public acl", st.sampled_from(["public-read", "public-read-write", "authenticated-read"]), _public_acl,
         "s3-no-public-acl"),
    flip("imdsv1", st.sampled_from(["optional", None]), edit("launch-template", "metadataOptions", "httpTokens"),
         "ec2-imdsv2-required"),
    flip("template public ip", st.sampled_from(["true", True]),
         edit("launch-template", "networkInterfaces", 0, "associatePublicIpAddress"), "ec2-no-public-ip"),
    flip("subnet public ip", st.sampled_from([True, "true"]), edit("subnet", "mapPublicIpOnLaunch"),
         "ec2-no-public-ip-from-subnet"),
    flip("task public ip", st.just(True), edit("service", "networkConfiguration", "assignPublicIp"),
         "ecs-no-public-ip"),
    flip("cdn without waf", st.sampled_from([None, ""]), edit("cdn", "webAclId"), "cloudfront-waf-attached"),
    # containers, keys and secrets, audit logging
    flip("privileged container", st.just(True), _edit_container("privileged"), "ecs-task-no-privileged-containers"),
    flip("writable root", NOT_TRUE, _edit_container("readonlyRootFilesystem"), "ecs-task-read-only-root-filesystem"),
    flip("password in environment", st.sampled_from(["DB_PASSWORD", "API_TOKEN"]), _edit_container(
        "environment", lambda name: [{"name": name, "value": "x"}]), "ecs-task-no-plaintext-secrets"),
    flip("no scan on push", NOT_TRUE, edit("repository", "imageScanningConfiguration", "scanOnPush"), "ecr-scan-on-push"),
    flip("mutable tags", st.sampled_from(["MUTABLE", None]), edit("repository", "imageTagMutability"),
         "ecr-immutable-tags"),
    flip("key not rotated", NOT_TRUE, edit("key", "enableKeyRotation"), "kms-key-rotation"),
    flip("secret not rotated", st.just(None), lambda s, _: without(s, "secret-rotation"), "secrets-rotated"),
    flip("alb without logs", NOT_TRUE, edit("alb", "accessLogs", "enabled"), "alb-access-logs"),
    flip("alb deletable", NOT_TRUE, edit("alb", "enableDeletionProtection"), "alb-deletion-protection"),
    flip("cdn without logs", st.just(None), drop("cdn", "loggingConfig"), "cloudfront-access-logging"),
    flip("waf without logs", st.just(None), lambda s, _: without(s, "web-acl-logging"), "waf-logging"),
    # serverless: Lambda, API Gateway, DynamoDB, RDS Proxy, CodeDeploy
    flip("invoke grant without source", st.sampled_from(["sourceArn"]), drop("function-permission", "sourceArn"),
         "lambda-permission-not-public"),
    flip("open function url", st.just("NONE"), edit("function-url", "authorizationType"), "lambda-function-url-auth"),
    flip("function untraced", st.sampled_from(["PassThrough", None]), edit("function", "tracingConfig", "mode"),
         "lambda-tracing-active"),
    flip("function logs kept forever", st.sampled_from([None, 0]), edit("function-logs", "retentionInDays"),
         "lambda-log-group-retention"),
    flip("password in function environment", st.sampled_from(["DB_PASSWORD", "STRIPE_API_KEY"]),
         lambda s, name: with_inputs(s, "function", setter("environment", "variables", name, value="hunter2")),
         "lambda-no-plaintext-secrets"),
    flip("deprecated runtime", st.sampled_from(["python3.8", "nodejs16.x", "go1.x"]), edit("function", "runtime"),
         "lambda-supported-runtime"),
    flip("stage without access logs", st.just(None), drop("api-stage", "accessLogSettings"),
         "apigateway-access-logging"),
    flip("stage unthrottled", st.sampled_from([-1, None]), edit("api-throttling", "settings", "throttlingRateLimit"),
         "apigateway-throttling"),
    flip("domain on tls 1.0", st.sampled_from(["TLS_1_0", None]), edit("api-domain", "securityPolicy"),
         "apigateway-domain-tls12"),
    flip("stage untraced", NOT_TRUE, edit("api-stage", "xrayTracingEnabled"), "apigateway-xray-tracing"),
    flip("table on the aws key", st.just(None), drop("table", "serverSideEncryption", "kmsKeyArn"),
         "dynamodb-customer-managed-key"),
    flip("proxy without tls", NOT_TRUE, edit("db-proxy", "requireTls"), "rds-proxy-requires-tls"),
    flip("proxy with passwords", st.sampled_from(["DISABLED", None]), edit("db-proxy", "auths", 0, "iamAuth"),
         "rds-proxy-iam-auth"),
    flip("rollout without alarm rollback", st.sampled_from([["DEPLOYMENT_FAILURE"], []]),
         edit("function-rollout", "autoRollbackConfiguration", "events"), "codedeploy-auto-rollback"),
    # data protection
    flip("unprotected database", st.sampled_from(["database", "cache", "bucket", "table", "vault"]),
         lambda s, key: with_options(s, key, protect=False), "stateful-resources-protected"),
    flip("database deletable", NOT_TRUE, edit("database", "deletionProtection"), "deletion-protection-enabled"),
    flip("bucket force destroy", st.sampled_from(["bucket", "vault"]),
         lambda s, key: with_inputs(s, key, setter("forceDestroy", value=True)), "deletion-protection-enabled"),
    flip("no final snapshot", st.sampled_from([("skipFinalSnapshot", True), ("finalSnapshotIdentifier", None)]),
         lambda s, change: with_inputs(s, "database", setter(change[0], value=change[1])), "final-snapshot-kept"),
    # budget: 400 GB of single-AZ gp3 in Seoul is over $50 a month by itself
    flip("database storage over budget", st.integers(400, 4000), edit("database", "allocatedStorage"),
         "monthly-budget"),
    # tagging
    flip("default tag missing", st.sampled_from(["Project", "Stack", "ManagedBy"]),
         lambda s, tag: with_inputs(s, "provider", setter("defaultTags", value=s["provider"].inputs[
             "defaultTags"].replace(f'"{tag}"', '"Other"'))), "required-tags"),
]


def test_the_base_stack_passes_every_policy():
    assert evaluate(plan_of(BASE), PACK_CONFIG) == []


def test_every_policy_has_a_flip():
    assert {name for f in FLIPS for name in f.expected} == {p.name for p in ALL_POLICIES}


@pytest.mark.parametrize("case", FLIPS, ids=[f.name for f in FLIPS])
@FAST
@given(data=st.data())
def test_flipping_one_property_fires_the_matching_policy(case: Flip, data):
    value = data.draw(case.values, label="value")
    fired = {v.policy for v in evaluate(plan_of(case.apply(BASE, value)), PACK_CONFIG)}
    assert fired == case.expected


# ---- one rule, any port and source, in any of the four ways to write it ----

ANYWHERE = st.sampled_from(["0.0.0.0/0", "::/0"])
SOURCES = st.one_of(ANYWHERE, PRIVATE_CIDRS, st.just(ADMIN_CIDR))
FORMS = st.sampled_from(["inline", "vpc-rule", "ec2-rule"])


def _one_rule(form: str, port: int, cidr: str):
    family = "ipv6CidrBlocks" if ":" in cidr else "cidrBlocks"
    if form == "inline":
        return res(aws.SECURITY_GROUP, {"ingress": [{"protocol": "tcp", "fromPort": port, "toPort": port,
                                                     family: [cidr]}]})
    if form == "ec2-rule":
        return res(aws.SECURITY_GROUP_RULE, {"type": "ingress", "protocol": "tcp", "fromPort": port,
                                             "toPort": port, family: [cidr], "securityGroupId": "sg-1"})
    return res(aws.SECURITY_GROUP_INGRESS_RULE, {"ipProtocol": "tcp", "fromPort": port, "toPort": port,
                                                 "cidrIpv6" if ":" in cidr else "cidrIpv4": cidr,
                                                 "securityGroupId": "sg-1"})


@settings(max_examples=50, deadline=None)
@given(form=FORMS, port=st.integers(1, 65535), cidr=SOURCES)
def test_security_group_policies_agree_with_the_rules_they_state(form, port, cidr):
    plan = plan_of({"rule": _one_rule(form, port, cidr)})
    fired = {v.policy for v in evaluate(plan, PACK_CONFIG) if v.policy.startswith("sg-")}
    expected = set()
    if cidr.endswith("/0") and port not in (80, 443):
        expected.add("sg-public-ingress-only-on-public-ports")
    if port in (22, 3389) and cidr != ADMIN_CIDR:
        expected.add("sg-admin-ports-from-admin-cidrs")
    if port in (5432, 3306, 6379, 11211):
        expected.add("sg-data-ports-from-security-groups-only")
    assert fired == expected
