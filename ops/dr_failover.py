"""dr failover: in drRegion, recovers PostgreSQL: promotes the read replica `<id>-dr` if one is
kept there, otherwise restores the newest snapshot copied there into `<id>-dr` — waits until it is
available, then points the database's DNS record at it. --dry-run shows each step and changes
nothing. Every step checks first whether it is already done, so a rerun continues a failed run."""
from __future__ import annotations

from ops import aws, database
from ops.errors import BadInput
from ops.report import Report
from ops.stack import StackOutputs

HELP = __doc__
RECOVERED_TAG = "webstack:recovered-from"
RECORD_TTL = 60  # seconds: clients follow the switch within a minute


def add_arguments(parser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="show the steps, change nothing")
    parser.add_argument("--poll-seconds", type=int, default=30,
                        help="seconds between status checks while the database recovers")
    parser.add_argument("--timeout-minutes", type=int, default=120)


def run(args, outputs: StackOutputs) -> Report:
    if args.poll_seconds < 1 or args.timeout_minutes < 1:
        raise BadInput("--poll-seconds and --timeout-minutes must be 1 or more")
    dr_region = aws.check_region(outputs.require("drRegion", "dr failover"),
                                 "stack output 'drRegion'")
    identifier = database.instance_id(outputs, "dr failover")
    zone = str(outputs.require("hostedZoneId", "dr failover (the DNS switch)"))
    record = str(outputs.require("databaseRecordName", "dr failover (the DNS switch)"))
    report = Report("dr failover" + (" --dry-run" if args.dry_run else ""), outputs.stack,
                    dr_region, done="nothing changed (dry run)" if args.dry_run else "failed over")
    rds = aws.client("rds", dr_region)
    target = f"{identifier}-dr"
    waiting = {"Delay": args.poll_seconds,
               "MaxAttempts": max(1, args.timeout_minutes * 60 // args.poll_seconds)}
    if not recover(report, rds, identifier, target, outputs, args.dry_run):
        return report
    endpoint = available_endpoint(report, rds, target, waiting, args.dry_run)
    switch_dns(report, zone, record, endpoint, dr_region, args.dry_run)
    return report


def tags(instance: dict) -> dict:
    return {tag["Key"]: tag["Value"] for tag in instance.get("TagList", [])}


def recover(report: Report, rds, identifier: str, target: str, outputs: StackOutputs,
            dry_run: bool) -> bool:
    """Step 1. False when there is nothing to recover from (the report says why)."""
    step = "1 recover database"
    existing = database.describe(rds, target)
    if existing is not None and RECOVERED_TAG in tags(existing):
        report.ok(step, f"already done: {target} exists ({tags(existing)[RECOVERED_TAG]})")
        return True
    if existing is not None:
        return promote(report, rds, existing, identifier, dry_run)
    found = database.snapshots(rds, identifier)
    if not found:
        report.problem(step, f"no snapshot of {identifier} in this region and no replica "
                             f"{target}: nothing to recover from")
        return False
    snapshot = found[0]["DBSnapshotIdentifier"]
    if dry_run:
        report.note(step, f"would restore snapshot {snapshot} ({found[0]['SnapshotCreateTime']}) "
                          f"into {target}")
        return True
    request = {"DBInstanceIdentifier": target, "DBSnapshotIdentifier": snapshot,
               "PubliclyAccessible": False, "DeletionProtection": True, "MultiAZ": True,
               "Tags": [{"Key": RECOVERED_TAG, "Value": f"snapshot {snapshot}"}]}
    subnet_group = outputs.get("drDatabaseSubnetGroup")
    if subnet_group:
        request["DBSubnetGroupName"] = str(subnet_group)
    else:
        report.note(step, "no 'drDatabaseSubnetGroup' output: restored into the region's "
                          "default VPC")
    rds.restore_db_instance_from_db_snapshot(**request)
    report.ok(step, f"restoring snapshot {snapshot} into {target}")
    return True


def promote(report: Report, rds, replica: dict, identifier: str, dry_run: bool) -> bool:
    step = "1 recover database"
    target = replica["DBInstanceIdentifier"]
    if not replica.get("ReadReplicaSourceDBInstanceIdentifier"):
        report.problem(step, f"{target} exists but was not made by a failover nor is a replica of "
                             f"{identifier}; look at it before rerunning")
        return False
    if dry_run:
        report.note(step, f"would promote the read replica {target} to a standalone primary")
        return True
    rds.promote_read_replica(DBInstanceIdentifier=target)
    rds.add_tags_to_resource(ResourceName=replica["DBInstanceArn"],
                             Tags=[{"Key": RECOVERED_TAG, "Value": "promoted replica"}])
    report.ok(step, f"promoting the read replica {target}")
    return True


def available_endpoint(report: Report, rds, target: str, waiting: dict, dry_run: bool):
    """Step 2: the recovered instance's address once it accepts connections."""
    step = "2 wait until available"
    if dry_run:
        report.note(step, f"would wait until {target} is available")
        instance = database.describe(rds, target)
        return instance["Endpoint"]["Address"] if instance and instance.get("Endpoint") else None
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=target,
                                                 WaiterConfig=waiting)
    address = rds.describe_db_instances(DBInstanceIdentifier=target)["DBInstances"][0][
        "Endpoint"]["Address"]
    report.ok(step, f"{target} is available at {address}")
    return address


def current_value(route53, zone: str, record: str):
    listed = route53.list_resource_record_sets(HostedZoneId=zone, StartRecordName=record,
                                               StartRecordType="CNAME", MaxItems="1")
    for entry in listed["ResourceRecordSets"]:
        if entry["Name"].rstrip(".") == record.rstrip(".") and entry["Type"] == "CNAME":
            return entry["ResourceRecords"][0]["Value"]
    return None


def switch_dns(report: Report, zone: str, record: str, endpoint, region: str,
               dry_run: bool) -> None:
    """Step 3: the CNAME the app connects through now names the recovered instance."""
    step = "3 switch DNS"
    route53 = aws.client("route53", region)
    current = current_value(route53, zone, record)
    if endpoint is not None and current == endpoint:
        report.ok(step, f"already done: {record} points to {endpoint}")
        return
    if dry_run:
        report.note(step, f"would point {record} (now {current}) to "
                          f"{endpoint or 'the recovered instance'}, TTL {RECORD_TTL} s")
        return
    change = route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={
        "Comment": "webstack dr failover",
        "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": record, "Type": "CNAME", "TTL": RECORD_TTL,
            "ResourceRecords": [{"Value": endpoint}]}}]})
    route53.get_waiter("resource_record_sets_changed").wait(
        Id=change["ChangeInfo"]["Id"], WaiterConfig={"Delay": 10, "MaxAttempts": 60})
    report.ok(step, f"{record} now points to {endpoint} (was {current})")
