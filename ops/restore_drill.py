"""restore-drill: restores the newest PostgreSQL snapshot and each DynamoDB table's latest
restorable time into temporary, tagged copies, waits until they are available, checks them, times
the restore, then deletes the copies — also after an error or Ctrl-C. --keep leaves them."""
from __future__ import annotations

import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

from ops import aws, clock, database
from ops.errors import BadInput
from ops.report import Report
from ops.stack import StackOutputs

HELP = __doc__
PURPOSE_TAG = "webstack:purpose"
# CreateDBInstance: an identifier is 1 to 63 letters, digits or hyphens, no "--", no trailing "-"
# (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
RDS_ID_MAX = 63


def add_arguments(parser) -> None:
    parser.add_argument("--keep", action="store_true",
                        help="leave the restored copies for inspection (delete them yourself)")
    parser.add_argument("--poll-seconds", type=int, default=30,
                        help="seconds between status checks while a copy is created (default 30)")
    parser.add_argument("--timeout-minutes", type=int, default=120,
                        help="give up waiting for a copy after this long (default 120)")


@dataclass
class Drill:
    stack: str
    stamp: str
    poll_seconds: int
    attempts: int
    created: list = field(default_factory=list)  # (kind, name), in creation order

    @property
    def tags(self) -> list[dict]:
        return [{"Key": PURPOSE_TAG, "Value": "restore-drill"},
                {"Key": "webstack:stack", "Value": self.stack},
                {"Key": "webstack:drill", "Value": self.stamp}]

    def waiter_config(self) -> dict:
        return {"Delay": self.poll_seconds, "MaxAttempts": self.attempts}


def run(args, outputs: StackOutputs) -> Report:
    if args.poll_seconds < 1 or args.timeout_minutes < 1:
        raise BadInput("--poll-seconds and --timeout-minutes must be 1 or more")
    region = outputs.region
    identifier = database.instance_id(outputs, "restore-drill")
    tables = outputs.table_names()
    report = Report("restore-drill", outputs.stack, region)
    rds = aws.client("rds", region)
    source = database.require(rds, identifier, region)
    found = database.snapshots(rds, identifier)
    if not found:
        report.problem("snapshot", f"missing: no available snapshot of {identifier}; nothing "
                                   "was restored")
        return report
    drill = Drill(outputs.stack, clock.now().strftime("%Y%m%d%H%M%S"), args.poll_seconds,
                  max(1, args.timeout_minutes * 60 // args.poll_seconds))
    started = time.monotonic()
    try:
        with termination_as_interrupt():
            restore_database(drill, report, rds, source, found[0])
            for table in tables:
                restore_table(drill, report, aws.client("dynamodb", region), table)
    except KeyboardInterrupt:
        report.problem("drill", "interrupted (Ctrl-C or SIGTERM) before it finished")
    except (ClientError, BotoCoreError) as error:
        report.problem("drill", f"failed midway: {aws.explain(error)}")
    finally:
        report.figures["drill total (s)"] = round(time.monotonic() - started, 2)
        finish(drill, report, region, args.keep)
    return report


@contextmanager
def termination_as_interrupt():
    """SIGTERM (a cancelled CI job) cleans up like Ctrl-C does."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def copy_id(identifier: str, stamp: str) -> str:
    suffix = f"-drill-{stamp}"
    return identifier[:RDS_ID_MAX - len(suffix)].rstrip("-") + suffix


def restore_database(drill: Drill, report: Report, rds, source: dict, snapshot: dict) -> None:
    """A private copy in the source's isolated subnets, with its parameter group."""
    target = copy_id(source["DBInstanceIdentifier"], drill.stamp)
    started = time.monotonic()
    request = {"DBInstanceIdentifier": target,
               "DBSnapshotIdentifier": snapshot["DBSnapshotIdentifier"],
               "DBInstanceClass": source["DBInstanceClass"], "MultiAZ": False,
               "PubliclyAccessible": False, "DeletionProtection": False,
               "DBParameterGroupName": parameter_group(source), "Tags": drill.tags}
    subnet_group = source.get("DBSubnetGroup", {}).get("DBSubnetGroupName")
    if subnet_group:
        request["DBSubnetGroupName"] = subnet_group
    # Listed before the call: an interrupt during it may still leave the copy behind.
    drill.created.append(("DB instance", target))
    rds.restore_db_instance_from_db_snapshot(**request)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=target,
                                                 WaiterConfig=drill.waiter_config())
    report.figures["postgres restore (s)"] = round(time.monotonic() - started, 2)
    check_database(report, rds.describe_db_instances(DBInstanceIdentifier=target)["DBInstances"][0],
                   source, snapshot)


def parameter_group(instance: dict) -> str:
    groups = instance.get("DBParameterGroups") or [{}]
    return groups[0].get("DBParameterGroupName", "")


def check_database(report: Report, copy: dict, source: dict, snapshot: dict) -> None:
    subject = f"postgres copy {copy['DBInstanceIdentifier']}"
    checks = {
        "engine": (f"{copy['Engine']} {copy.get('EngineVersion')}",
                   f"{source['Engine']} {snapshot.get('EngineVersion')}"),
        "encrypted": (copy.get("StorageEncrypted"), True),
        "parameter group": (parameter_group(copy), parameter_group(source)),
    }
    wrong = [f"{name} is {got!r}, expected {wanted!r}"
             for name, (got, wanted) in checks.items() if got != wanted]
    if copy.get("AllocatedStorage", 0) < snapshot.get("AllocatedStorage", 0):
        wrong.append(f"storage {copy.get('AllocatedStorage')} GiB is less than the snapshot's "
                     f"{snapshot.get('AllocatedStorage')} GiB")
    if wrong:
        report.problem(subject, "; ".join(wrong))
    else:
        report.ok(subject, f"restored from {snapshot['DBSnapshotIdentifier']}: "
                           f"{checks['engine'][0]}, encrypted, {copy.get('AllocatedStorage')} GiB, "
                           f"parameter group {parameter_group(copy)}")


def restore_table(drill: Drill, report: Report, dynamodb, table: str) -> None:
    target = f"{table}-drill-{drill.stamp}"
    started = time.monotonic()
    drill.created.append(("DynamoDB table", target))
    restored = dynamodb.restore_table_to_point_in_time(
        SourceTableName=table, TargetTableName=target, UseLatestRestorableTime=True)
    dynamodb.get_waiter("table_exists").wait(TableName=target, WaiterConfig=drill.waiter_config())
    dynamodb.tag_resource(ResourceArn=restored["TableDescription"]["TableArn"], Tags=drill.tags)
    report.figures[f"dynamodb restore {table} (s)"] = round(time.monotonic() - started, 2)
    copy = dynamodb.describe_table(TableName=target)["Table"]
    source = dynamodb.describe_table(TableName=table)["Table"]
    if copy["KeySchema"] != source["KeySchema"]:
        report.problem(f"dynamodb copy {target}", "its key schema differs from the source's")
    else:
        report.ok(f"dynamodb copy {target}", f"restored from {table} at its latest restorable "
                                             "time, same keys")


def finish(drill: Drill, report: Report, region: str, keep: bool) -> None:
    """Delete what the drill created, newest first; a second Ctrl-C does not stop it."""
    if keep:
        for kind, name in drill.created:
            report.note("kept", f"{kind} {name} (tag {PURPOSE_TAG}=restore-drill): delete it "
                                "when done")
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for kind, name in reversed(drill.created):
            remove(report, region, kind, name)
    finally:
        signal.signal(signal.SIGINT, previous)


def remove(report: Report, region: str, kind: str, name: str) -> None:
    try:
        if kind == "DB instance":
            aws.client("rds", region).delete_db_instance(
                DBInstanceIdentifier=name, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
        else:
            aws.client("dynamodb", region).delete_table(TableName=name)
    except ClientError as error:
        if aws.is_missing(error, "DBInstanceNotFound", "DBInstanceNotFoundFault",
                          "ResourceNotFoundException"):
            report.note("cleanup", f"{kind} {name} was not created: nothing to remove")
            return
        report.problem("cleanup", f"could not remove {kind} {name}: {aws.explain(error)}; "
                                  "delete it by hand")
        return
    except BotoCoreError as error:
        report.problem("cleanup", f"could not remove {kind} {name}: {aws.explain(error)}; "
                                  "delete it by hand")
        return
    report.ok("cleanup", f"removed {kind} {name}")
