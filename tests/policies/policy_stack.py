"""A scaled-tier stack that passes every policy, by name, for flip-one-property tests."""
from __future__ import annotations

import copy
import json
import dataclasses
from typing import Any, Callable

from policy_kit import (TAGS, api_stage, bucket_with, deployment_group, distribution, dynamodb_table,
                        function_log_group, http_redirect_listener, https_listener, ingress_rule, instance,
                        lambda_function, launch_template, method_settings, pg_parameter_group, rds_instance,
                        rds_proxy, replication_group, res, security_group)
from preview.plan import Plan, PlannedResource

from policies import _aws as aws

ADMIN_CIDR = "203.0.113.0/24"
# Stack config under which the compliant stack passes: the defaults, plus an admin network.
PACK_CONFIG = {"sg-admin-ports-from-admin-cidrs": {"adminCidrs": [ADMIN_CIDR]},
               "monthly-budget": {"maxMonthlyUsd": 50}}  # the compliant stack's estimate is ~$4


def compliant_stack() -> dict[str, PlannedResource]:
    provider = res(aws.AWS_PROVIDER, {"region": "ap-northeast-2",
                                      "defaultTags": '{"tags": {"Project": "webstack", "Stack": "test", '
                                                     '"ManagedBy": "pulumi"}}'}, name="aws", id="prov-1")
    stack: dict[str, PlannedResource] = {"provider": provider}

    def add(key: str, resource_type: str, props: dict, **options: Any) -> PlannedResource:
        stack[key] = res(resource_type, props, name=key, provider=provider, **options)
        return stack[key]

    subnet = add("subnet", aws.SUBNET, {"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/24", "mapPublicIpOnLaunch": False})
    add("instance", aws.EC2_INSTANCE, instance(subnetId=subnet.id), deps={"subnetId": [subnet]})
    edge = add("edge-sg", aws.SECURITY_GROUP, security_group("edge"), id="sg-edge")
    backend = add("backend-sg", aws.SECURITY_GROUP, security_group("backend"), id="sg-backend")
    database = add("database-sg", aws.SECURITY_GROUP, security_group("database"), id="sg-database")
    cache = add("cache-sg", aws.SECURITY_GROUP, security_group("cache"), id="sg-cache")
    rules = {"edge-https": (edge, {"cidr": "0.0.0.0/0", "port": 443}),
             "backend-from-edge": (backend, {"source": edge, "port": 8080}),
             "backend-admin": (backend, {"cidr": ADMIN_CIDR, "port": 22}),
             "database-from-backend": (database, {"source": backend, "port": 5432}),
             "cache-from-backend": (cache, {"source": backend, "port": 6379})}
    for key, (target, rule) in rules.items():
        stack[key] = ingress_rule(target, name=key, provider=provider, **rule)

    group = add("db-parameters", aws.RDS_PARAMETER_GROUP, pg_parameter_group())
    add("database", aws.RDS_INSTANCE, rds_instance(parameterGroupName="app-pg16"), protect=True,
        deps={"parameterGroupName": [group]})
    add("cache", aws.CACHE_REPLICATION_GROUP, replication_group(), protect=True)

    bucket, encryption, public_access_block, versioning, policy = bucket_with(
        res(aws.BUCKET, {"bucketPrefix": "assets-", "forceDestroy": False}, name="bucket",
            protect=True, provider=provider))
    stack.update({"bucket": bucket, "bucket-encryption": encryption,
                  "bucket-public-access-block": public_access_block, "bucket-versioning": versioning,
                  "bucket-policy": policy})

    add("volume", aws.EBS_VOLUME, {"availabilityZone": "ap-northeast-2a", "size": 20, "encrypted": True})
    add("launch-template", aws.EC2_LAUNCH_TEMPLATE, launch_template(
        networkInterfaces=[{"deviceIndex": 0, "associatePublicIpAddress": "false"}]))
    add("service", aws.ECS_SERVICE, {"networkConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": False,
                                                              "securityGroups": ["sg-backend"]}})
    https = add("https-listener", aws.LISTENERS[0], https_listener())
    http = add("http-listener", aws.LISTENERS[0], http_redirect_listener())
    add("http-rule", aws.LISTENER_RULES[0], {"listenerArn": http.id, "priority": 1, "actions": [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "statusCode": "HTTP_301"}}]},
        deps={"listenerArn": [http]})
    add("https-rule", aws.LISTENER_RULES[0], {"listenerArn": https.id, "priority": 1,
                                              "actions": [{"type": "forward", "targetGroupArn": "arn:tg"}]},
        deps={"listenerArn": [https]})
    add("cdn", aws.DISTRIBUTION, distribution())
    add("table", aws.DYNAMODB_TABLE, dynamodb_table(), protect=True)
    add("topic", aws.SNS_TOPIC, {"name": "alerts", "kmsMasterKeyId": "alias/aws/sns"})
    add("logs", aws.LOG_GROUP, {"retentionInDays": 30, "kmsKeyId": "arn:aws:kms:ap-northeast-2:1:key/k"})
    add("vault", aws.BACKUP_VAULT, {"name": "vault", "kmsKeyArn": "arn:aws:kms:ap-northeast-2:1:key/k"},
        protect=True)
    add("bucket-ownership", aws.BUCKET_OWNERSHIP_CONTROLS, {"bucket": bucket.id,
                                                            "rule": {"objectOwnership": "BucketOwnerEnforced"}},
        deps={"bucket": [bucket]})
    add("task", aws.ECS_TASK_DEFINITION, {"family": "app", "containerDefinitions": json.dumps([
        {"name": "app", "image": "app:1", "readonlyRootFilesystem": True,
         "environment": [{"name": "DATABASE_HOST", "value": "db.internal"}],
         "secrets": [{"name": "DATABASE_PASSWORD", "valueFrom": "arn:aws:secretsmanager:r:1:secret:db"}]}])})
    add("repository", aws.ECR_REPOSITORY, {"name": "app", "imageScanningConfiguration": {"scanOnPush": True},
                                           "imageTagMutability": "IMMUTABLE"})
    add("key", aws.KMS_KEY, {"description": "data", "enableKeyRotation": True})
    secret = add("secret", aws.SECRET, {"namePrefix": "app/"})
    add("secret-rotation", aws.SECRET_ROTATION, {"secretId": secret.id, "rotationRules": {"automaticallyAfterDays": 30}},
        deps={"secretId": [secret]})
    add("alb", aws.LOAD_BALANCERS[0], {"loadBalancerType": "application", "enableDeletionProtection": True,
                                       "accessLogs": {"enabled": True, "bucket": "logs", "prefix": "alb"}})
    acl = add("web-acl", aws.WEB_ACL, {"scope": "CLOUDFRONT", "defaultAction": {"allow": {}}})
    add("web-acl-logging", aws.WEB_ACL_LOGGING, {"resourceArn": acl.id, "logDestinationConfigs": ["arn:logs"]},
        deps={"resourceArn": [acl]})
    add("backup-plan", aws.BACKUP_PLAN, {"name": "daily", "rules": [
        {"ruleName": "daily", "targetVaultName": "vault", "schedule": "cron(0 17 * * ? *)",
         "lifecycle": {"deleteAfter": 35}}]})
    _add_serverless(add)
    return stack


def _add_serverless(add: Callable[..., PlannedResource]) -> None:
    """The serverless tier's resources, each passing the policies that judge its type."""
    add("function-logs", aws.LOG_GROUP, function_log_group())
    function = add("function", aws.LAMBDA_FUNCTION, lambda_function())
    add("function-permission", aws.LAMBDA_PERMISSION, {
        "action": "lambda:InvokeFunction", "function": function.id, "principal": "apigateway.amazonaws.com",
        "sourceArn": "arn:aws:execute-api:ap-northeast-2:123456789012:api-1/*/*"}, deps={"function": [function]})
    add("function-url", aws.LAMBDA_FUNCTION_URL, {"functionName": function.id, "authorizationType": "AWS_IAM"})
    stage = add("api-stage", aws.API_STAGE, api_stage())
    add("api-throttling", aws.API_METHOD_SETTINGS, method_settings(), deps={"stageName": [stage]})
    add("api-domain", aws.API_DOMAIN_NAME, {"domainName": "api.example.com", "securityPolicy": "TLS_1_2",
                                            "regionalCertificateArn": "arn:aws:acm:ap-northeast-2:1:certificate/c"})
    add("db-proxy", aws.RDS_PROXY, rds_proxy())
    add("function-rollout", aws.CODEDEPLOY_DEPLOYMENT_GROUP, deployment_group())


def plan_of(stack: dict[str, PlannedResource]) -> Plan:
    return Plan("test", list(stack.values()))


def with_inputs(stack: dict, key: str, change: Callable[[dict], None], **options: Any) -> dict:
    """A copy of the stack where `change` edited a deep copy of `key`'s inputs."""
    inputs = copy.deepcopy(dict(stack[key].inputs))
    change(inputs)
    return {**stack, key: dataclasses.replace(stack[key], inputs=inputs, **options)}


def with_options(stack: dict, key: str, **options: Any) -> dict:
    return {**stack, key: dataclasses.replace(stack[key], **options)}


def without(stack: dict, key: str) -> dict:
    return {k: v for k, v in stack.items() if k != key}


def setter(*path: Any, value: Any = None, delete: bool = False) -> Callable[[dict], None]:
    """Sets (or deletes) the value at a nested path of an inputs dict."""
    def change(inputs: dict) -> None:
        target = inputs
        for step in path[:-1]:
            target = target[step]
        if delete:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return change


__all__ = ["ADMIN_CIDR", "PACK_CONFIG", "TAGS", "compliant_stack", "plan_of", "setter", "with_inputs",
           "with_options", "without"]
