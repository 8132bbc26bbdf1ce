"""The stack's PostgreSQL instance and its snapshots, as the commands look them up."""
from __future__ import annotations

from typing import Optional

from botocore.exceptions import ClientError

from ops import aws
from ops.errors import AwsProblem
from ops.stack import StackOutputs

# RDS's own snapshots, and those AWS Backup manages: DescribeDBSnapshots returns "awsbackup" ones
# only when asked by that type
# (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshots.html).
SNAPSHOT_TYPES = ("automated", "manual", "awsbackup")


def instance_id(outputs: StackOutputs, purpose: str) -> str:
    return str(outputs.require("databaseInstanceId", purpose))


def describe(rds, identifier: str) -> Optional[dict]:
    try:
        return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    except ClientError as error:
        if aws.is_missing(error, "DBInstanceNotFound", "DBInstanceNotFoundFault"):
            return None
        raise


def require(rds, identifier: str, region: str) -> dict:
    instance = describe(rds, identifier)
    if instance is None:
        raise AwsProblem(f"database instance {identifier!r} does not exist in {region}")
    return instance


def snapshots(rds, identifier: str) -> list[dict]:
    """Every available snapshot of the instance, newest first."""
    found = {}
    for kind in SNAPSHOT_TYPES:
        pages = rds.get_paginator("describe_db_snapshots").paginate(
            DBInstanceIdentifier=identifier, SnapshotType=kind)
        for page in pages:
            for snapshot in page["DBSnapshots"]:
                if snapshot.get("Status") == "available" and snapshot.get("SnapshotCreateTime"):
                    found[snapshot["DBSnapshotIdentifier"]] = snapshot
    return sorted(found.values(), key=lambda s: s["SnapshotCreateTime"], reverse=True)
