"""backups check: the newest recovery point of everything the stack protects (AWS Backup's for
the database and its copy in drRegion, RDS's own snapshots, DynamoDB's point-in-time recovery,
Redis snapshots), each no older than 26 hours and kept as long as the stack's config says."""
from __future__ import annotations

from botocore.exceptions import ClientError

from ops import aws, clock, database
from ops.clock import MAX_BACKUP_AGE_HOURS
from ops.report import Report
from ops.stack import StackOutputs

HELP = __doc__


def add_arguments(parser) -> None:
    return None


def run(args, outputs: StackOutputs) -> Report:
    region = outputs.region
    identifier = database.instance_id(outputs, "backups check")
    vault = str(outputs.require("backupVaultName", "backups check"))
    table_names = outputs.table_names()
    report = Report("backups check", outputs.stack, region)
    at = clock.now()
    instance = database.require(aws.client("rds", region), identifier, region)
    vault_points(report, region, vault, instance["DBInstanceArn"], outputs, at)
    dr_copies(report, outputs, instance["DBInstanceArn"], at)
    rds_snapshots(report, region, identifier, at)
    tables(report, region, table_names, at)
    redis_snapshots(report, region, outputs, at)
    return report


def fresh(report: Report, subject: str, moment, at, what: str) -> None:
    hours = clock.age_hours(moment, at)
    report.figures[f"{subject} age (h)"] = hours
    if hours > MAX_BACKUP_AGE_HOURS:
        report.problem(subject, f"newest {what} is {hours} h old (more than "
                                f"{MAX_BACKUP_AGE_HOURS} h)")
    else:
        report.ok(subject, f"newest {what} is {hours} h old")


def newest_point(region: str, vault: str, resource_arn: str):
    backup = aws.client("backup", region)
    pages = backup.get_paginator("list_recovery_points_by_backup_vault").paginate(
        BackupVaultName=vault, ByResourceArn=resource_arn)
    points = [point for page in pages for point in page["RecoveryPoints"]
              if point.get("Status") == "COMPLETED"]
    return max(points, key=lambda point: point["CreationDate"]) if points else None


def vault_points(report: Report, region: str, vault: str, resource_arn: str,
                 outputs: StackOutputs, at) -> None:
    points(report, f"AWS Backup {vault}", region, vault, resource_arn, outputs, at,
           "recovery point")


def points(report: Report, subject: str, region: str, vault: str, resource_arn: str,
           outputs: StackOutputs, at, what: str) -> None:
    """The newest completed recovery point of the resource in the vault: its age and retention."""
    point = newest_point(region, vault, resource_arn)
    if point is None:
        report.problem(subject, f"no completed {what} of {resource_arn}")
        return
    fresh(report, subject, point["CreationDate"], at, what)
    retention(report, subject, point, outputs)


def retention(report: Report, subject: str, point: dict, outputs: StackOutputs) -> None:
    wanted = outputs.get("backupRetentionDays")
    kept = point.get("Lifecycle", {}).get("DeleteAfterDays")
    if wanted is None:
        report.note(f"{subject} retention", f"kept {kept} days; not compared: stack output "
                                            "'backupRetentionDays' is missing")
    elif kept != int(wanted):
        report.problem(f"{subject} retention",
                       f"kept {kept} days, the stack's config says {wanted}")
    else:
        report.ok(f"{subject} retention", f"kept {kept} days, as configured")


def dr_copies(report: Report, outputs: StackOutputs, resource_arn: str, at) -> None:
    dr_region = outputs.get("drRegion")
    if dr_region is None:
        report.note("DR copy", "no drRegion in the stack outputs: no copy expected")
        return
    dr_region = aws.check_region(dr_region, "stack output 'drRegion'")
    vault = str(outputs.require("drBackupVaultName", "the DR copy check (drRegion is set)"))
    points(report, f"DR copy {dr_region}/{vault}", dr_region, vault, resource_arn, outputs, at,
           "copy")


def rds_snapshots(report: Report, region: str, identifier: str, at) -> None:
    subject = f"RDS snapshots {identifier}"
    found = database.snapshots(aws.client("rds", region), identifier)
    if not found:
        report.problem(subject, "missing: no available snapshot")
        return
    fresh(report, subject, found[0]["SnapshotCreateTime"], at,
          f"snapshot ({found[0]['DBSnapshotIdentifier']})")


def tables(report: Report, region: str, names: list[str], at) -> None:
    dynamodb = aws.client("dynamodb", region)
    for name in names:
        subject = f"DynamoDB {name}"
        try:
            described = dynamodb.describe_continuous_backups(TableName=name)
        except ClientError as error:
            if aws.is_missing(error, "TableNotFoundException", "ResourceNotFoundException"):
                report.problem(subject, "table not found")
                continue
            raise
        recovery = described["ContinuousBackupsDescription"].get(
            "PointInTimeRecoveryDescription", {})
        if recovery.get("PointInTimeRecoveryStatus") != "ENABLED":
            report.problem(subject, "point-in-time recovery is off")
            continue
        fresh(report, subject, recovery["LatestRestorableDateTime"], at, "restorable time")


def redis_snapshots(report: Report, region: str, outputs: StackOutputs, at) -> None:
    group_id = outputs.get("cacheReplicationGroupId")
    if group_id is None:
        report.note("Redis snapshots", "not checked: stack output 'cacheReplicationGroupId' is "
                                       "missing")
        return
    elasticache = aws.client("elasticache", region)
    group = elasticache.describe_replication_groups(
        ReplicationGroupId=str(group_id))["ReplicationGroups"][0]
    if not group.get("SnapshotRetentionLimit"):
        report.note(f"Redis snapshots {group_id}", "snapshots are off for this group")
        return
    pages = elasticache.get_paginator("describe_snapshots").paginate(
        ReplicationGroupId=str(group_id))
    times = [node["SnapshotCreateTime"] for page in pages for snapshot in page["Snapshots"]
             for node in snapshot.get("NodeSnapshots", []) if node.get("SnapshotCreateTime")]
    subject = f"Redis snapshots {group_id}"
    if not times:
        report.problem(subject, "missing: no snapshot")
        return
    fresh(report, subject, max(times), at, "snapshot")
