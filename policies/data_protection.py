"""Data protection: stateful resources survive a mistaken `pulumi destroy` or replacement."""
from __future__ import annotations

from typing import Mapping

from pulumi_policy import ReportViolation, ResourceValidationArgs

from policies import _aws as aws
from policies._policy import ADVISORY, applies_to, resource_policy, settings
from policies._props import UNKNOWN, is_true, known, present
from policies._s3 import EXEMPT_BUCKET_ROLES_SETTING, is_data_bucket

BUCKET_SCHEMA = {"exemptBucketRoles": EXEMPT_BUCKET_ROLES_SETTING}
STATEFUL_TYPES = (aws.RDS_INSTANCE, aws.RDS_CLUSTER, aws.CACHE_REPLICATION_GROUP, aws.CACHE_CLUSTER,
                  aws.CACHE_SERVERLESS, aws.DYNAMODB_TABLE, aws.DYNAMODB_TABLE_REPLICA,
                  aws.BACKUP_VAULT, aws.BACKUP_AIR_GAPPED_VAULT, *aws.BUCKETS)


def _holds_data(args: ResourceValidationArgs) -> bool:
    props = args.props
    if args.resource_type in aws.BUCKETS:
        return is_data_bucket(props, settings(args, BUCKET_SCHEMA)["exemptBucketRoles"])
    if args.resource_type == aws.CACHE_CLUSTER:
        # Memcached holds nothing to lose; a member node belongs to its (protected) group.
        return props.get("engine") != "memcached" and not present(props.get("replicationGroupId"))
    return True


@applies_to(*STATEFUL_TYPES)
def stateful_resources_protected(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if _holds_data(args) and not args.opts.protect:
        report("the protect resource option is not set")


def _deletion_protection_problem(resource_type: str, props: Mapping) -> str:
    if resource_type in (aws.RDS_INSTANCE, aws.RDS_CLUSTER):
        return "" if is_true(props.get("deletionProtection")) else "deletionProtection is not true"
    if resource_type in (aws.DYNAMODB_TABLE, aws.DYNAMODB_TABLE_REPLICA):
        return ("" if is_true(props.get("deletionProtectionEnabled"))
                else "deletionProtectionEnabled is not true")
    # Buckets and backup vaults have no deletion protection; forceDestroy is its opposite.
    return "forceDestroy is true" if is_true(props.get("forceDestroy")) else ""


@applies_to(aws.RDS_INSTANCE, aws.RDS_CLUSTER, aws.DYNAMODB_TABLE, aws.DYNAMODB_TABLE_REPLICA,
            aws.BACKUP_VAULT, *aws.BUCKETS)
def deletion_protection_enabled(args: ResourceValidationArgs, report: ReportViolation) -> None:
    problem = _deletion_protection_problem(args.resource_type, args.props)
    if problem and _holds_data(args):
        report(problem)


@applies_to(aws.RDS_INSTANCE, aws.RDS_CLUSTER, aws.CACHE_REPLICATION_GROUP, aws.CACHE_CLUSTER)
def final_snapshot_kept(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if not _holds_data(args) or present(known(props, "replicateSourceDb")):
        return  # RDS takes no final snapshot of a read replica (a source not known yet may be one)
    if is_true(known(props, "skipFinalSnapshot")):
        report("skipFinalSnapshot is true")
    elif not present(known(props, "finalSnapshotIdentifier")):  # an identifier not known yet is set
        report("finalSnapshotIdentifier is not set")


@applies_to(*aws.LOAD_BALANCERS)
def alb_deletion_protection(args: ResourceValidationArgs, report: ReportViolation) -> None:
    enabled = known(args.props, "enableDeletionProtection")
    if enabled is not UNKNOWN and not is_true(enabled):
        report("enableDeletionProtection is not true")


POLICIES = [
    resource_policy(
        "stateful-resources-protected",
        "Databases, caches, data buckets, tables and backup vaults need the protect option: "
        "pulumi.ResourceOptions(protect=True), so `pulumi destroy` or a replacement cannot "
        "delete them.",
        stateful_resources_protected, level=ADVISORY, config=BUCKET_SCHEMA),
    resource_policy(
        "deletion-protection-enabled",
        "Turn on deletion protection where AWS has it (RDS deletion_protection=True, DynamoDB "
        "deletion_protection_enabled=True) and never force_destroy data buckets or backup vaults.",
        deletion_protection_enabled, level=ADVISORY, config=BUCKET_SCHEMA),
    resource_policy(
        "final-snapshot-kept",
        "Deleting a database or cache must leave a final snapshot: skip_final_snapshot=False "
        "with a final_snapshot_identifier (RDS, Aurora) or a final_snapshot_identifier (ElastiCache).",
        final_snapshot_kept, level=ADVISORY),
    resource_policy(
        "alb-deletion-protection",
        "Load balancers that carry production traffic need deletion protection: set "
        "enable_deletion_protection=True (turn it off in a separate change before deleting).",
        alb_deletion_protection, level=ADVISORY),
]
