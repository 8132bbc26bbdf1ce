"""Unknown-robust: a violation provable from the known values is reported even when other values
of the resource are unknown (as in a `pulumi preview` of a new stack), one case per policy that
reads more than one property; and unknown values alone never make a mandatory violation."""
import json

import pytest
from policy_kit import UNKNOWN as U
from policy_kit import bucket_with, fires, res, run, security_group

from policies import _aws as aws

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
OPEN_SSH = {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}
ALL_TRAFFIC = {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["10.0.0.0/8"]}

PROVABLE = {  # name: (policy, type, props, what the message says)
    "cache at rest off, engine unknown": ("elasticache-encrypted-at-rest", aws.CACHE_REPLICATION_GROUP,
                                          {"atRestEncryptionEnabled": False, "engine": U}, "atRestEncryptionEnabled"),
    "cache at rest unset on redis, flag unknown elsewhere": (
        "elasticache-encrypted-at-rest", aws.CACHE_REPLICATION_GROUP,
        {"engine": "redis", "transitEncryptionEnabled": U, "nodeType": U}, "atRestEncryptionEnabled"),
    "cache tls off, mode unknown": ("elasticache-encrypted-in-transit", aws.CACHE_REPLICATION_GROUP,
                                    {"transitEncryptionEnabled": False, "transitEncryptionMode": U}, "transitEncryption"),
    "root volume plain, other devices unknown": ("ebs-encrypted", aws.EC2_INSTANCE,
                                                 {"rootBlockDevice": {"encrypted": False}, "ebsBlockDevices": U},
                                                 "rootBlockDevice"),
    "one device plain, the next unknown": ("ebs-encrypted", aws.EC2_INSTANCE,
                                           {"rootBlockDevice": U, "ebsBlockDevices": [{"encrypted": False}, U]},
                                           "ebsBlockDevices[0]"),
    "template mapping plain, the next unknown": ("ebs-encrypted", aws.EC2_LAUNCH_TEMPLATE,
                                                 {"blockDeviceMappings": [{"ebs": {"encrypted": "false"}}, U]},
                                                 "blockDeviceMappings[0].ebs"),
    "public canned acl, grants unknown": ("s3-no-public-acl", aws.BUCKET_ACL[0],
                                          {"acl": "public-read", "accessControlPolicy": U, "bucket": U}, "public-read"),
    "public grant, the next unknown": ("s3-no-public-acl", aws.BUCKET_ACL[0],
                                       {"acl": U, "accessControlPolicy": {"grants": [{"grantee": {"uri": ALL_USERS}}, U]}},
                                       "AllUsers"),
    "http listener forwards, next action unknown": ("alb-listener-https", aws.LISTENERS[0],
                                                    {"protocol": "HTTP", "defaultActions": [{"type": "forward"}, U]},
                                                    "HTTP listener"),
    "old tls policy, actions unknown": ("alb-listener-https", aws.LISTENERS[1],
                                        {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08",
                                         "defaultActions": U, "certificateArn": U}, "sslPolicy"),
    "viewer http, other behaviors unknown": ("cloudfront-viewer-https", aws.DISTRIBUTION,
                                             {"defaultCacheBehavior": {"viewerProtocolPolicy": "allow-all",
                                                                       "targetOriginId": U},
                                              "orderedCacheBehaviors": U, "viewerCertificate": U}, "allow-all"),
    "old viewer tls, behaviors unknown": ("cloudfront-viewer-https", aws.DISTRIBUTION,
                                          {"defaultCacheBehavior": U, "viewerCertificate": {
                                              "acmCertificateArn": U, "minimumProtocolVersion": "TLSv1"}}, "TLSv1"),
    "origin match-viewer, domain unknown": ("cloudfront-origin-https", aws.DISTRIBUTION,
                                            {"origins": [{"domainName": U, "customOriginConfig": {
                                                "originProtocolPolicy": "match-viewer"}}, U]}, "match-viewer"),
    "origin weak tls, domain unknown": ("cloudfront-origin-https", aws.DISTRIBUTION,
                                        {"origins": [{"domainName": U, "customOriginConfig": {
                                            "originProtocolPolicy": U, "originSslProtocols": ["TLSv1", U]}}]}, "TLSv1"),
    "template public ip, next interface unknown": ("ec2-no-public-ip", aws.EC2_LAUNCH_TEMPLATE,
                                                   {"networkInterfaces": [{"associatePublicIpAddress": "true"}, U],
                                                    "imageId": U}, "networkInterfaces[0]"),
    "eip on an instance not created yet": ("ec2-no-public-ip", aws.EIP, {"instance": U, "domain": "vpc"}, "Elastic IP"),
    "short rds backups, engine unknown": ("rds-backup-retention", aws.RDS_INSTANCE,
                                          {"backupRetentionPeriod": 1, "engine": U, "engineVersion": U}, "1"),
    "short cache snapshots, engine unknown": ("elasticache-snapshot-retention", aws.CACHE_REPLICATION_GROUP,
                                              {"snapshotRetentionLimit": 0, "engine": U}, "snapshotRetentionLimit"),
    "table without pitr, replicas unknown": ("dynamodb-point-in-time-recovery", aws.DYNAMODB_TABLE,
                                             {"pointInTimeRecovery": {"enabled": False}, "replicas": U}, "enabled"),
    "replica without pitr, table's unknown": ("dynamodb-point-in-time-recovery", aws.DYNAMODB_TABLE,
                                              {"pointInTimeRecovery": U, "replicas": [{"pointInTimeRecovery": False}, U]},
                                              "replicas[0]"),
    "short backup rule, next rule unknown": ("backup-plan-retention", aws.BACKUP_PLAN,
                                             {"rules": [{"lifecycle": {"deleteAfter": 1}}, U], "name": U}, "rules[0]"),
    "open ssh rule, next rule unknown": ("sg-admin-ports-from-admin-cidrs", aws.SECURITY_GROUP,
                                         {"ingress": [OPEN_SSH, U], "vpcId": U}, "ingress[0]"),
    "ssh open to the world, next rule unknown": ("sg-public-ingress-only-on-public-ports", aws.SECURITY_GROUP,
                                                 {"ingress": [OPEN_SSH, U], "vpcId": U}, "ingress[0]"),
    "all traffic, next rule unknown": ("sg-no-all-traffic-ingress", aws.SECURITY_GROUP,
                                       {"ingress": [U, ALL_TRAFFIC]}, "ingress[1]"),
    "database port from a cidr, group unknown": ("sg-data-ports-from-security-groups-only",
                                                 aws.SECURITY_GROUP_INGRESS_RULE,
                                                 {"securityGroupId": U, "ipProtocol": "tcp", "fromPort": 5432,
                                                  "toPort": 5432, "cidrIpv4": "10.0.0.0/8"}, "5432"),
    "final snapshot skipped, identifier unknown": ("final-snapshot-kept", aws.RDS_INSTANCE,
                                                   {"skipFinalSnapshot": True, "finalSnapshotIdentifier": U}, "skip"),
    "deletion protection off, tags unknown": ("deletion-protection-enabled", aws.RDS_INSTANCE,
                                              {"deletionProtection": False, "tags": U}, "deletionProtection"),
    "public access block flag off, bucket unknown": ("s3-public-access-block-complete", aws.BUCKET_PUBLIC_ACCESS_BLOCK,
                                                     {"bucket": U, "blockPublicAcls": False, "blockPublicPolicy": U,
                                                      "ignorePublicAcls": True, "restrictPublicBuckets": True},
                                                     "blockPublicAcls"),
    "alb logs off, bucket unknown": ("alb-access-logs", aws.LOAD_BALANCERS[0],
                                     {"accessLogs": {"enabled": False, "bucket": U}, "subnets": U}, "enabled"),
    "mutable tags, scanning unknown": ("ecr-immutable-tags", aws.ECR_REPOSITORY,
                                       {"imageTagMutability": "MUTABLE", "imageScanningConfiguration": U}, "MUTABLE"),
    "key not rotated, spec unknown": ("kms-key-rotation", aws.KMS_KEY,
                                      {"enableKeyRotation": False, "customerMasterKeySpec": None, "policy": U},
                                      "enableKeyRotation"),
    "invoke grant to anyone, function unknown": ("lambda-permission-not-public", aws.LAMBDA_PERMISSION,
                                                 {"principal": "*", "function": U, "action": U}, "'*'"),
    "password in the environment, next value unknown": (
        "lambda-no-plaintext-secrets", aws.LAMBDA_FUNCTION,
        {"environment": {"variables": {"DB_PASSWORD": "hunter2", "DB_SECRET_ARN": U}}, "role": U}, "DB_PASSWORD"),
    "stage without log destination, format unknown": ("apigateway-access-logging", aws.API_STAGE,
                                                      {"accessLogSettings": {"destinationArn": None, "format": U},
                                                       "restApi": U}, "destinationArn"),
    "table on the aws key, replicas unknown": ("dynamodb-customer-managed-key", aws.DYNAMODB_TABLE,
                                               {"serverSideEncryption": {"enabled": True}, "replicas": U},
                                               "serverSideEncryption.kmsKeyArn"),
    "proxy auth without iam, next auth unknown": ("rds-proxy-iam-auth", aws.RDS_PROXY,
                                                  {"defaultAuthScheme": None, "auths": [{"iamAuth": "DISABLED"}, U]},
                                                  "auths[0]"),
    "rollback without the alarm event, alarms unknown": (
        "codedeploy-auto-rollback", aws.CODEDEPLOY_DEPLOYMENT_GROUP,
        {"autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}, "alarmConfiguration": U},
        "DEPLOYMENT_STOP_ON_ALARM"),
}


@pytest.mark.parametrize("case", PROVABLE)
def test_a_violation_provable_from_known_values_is_reported(case):
    policy, resource_type, props, says = PROVABLE[case]
    found = fires(policy, res(resource_type, props), says=says)
    assert not [v for v in found if v.message.startswith("can't run")]


def test_stack_policies_judge_what_they_know():
    """The bucket with no TLS deny is reported though another bucket's policy is unknown (a policy
    whose bucket is unknown could be anyone's: that one would prove nothing)."""
    known_bucket, *known_parts = bucket_with(tls_policy=False)
    other, *other_parts = bucket_with(tls_policy=False)
    unknown_policy = res(aws.BUCKET_POLICY, {"bucket": other.id, "policy": U}, deps={"bucket": [other]})
    fires("s3-bucket-policy-requires-tls", known_bucket, *known_parts, other, *other_parts, unknown_policy,
          on=[known_bucket])


# An EIP whose `instance` is unknown is still attached to an instance: that one stays provable.
@pytest.mark.parametrize("case", [case for case, (_, kind, _, _) in PROVABLE.items() if kind != aws.EIP])
def test_unknown_values_alone_prove_nothing(case):
    """The same resources with every value unknown: no mandatory violation (at most the CLI's
    advisory "can't run")."""
    policy, resource_type, props, _ = PROVABLE[case]
    found = run(policy, res(resource_type, {key: U for key in props}))
    assert not [v for v in found if v.mandatory], [v.message for v in found]


def test_an_http_only_origin_whose_domain_is_unknown_is_not_proven():
    """Decided: an unknown domain may be an S3 website endpoint (its `website_endpoint` output is
    unknown until the bucket exists), which speaks HTTP only; once known, it is judged."""
    origin = {"customOriginConfig": {"originProtocolPolicy": "http-only", "originSslProtocols": ["TLSv1.2"]}}
    assert run("cloudfront-origin-https", res(aws.DISTRIBUTION, {"origins": [{**origin, "domainName": U}]})) == []
    fires("cloudfront-origin-https", res(aws.DISTRIBUTION, {"origins": [{**origin, "domainName": "api.example.com"}]}))


def test_a_bucket_whose_role_tag_is_unknown_is_not_proven_a_data_bucket():
    bucket = res(aws.BUCKET, {"tags": {"Role": U}})
    assert run("s3-data-bucket-versioning", bucket) == []
    assert run("stateful-resources-protected", bucket) == []


def test_a_task_definition_whose_containers_are_unknown_proves_nothing():
    assert run("ecs-task-no-privileged-containers", res(aws.ECS_TASK_DEFINITION, {"containerDefinitions": U})) == []
    privileged = json.dumps([{"name": "app", "privileged": True}])
    fires("ecs-task-no-privileged-containers", res(aws.ECS_TASK_DEFINITION, {"containerDefinitions": privileged,
                                                                          "executionRoleArn": U}))


@pytest.mark.parametrize("policy, resource_type, props", [
    ("kms-key-at-rest", aws.LOG_GROUP, {"kmsKeyId": U, "retentionInDays": 30}),
    ("kms-key-at-rest", aws.SNS_TOPIC, {"kmsMasterKeyId": U}),
    ("cloudfront-waf-attached", aws.DISTRIBUTION, {"webAclId": U}),
    ("final-snapshot-kept", aws.RDS_INSTANCE, {"skipFinalSnapshot": False, "finalSnapshotIdentifier": U}),
])
def test_a_value_not_known_yet_is_still_set(policy, resource_type, props):
    """A key, web ACL or snapshot name created in the same update is unknown in preview, but set:
    neither a violation nor a "can't run"."""
    assert run(policy, res(resource_type, props)) == []
