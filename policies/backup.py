"""Backups: retention of database backups, cache snapshots, table recovery, backup plans, and
versioned data buckets."""
from __future__ import annotations

from typing import Any, Mapping

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from policies import _aws as aws
from policies._policy import applies_to, integer_setting, resource_policy, settings, stack_policy
from policies._props import UNKNOWN, as_int, dig, is_true, known, known_elements, present
from policies._refs import resolve
from policies._s3 import (
    BUCKET_KEYS,
    EXEMPT_BUCKET_ROLES_SETTING,
    check_every_bucket,
    inline_versioning_enabled,
    is_data_bucket,
)


def retention_schema(default: int, what: str) -> dict[str, Any]:
    return {"minRetentionDays": integer_setting(default, f"Fewest days {what} may be kept.")}


def _minimum(args: Any, schema: Mapping) -> int:
    return as_int(settings(args, schema)["minRetentionDays"]) or 0


def _too_short(value: Any, minimum: int) -> bool:
    days = as_int(value)
    return days is None or days < minimum


def _days(value: Any) -> str:
    days = as_int(value)
    return "unset" if days is None else str(days)


RDS_SCHEMA = retention_schema(7, "RDS automated backups")


@applies_to(aws.RDS_INSTANCE, aws.RDS_CLUSTER)
def rds_backup_retention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if present(args.props.get("replicateSourceDb")):
        return  # read replicas are restored from their source's backups
    minimum = _minimum(args, RDS_SCHEMA)
    period = args.props.get("backupRetentionPeriod")
    if _too_short(period, minimum):
        report(f"backupRetentionPeriod is {_days(period)}; at least {minimum} days required")


CACHE_SCHEMA = retention_schema(1, "ElastiCache snapshots")


@applies_to(aws.CACHE_REPLICATION_GROUP, aws.CACHE_CLUSTER, aws.CACHE_SERVERLESS)
def elasticache_snapshot_retention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type == aws.CACHE_CLUSTER and (
            present(props.get("replicationGroupId")) or props.get("engine") == "memcached"):
        return  # members follow their group; memcached keeps no snapshots
    minimum = _minimum(args, CACHE_SCHEMA)
    limit = props.get("snapshotRetentionLimit")
    if _too_short(limit, minimum):
        report(f"snapshotRetentionLimit is {_days(limit)}; at least {minimum} days required")


DYNAMODB_SCHEMA = retention_schema(7, "DynamoDB point-in-time recovery")


@applies_to(aws.DYNAMODB_TABLE, aws.DYNAMODB_TABLE_REPLICA)
def dynamodb_point_in_time_recovery(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type == aws.DYNAMODB_TABLE_REPLICA:
        if not is_true(props.get("pointInTimeRecovery")):
            report("pointInTimeRecovery is not true")
        return
    enabled = known(props, "pointInTimeRecovery", "enabled")
    if enabled is not UNKNOWN and not is_true(enabled):
        report("pointInTimeRecovery.enabled is not true")
    period, minimum = known(props, "pointInTimeRecovery", "recoveryPeriodInDays"), _minimum(args, DYNAMODB_SCHEMA)
    if period not in (None, UNKNOWN) and _too_short(period, minimum):
        report(f"pointInTimeRecovery.recoveryPeriodInDays is {_days(period)}; at least {minimum} required")
    for index, replica in enumerate(known_elements(props, "replicas")):
        replica_recovery = known(replica, "pointInTimeRecovery")
        if replica is not UNKNOWN and replica_recovery is not UNKNOWN and not is_true(replica_recovery):
            report(f"replicas[{index}].pointInTimeRecovery is not true")


PLAN_SCHEMA = retention_schema(7, "AWS Backup recovery points")


@applies_to(aws.BACKUP_PLAN)
def backup_plan_retention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    minimum = _minimum(args, PLAN_SCHEMA)
    for index, rule in enumerate(known_elements(args.props, "rules")):
        lifecycles = [(f"rules[{index}].lifecycle", known(rule, "lifecycle"))]
        lifecycles += [(f"rules[{index}].copyActions[{copy}].lifecycle", known(action, "lifecycle"))
                       for copy, action in enumerate(known_elements(rule, "copyActions"))]
        for where, lifecycle in lifecycles:
            delete_after = known(lifecycle, "deleteAfter")
            if delete_after is UNKNOWN:
                continue
            # No deleteAfter keeps recovery points indefinitely.
            if delete_after is not None and _too_short(delete_after, minimum):
                report(f"{where}.deleteAfter is {_days(delete_after)}; at least {minimum} days required")


VERSIONING_SCHEMA = {"exemptBucketRoles": EXEMPT_BUCKET_ROLES_SETTING}


def s3_data_bucket_versioning(args: StackValidationArgs, report: ReportViolation) -> None:
    exempt = settings(args, VERSIONING_SCHEMA)["exemptBucketRoles"]
    check_every_bucket(
        args, report, child_types=aws.BUCKET_VERSIONING,
        inline_ok=inline_versioning_enabled,
        child_ok=lambda props: dig(props, "versioningConfiguration", "status") == "Enabled",
        applies=lambda bucket: is_data_bucket(bucket.props, exempt),
        message="versioning is not enabled on this data bucket")
    _suspensions(args, report, exempt)


def _suspensions(args: StackValidationArgs, report: ReportViolation, exempt: list) -> None:
    """A BucketVersioning that suspends versioning, judged by itself: on a data bucket of the
    stack, or on a bucket the stack does not define (it cannot tell that one holds no data)."""
    buckets = [r for r in args.resources if r.resource_type in aws.BUCKETS]
    for versioning in (r for r in args.resources if r.resource_type in aws.BUCKET_VERSIONING):
        status = known(versioning.props, "versioningConfiguration", "status")
        if status != "Suspended":
            continue
        targets = resolve(versioning, "bucket", buckets, BUCKET_KEYS)
        if targets == [] or any(is_data_bucket(t.props, exempt) for t in targets or []):
            report("versioningConfiguration.status is Suspended on a data bucket", versioning.urn)


POLICIES = [
    resource_policy(
        "rds-backup-retention",
        "RDS instances and Aurora clusters must keep automated backups: set "
        "backup_retention_period to at least the stack's minimum (minRetentionDays).",
        rds_backup_retention, config=RDS_SCHEMA),
    resource_policy(
        "elasticache-snapshot-retention",
        "Redis/Valkey must keep daily snapshots: set snapshot_retention_limit to at least the "
        "stack's minimum (minRetentionDays) and a snapshot_window.",
        elasticache_snapshot_retention, config=CACHE_SCHEMA),
    resource_policy(
        "dynamodb-point-in-time-recovery",
        "DynamoDB tables and their replicas must have point-in-time recovery: "
        "point_in_time_recovery={'enabled': True} (recovery_period_in_days at least the minimum).",
        dynamodb_point_in_time_recovery, config=DYNAMODB_SCHEMA),
    resource_policy(
        "backup-plan-retention",
        "AWS Backup rules (and their copy actions) must keep recovery points at least the "
        "stack's minimum: raise lifecycle.delete_after, or leave it unset to keep them.",
        backup_plan_retention, config=PLAN_SCHEMA),
    stack_policy(
        "s3-data-bucket-versioning",
        "Data buckets must be versioned: add aws.s3.BucketVersioning with "
        "versioning_configuration={'status': 'Enabled'} (a lifecycle rule can expire old versions). "
        "Buckets tagged Role=<an exempt role> are skipped.",
        s3_data_bucket_versioning, config=VERSIONING_SCHEMA),
]
