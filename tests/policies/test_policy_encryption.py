"""Encryption at rest: each policy against every way of writing the resource, and its neighbours."""
import pytest
from policy_kit import (UNKNOWN, bucket_with, dynamodb_table, fires, instance, launch_template,
                        passes, rds_cluster, rds_instance, replication_group, res)

from policies import _aws as aws

# ---- rds-storage-encrypted ----


@pytest.mark.parametrize("resource_type, props", [
    (aws.RDS_INSTANCE, rds_instance()), (aws.RDS_CLUSTER, rds_cluster())])
def test_rds_storage_encrypted_passes(resource_type, props):
    passes("rds-storage-encrypted", res(resource_type, props))


@pytest.mark.parametrize("resource_type, props", [
    (aws.RDS_INSTANCE, rds_instance(storageEncrypted=False)),
    (aws.RDS_INSTANCE, {k: v for k, v in rds_instance().items() if k != "storageEncrypted"}),
    (aws.RDS_CLUSTER, rds_cluster(storageEncrypted=False)),
    (aws.RDS_CLUSTER, {k: v for k, v in rds_cluster().items() if k != "storageEncrypted"}),
])
def test_rds_storage_encrypted_fires(resource_type, props):
    fires("rds-storage-encrypted", res(resource_type, props), says="storageEncrypted")


def test_rds_storage_encrypted_ignores_other_resources():
    passes("rds-storage-encrypted", res(aws.EBS_VOLUME, {"storageEncrypted": False}),
           res(aws.RDS_CLUSTER_INSTANCE, {"clusterIdentifier": "c"}))


# ---- elasticache-encrypted-at-rest ----


@pytest.mark.parametrize("resource_type, props", [
    (aws.CACHE_REPLICATION_GROUP, replication_group()),
    (aws.CACHE_REPLICATION_GROUP, {"engine": "valkey", "description": "valkey defaults to encrypted"}),
    (aws.CACHE_CLUSTER, {"replicationGroupId": "webstack-redis"}),
    (aws.CACHE_SERVERLESS, {"engine": "valkey", "name": "always-encrypted"}),
])
def test_elasticache_encrypted_at_rest_passes(resource_type, props):
    passes("elasticache-encrypted-at-rest", res(resource_type, props))


@pytest.mark.parametrize("resource_type, props, says", [
    (aws.CACHE_REPLICATION_GROUP, replication_group(atRestEncryptionEnabled=False), "atRestEncryptionEnabled"),
    (aws.CACHE_REPLICATION_GROUP, {"engine": "redis", "description": "defaults off"}, "atRestEncryptionEnabled"),
    (aws.CACHE_REPLICATION_GROUP, {"engine": "valkey", "atRestEncryptionEnabled": False}, "atRestEncryptionEnabled"),
    (aws.CACHE_CLUSTER, {"engine": "redis", "nodeType": "cache.t3.micro", "numCacheNodes": 1}, "standalone"),
    (aws.CACHE_CLUSTER, {"engine": "memcached", "numCacheNodes": 2}, "standalone"),
])
def test_elasticache_encrypted_at_rest_fires(resource_type, props, says):
    fires("elasticache-encrypted-at-rest", res(resource_type, props), says=says)


# ---- s3-bucket-encrypted ----


def test_s3_bucket_encrypted_passes_with_the_separate_configuration():
    passes("s3-bucket-encrypted", *bucket_with())


def test_s3_bucket_encrypted_follows_the_bucket_id_without_dependencies():
    bucket = res(aws.BUCKET, {"bucket": "named-bucket"})
    config = res(aws.BUCKET_ENCRYPTION[1], {"bucket": "named-bucket", "rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "alias/s3"}}]})
    passes("s3-bucket-encrypted", bucket, config)


@pytest.mark.parametrize("resource_type, props", [
    (aws.BUCKET, {"serverSideEncryptionConfiguration": {
        "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}}),
    (aws.BUCKET_V2, {"serverSideEncryptionConfigurations": [{"rules": [
        {"applyServerSideEncryptionByDefaults": [{"sseAlgorithm": "aws:kms:dsse"}]}]}]}),
])
def test_s3_bucket_encrypted_accepts_inline_configuration(resource_type, props):
    passes("s3-bucket-encrypted", res(resource_type, props))


def test_s3_bucket_encrypted_fires_without_configuration():
    bucket, *_ = parts = bucket_with(encryption=False)
    fires("s3-bucket-encrypted", *parts, on=[bucket], says="server-side encryption")


@pytest.mark.parametrize("resource_type", aws.BUCKETS)
def test_s3_bucket_encrypted_fires_on_a_bare_bucket_of_either_type(resource_type):
    bucket = res(resource_type, {"bucketPrefix": "b-"})
    fires("s3-bucket-encrypted", bucket, on=[bucket])


def test_s3_bucket_encrypted_fires_on_the_bucket_another_bucket_s_configuration_does_not_cover():
    covered = bucket_with()
    uncovered = res(aws.BUCKET, {"bucketPrefix": "other-"})
    fires("s3-bucket-encrypted", *covered, uncovered, on=[uncovered])


def test_s3_bucket_encrypted_fires_on_an_unknown_algorithm():
    bucket = res(aws.BUCKET, {})
    config = res(aws.BUCKET_ENCRYPTION[0], {"bucket": bucket.id, "rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "none"}}]}, deps={"bucket": [bucket]})
    fires("s3-bucket-encrypted", bucket, config, on=[bucket])


def test_s3_bucket_encrypted_skips_a_bucket_when_a_configuration_target_is_unknown():
    bucket = res(aws.BUCKET, {})
    config = res(aws.BUCKET_ENCRYPTION[0], {"bucket": UNKNOWN, "rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]})
    passes("s3-bucket-encrypted", bucket, config)


# ---- ebs-encrypted ----


@pytest.mark.parametrize("resource_type, props", [
    (aws.EBS_VOLUME, {"availabilityZone": "ap-northeast-2a", "size": 20, "encrypted": True}),
    (aws.EC2_INSTANCE, instance()),
    (aws.EC2_INSTANCE, instance(ebsBlockDevices=[{"deviceName": "/dev/sdf", "encrypted": True}])),
    (aws.EC2_SPOT_INSTANCE, instance()),
    (aws.EC2_LAUNCH_CONFIGURATION, instance()),
    (aws.EC2_LAUNCH_TEMPLATE, launch_template()),
])
def test_ebs_encrypted_passes(resource_type, props):
    passes("ebs-encrypted", res(resource_type, props))


@pytest.mark.parametrize("resource_type, props, says", [
    (aws.EBS_VOLUME, {"availabilityZone": "ap-northeast-2a", "size": 20}, "the volume"),
    (aws.EBS_VOLUME, {"size": 20, "encrypted": False}, "the volume"),
    (aws.EC2_INSTANCE, instance(rootBlockDevice={"volumeSize": 20}), "rootBlockDevice"),
    (aws.EC2_INSTANCE, {k: v for k, v in instance().items() if k != "rootBlockDevice"}, "rootBlockDevice"),
    (aws.EC2_INSTANCE, instance(ebsBlockDevices=[{"deviceName": "/dev/sdf", "encrypted": True},
                                                 {"deviceName": "/dev/sdg"}]), "ebsBlockDevices[1]"),
    (aws.EC2_SPOT_INSTANCE, instance(rootBlockDevice={"encrypted": False}), "rootBlockDevice"),
    (aws.EC2_LAUNCH_CONFIGURATION, instance(rootBlockDevice={"encrypted": False}), "rootBlockDevice"),
    (aws.EC2_LAUNCH_TEMPLATE, launch_template(blockDeviceMappings=[
        {"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]), "blockDeviceMappings[0].ebs"),
    (aws.EC2_LAUNCH_TEMPLATE, launch_template(blockDeviceMappings=[]), "AMI"),
])
def test_ebs_encrypted_fires(resource_type, props, says):
    fires("ebs-encrypted", res(resource_type, props), says=says)


# ---- kms-key-at-rest ----

KMS_CASES = [
    (aws.DYNAMODB_TABLE, dynamodb_table(), dynamodb_table(serverSideEncryption={"enabled": False})),
    (aws.SNS_TOPIC, {"kmsMasterKeyId": "alias/aws/sns"}, {"name": "alerts"}),
    (aws.LOG_GROUP, {"kmsKeyId": "arn:aws:kms:ap-northeast-2:123456789012:key/k"}, {"retentionInDays": 30}),
    (aws.BACKUP_VAULT, {"kmsKeyArn": "arn:aws:kms:ap-northeast-2:123456789012:key/k"}, {"name": "v"}),
    (aws.BACKUP_AIR_GAPPED_VAULT, {"encryptionKeyArn": "arn:aws:kms:k", "minRetentionDays": 7,
                                   "maxRetentionDays": 35}, {"minRetentionDays": 7, "maxRetentionDays": 35}),
]


@pytest.mark.parametrize("resource_type, good, bad", KMS_CASES)
def test_kms_key_at_rest(resource_type, good, bad):
    passes("kms-key-at-rest", res(resource_type, good))
    fires("kms-key-at-rest", res(resource_type, bad), says="is not set")


def test_kms_key_at_rest_checks_only_the_configured_services():
    log_group = res(aws.LOG_GROUP, {"retentionInDays": 30})
    topic = res(aws.SNS_TOPIC, {"name": "alerts"})
    fires("kms-key-at-rest", log_group, topic, config={"services": ["sns", "dynamodb", "backup"]}, on=[topic])


def test_kms_key_at_rest_ignores_other_resources():
    passes("kms-key-at-rest", res(aws.RDS_INSTANCE, {"storageEncrypted": True}),
           res(aws.SECURITY_GROUP, {"description": "no key here"}))


def test_s3_bucket_encrypted_follows_dependencies_when_the_bucket_name_is_unknown():
    covered, uncovered = res(aws.BUCKET, {}), res(aws.BUCKET, {})
    config = res(aws.BUCKET_ENCRYPTION[0], {"bucket": UNKNOWN, "rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}, deps={"bucket": [covered]})
    fires("s3-bucket-encrypted", covered, uncovered, config, on=[uncovered])
