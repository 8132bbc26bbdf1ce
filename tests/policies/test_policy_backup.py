"""Backups: retention minimums (default and per stack), recovery, backup plans, bucket versioning."""
import pytest
from policy_kit import (TAGS, bucket_with, dynamodb_table, fires, passes, rds_cluster, rds_instance,
                        replication_group, res)

from policies import _aws as aws

# ---- rds-backup-retention ----


@pytest.mark.parametrize("resource_type, props", [
    (aws.RDS_INSTANCE, rds_instance(backupRetentionPeriod=7)),
    (aws.RDS_INSTANCE, rds_instance(backupRetentionPeriod=35)),
    (aws.RDS_CLUSTER, rds_cluster(backupRetentionPeriod=7)),
    (aws.RDS_INSTANCE, rds_instance(replicateSourceDb="webstack-postgres", backupRetentionPeriod=0)),
])
def test_rds_backup_retention_passes(resource_type, props):
    passes("rds-backup-retention", res(resource_type, props))


@pytest.mark.parametrize("resource_type, props, says", [
    (aws.RDS_INSTANCE, rds_instance(backupRetentionPeriod=6), "is 6"),
    (aws.RDS_INSTANCE, rds_instance(backupRetentionPeriod=0), "is 0"),
    (aws.RDS_INSTANCE, {k: v for k, v in rds_instance().items() if k != "backupRetentionPeriod"}, "unset"),
    (aws.RDS_CLUSTER, rds_cluster(backupRetentionPeriod=1), "is 1"),
])
def test_rds_backup_retention_fires(resource_type, props, says):
    fires("rds-backup-retention", res(resource_type, props), says=says)


def test_rds_backup_retention_minimum_comes_from_the_stack_config():
    prod = {"minRetentionDays": 30}
    fires("rds-backup-retention", res(aws.RDS_INSTANCE, rds_instance(backupRetentionPeriod=7)),
          config=prod, says="at least 30")
    passes("rds-backup-retention", res(aws.RDS_INSTANCE, rds_instance(backupRetentionPeriod=30)), config=prod)


# ---- elasticache-snapshot-retention ----


@pytest.mark.parametrize("resource_type, props", [
    (aws.CACHE_REPLICATION_GROUP, replication_group(snapshotRetentionLimit=1)),
    (aws.CACHE_SERVERLESS, {"engine": "valkey", "snapshotRetentionLimit": 3}),
    (aws.CACHE_CLUSTER, {"replicationGroupId": "webstack-redis"}),
    (aws.CACHE_CLUSTER, {"engine": "memcached", "numCacheNodes": 2}),
    (aws.CACHE_CLUSTER, {"engine": "redis", "snapshotRetentionLimit": 5}),
])
def test_elasticache_snapshot_retention_passes(resource_type, props):
    passes("elasticache-snapshot-retention", res(resource_type, props))


@pytest.mark.parametrize("resource_type, props, says", [
    (aws.CACHE_REPLICATION_GROUP, replication_group(snapshotRetentionLimit=0), "is 0"),
    (aws.CACHE_REPLICATION_GROUP, {"engine": "redis", "description": "no snapshots"}, "unset"),
    (aws.CACHE_SERVERLESS, {"engine": "redis"}, "unset"),
    (aws.CACHE_CLUSTER, {"engine": "redis", "numCacheNodes": 1}, "unset"),
])
def test_elasticache_snapshot_retention_fires(resource_type, props, says):
    fires("elasticache-snapshot-retention", res(resource_type, props), says=says)


def test_elasticache_snapshot_retention_minimum_comes_from_the_stack_config():
    group = res(aws.CACHE_REPLICATION_GROUP, replication_group(snapshotRetentionLimit=7))
    fires("elasticache-snapshot-retention", group, config={"minRetentionDays": 30}, says="at least 30")
    passes("elasticache-snapshot-retention", group, config={"minRetentionDays": 7})


# ---- dynamodb-point-in-time-recovery ----


@pytest.mark.parametrize("resource_type, props", [
    (aws.DYNAMODB_TABLE, dynamodb_table()),
    (aws.DYNAMODB_TABLE, dynamodb_table(pointInTimeRecovery={"enabled": True, "recoveryPeriodInDays": 35},
                                        replicas=[{"regionName": "ap-northeast-1", "pointInTimeRecovery": True}])),
    (aws.DYNAMODB_TABLE_REPLICA, {"globalTableArn": "arn:table", "pointInTimeRecovery": True}),
])
def test_dynamodb_point_in_time_recovery_passes(resource_type, props):
    passes("dynamodb-point-in-time-recovery", res(resource_type, props))


@pytest.mark.parametrize("resource_type, props, says", [
    (aws.DYNAMODB_TABLE, dynamodb_table(pointInTimeRecovery=None), "enabled is not true"),
    (aws.DYNAMODB_TABLE, dynamodb_table(pointInTimeRecovery={"enabled": False}), "enabled is not true"),
    (aws.DYNAMODB_TABLE, dynamodb_table(pointInTimeRecovery={"enabled": True, "recoveryPeriodInDays": 3}),
     "recoveryPeriodInDays is 3"),
    (aws.DYNAMODB_TABLE, dynamodb_table(replicas=[{"regionName": "ap-northeast-1"}]), "replicas[0]"),
    (aws.DYNAMODB_TABLE_REPLICA, {"globalTableArn": "arn:table"}, "pointInTimeRecovery"),
])
def test_dynamodb_point_in_time_recovery_fires(resource_type, props, says):
    fires("dynamodb-point-in-time-recovery", res(resource_type, props), says=says)


# ---- backup-plan-retention ----

def _plan(*lifecycles, copy_lifecycle=None):
    rules = [{"ruleName": f"r{i}", "targetVaultName": "vault", "schedule": "cron(0 17 * * ? *)",
              **({"lifecycle": lifecycle} if lifecycle is not None else {})}
             for i, lifecycle in enumerate(lifecycles)]
    if copy_lifecycle is not None:
        rules[0]["copyActions"] = [{"destinationVaultArn": "arn:vault", "lifecycle": copy_lifecycle}]
    return res(aws.BACKUP_PLAN, {"name": "plan", "rules": rules})


@pytest.mark.parametrize("plan", [
    _plan({"deleteAfter": 7}), _plan(None), _plan({"coldStorageAfter": 30}),
    _plan({"deleteAfter": 35}, copy_lifecycle={"deleteAfter": 90}),
])
def test_backup_plan_retention_passes(plan):
    passes("backup-plan-retention", plan)


@pytest.mark.parametrize("plan, says", [
    (_plan({"deleteAfter": 1}), "rules[0].lifecycle.deleteAfter is 1"),
    (_plan({"deleteAfter": 30}, {"deleteAfter": 3}), "rules[1].lifecycle"),
    (_plan({"deleteAfter": 30}, copy_lifecycle={"deleteAfter": 2}), "copyActions[0].lifecycle"),
])
def test_backup_plan_retention_fires(plan, says):
    fires("backup-plan-retention", plan, says=says)


def test_backup_plan_retention_minimum_comes_from_the_stack_config():
    fires("backup-plan-retention", _plan({"deleteAfter": 14}), config={"minRetentionDays": 30})


# ---- s3-data-bucket-versioning ----


def test_data_bucket_versioning_passes_with_bucket_versioning():
    passes("s3-data-bucket-versioning", *bucket_with())


@pytest.mark.parametrize("resource_type, props", [
    (aws.BUCKET, {"versioning": {"enabled": True}}),
    (aws.BUCKET_V2, {"versionings": [{"enabled": True}]}),
])
def test_data_bucket_versioning_accepts_inline_versioning(resource_type, props):
    passes("s3-data-bucket-versioning", res(resource_type, props))


@pytest.mark.parametrize("status", ["Suspended", "Disabled"])
def test_data_bucket_versioning_fires_when_versioning_is_not_enabled(status):
    bucket = res(aws.BUCKET, {})
    versioning = res(aws.BUCKET_VERSIONING[1], {"bucket": bucket.id,
                                                "versioningConfiguration": {"status": status}})
    # A suspension is also blamed on the resource that suspends it.
    fires("s3-data-bucket-versioning", bucket, versioning,
          on=[bucket] if status == "Disabled" else [bucket, versioning], says="versioning")


def test_data_bucket_versioning_fires_without_versioning():
    bucket, *_ = parts = bucket_with(versioning=False)
    fires("s3-data-bucket-versioning", *parts, on=[bucket])


def test_data_bucket_versioning_skips_buckets_of_exempt_roles():
    logs = bucket_with(versioning=False, tags={**TAGS, "Role": "logs"})
    passes("s3-data-bucket-versioning", *logs)
    static = bucket_with(versioning=False, tags={**TAGS, "Role": "static"})
    fires("s3-data-bucket-versioning", *static)
    passes("s3-data-bucket-versioning", *static, config={"exemptBucketRoles": ["logs", "static"]})
