"""Data protection: protect, deletion protection, final snapshots."""
import pytest
from policy_kit import TAGS, dynamodb_table, fires, passes, rds_cluster, rds_instance, replication_group, res

from policies import _aws as aws

STATEFUL = [
    (aws.RDS_INSTANCE, rds_instance()), (aws.RDS_CLUSTER, rds_cluster()),
    (aws.CACHE_REPLICATION_GROUP, replication_group()), (aws.CACHE_CLUSTER, {"engine": "redis"}),
    (aws.CACHE_SERVERLESS, {"engine": "valkey"}), (aws.BUCKET, {"tags": TAGS}), (aws.BUCKET_V2, {}),
    (aws.DYNAMODB_TABLE, dynamodb_table()), (aws.DYNAMODB_TABLE_REPLICA, {"globalTableArn": "arn:t"}),
    (aws.BACKUP_VAULT, {"name": "v"}), (aws.BACKUP_AIR_GAPPED_VAULT, {"minRetentionDays": 7}),
]

# ---- stateful-resources-protected ----


@pytest.mark.parametrize("resource_type, props", STATEFUL)
def test_stateful_resources_protected(resource_type, props):
    passes("stateful-resources-protected", res(resource_type, props, protect=True))
    fires("stateful-resources-protected", res(resource_type, props), says="protect")


@pytest.mark.parametrize("resource_type, props", [
    (aws.BUCKET, {"tags": {**TAGS, "Role": "logs"}}),
    (aws.CACHE_CLUSTER, {"engine": "memcached"}),
    (aws.CACHE_CLUSTER, {"replicationGroupId": "webstack-redis"}),
    (aws.SECURITY_GROUP, {"description": "stateless"}),
    (aws.RDS_PARAMETER_GROUP, {"family": "postgres16"}),
])
def test_stateless_resources_need_no_protect(resource_type, props):
    passes("stateful-resources-protected", res(resource_type, props))


# ---- deletion-protection-enabled ----


@pytest.mark.parametrize("resource_type, good, bad, says", [
    (aws.RDS_INSTANCE, rds_instance(), rds_instance(deletionProtection=False), "deletionProtection"),
    (aws.RDS_CLUSTER, rds_cluster(), rds_cluster(deletionProtection=None), "deletionProtection"),
    (aws.DYNAMODB_TABLE, dynamodb_table(), dynamodb_table(deletionProtectionEnabled=False),
     "deletionProtectionEnabled"),
    (aws.DYNAMODB_TABLE_REPLICA, {"deletionProtectionEnabled": True}, {"globalTableArn": "arn:t"},
     "deletionProtectionEnabled"),
    (aws.BUCKET, {"forceDestroy": False}, {"forceDestroy": True}, "forceDestroy"),
    (aws.BUCKET_V2, {}, {"forceDestroy": True}, "forceDestroy"),
    (aws.BACKUP_VAULT, {"name": "v"}, {"name": "v", "forceDestroy": True}, "forceDestroy"),
])
def test_deletion_protection(resource_type, good, bad, says):
    passes("deletion-protection-enabled", res(resource_type, good))
    fires("deletion-protection-enabled", res(resource_type, bad), says=says)


def test_deletion_protection_lets_exempt_buckets_be_force_destroyed():
    logs = {"forceDestroy": True, "tags": {**TAGS, "Role": "logs"}}
    passes("deletion-protection-enabled", res(aws.BUCKET, logs))
    fires("deletion-protection-enabled", res(aws.BUCKET, logs), config={"exemptBucketRoles": []})


# ---- final-snapshot-kept ----


@pytest.mark.parametrize("resource_type, props", [
    (aws.RDS_INSTANCE, rds_instance()), (aws.RDS_CLUSTER, rds_cluster()),
    (aws.CACHE_REPLICATION_GROUP, replication_group()),
    (aws.CACHE_CLUSTER, {"engine": "redis", "finalSnapshotIdentifier": "final"}),
    (aws.CACHE_CLUSTER, {"engine": "memcached"}),
    (aws.RDS_INSTANCE, rds_instance(replicateSourceDb="primary", skipFinalSnapshot=True,
                                    finalSnapshotIdentifier=None)),
])
def test_final_snapshot_kept_passes(resource_type, props):
    passes("final-snapshot-kept", res(resource_type, props))


@pytest.mark.parametrize("resource_type, props, says", [
    (aws.RDS_INSTANCE, rds_instance(skipFinalSnapshot=True), "skipFinalSnapshot"),
    (aws.RDS_INSTANCE, rds_instance(finalSnapshotIdentifier=None), "finalSnapshotIdentifier"),
    (aws.RDS_CLUSTER, rds_cluster(skipFinalSnapshot=True), "skipFinalSnapshot"),
    (aws.RDS_CLUSTER, rds_cluster(finalSnapshotIdentifier=""), "finalSnapshotIdentifier"),
    (aws.CACHE_REPLICATION_GROUP, replication_group(finalSnapshotIdentifier=None), "finalSnapshotIdentifier"),
    (aws.CACHE_CLUSTER, {"engine": "valkey"}, "finalSnapshotIdentifier"),
])
def test_final_snapshot_kept_fires(resource_type, props, says):
    fires("final-snapshot-kept", res(resource_type, props), says=says)
