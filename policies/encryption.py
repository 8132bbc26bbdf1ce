"""Encryption at rest: databases, caches, buckets, volumes, and the services that take a KMS key."""
from __future__ import annotations

from typing import Any, Mapping

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from policies import _aws as aws
from policies._policy import applies_to, resource_policy, settings, stack_policy
from policies._props import UNKNOWN, dig, is_true, items, known, known_elements, present
from policies._s3 import check_every_bucket, inline_sse_algorithms

SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")


@applies_to(aws.RDS_INSTANCE, aws.RDS_CLUSTER)
def rds_storage_encrypted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not is_true(args.props.get("storageEncrypted")):
        report("storageEncrypted is not true")


@applies_to(aws.CACHE_REPLICATION_GROUP, aws.CACHE_CLUSTER)
def elasticache_encrypted_at_rest(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type == aws.CACHE_CLUSTER:
        group = known(props, "replicationGroupId")
        if group is not UNKNOWN and not present(group):
            report("a standalone aws.elasticache.Cluster cannot be encrypted at rest; "
                   "use an aws.elasticache.ReplicationGroup")
        return
    enabled = known(props, "atRestEncryptionEnabled")
    if enabled is None:
        # Valkey replication groups are encrypted at rest unless told otherwise; Redis ones are not.
        engine = known(props, "engine")
        if engine is not UNKNOWN and engine != "valkey":
            report("atRestEncryptionEnabled is not true")
    elif enabled is not UNKNOWN and not is_true(enabled):
        report("atRestEncryptionEnabled is not true")


def _sse_rule_ok(props: Mapping) -> bool:
    return any(dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") in SSE_ALGORITHMS
               for rule in items(props.get("rules")))


def s3_bucket_encrypted(args: StackValidationArgs, report: ReportViolation) -> None:
    check_every_bucket(
        args, report, child_types=aws.BUCKET_ENCRYPTION,
        inline_ok=lambda bucket: any(a in SSE_ALGORITHMS for a in inline_sse_algorithms(bucket)),
        child_ok=_sse_rule_ok,
        message="no server-side encryption configuration (AES256 or aws:kms) applies to this bucket")


def _off(value: Any) -> bool:
    """Known, and not true: a provable "not encrypted"."""
    return value is not UNKNOWN and not is_true(value)


def _unencrypted_devices(props: Mapping) -> list[str]:
    found = ["rootBlockDevice"] if _off(known(props, "rootBlockDevice", "encrypted")) else []
    found += [f"ebsBlockDevices[{index}]" for index, device in enumerate(known_elements(props, "ebsBlockDevices"))
              if device is not UNKNOWN and _off(known(device, "encrypted"))]
    return found


def _unencrypted_template_devices(props: Mapping) -> list[str]:
    mappings = known_elements(props, "blockDeviceMappings")
    if known(props, "blockDeviceMappings") is UNKNOWN or UNKNOWN in mappings:
        ebs = [known(m, "ebs") for m in mappings if m is not UNKNOWN]
        if not any(e is not None for e in ebs):
            return []  # the mappings that would name a volume are not known yet
    elif not any(known(m, "ebs") is not None for m in mappings):
        return ["blockDeviceMappings (none set: the root volume follows the AMI's snapshot)"]
    return [f"blockDeviceMappings[{index}].ebs" for index, mapping in enumerate(mappings)
            if mapping is not UNKNOWN and known(mapping, "ebs") not in (None, UNKNOWN)
            and _off(known(mapping, "ebs", "encrypted"))]


@applies_to(aws.EBS_VOLUME, aws.EC2_LAUNCH_TEMPLATE, *aws.EC2_INSTANCE_LIKE)
def ebs_encrypted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == aws.EBS_VOLUME:
        unencrypted = ["the volume"] if _off(known(args.props, "encrypted")) else []
    elif args.resource_type == aws.EC2_LAUNCH_TEMPLATE:
        unencrypted = _unencrypted_template_devices(args.props)
    else:
        unencrypted = _unencrypted_devices(args.props)
    if unencrypted:
        report(f"not encrypted: {', '.join(unencrypted)}")


# Service → (types, the property that names the KMS key or turns KMS on).
KMS_KEY_PROPERTIES = {
    "dynamodb": {aws.DYNAMODB_TABLE: ("serverSideEncryption", "enabled")},
    "sns": {aws.SNS_TOPIC: ("kmsMasterKeyId",)},
    "logs": {aws.LOG_GROUP: ("kmsKeyId",)},
    "backup": {aws.BACKUP_VAULT: ("kmsKeyArn",), aws.BACKUP_AIR_GAPPED_VAULT: ("encryptionKeyArn",)},
}
KMS_SCHEMA = {
    "services": {"type": "array", "items": {"type": "string", "enum": sorted(KMS_KEY_PROPERTIES)},
                 "default": sorted(KMS_KEY_PROPERTIES),
                 "description": "Services whose resources must be encrypted with a KMS key."},
}


@applies_to(*(t for types in KMS_KEY_PROPERTIES.values() for t in types))
def kms_key_at_rest(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for service in settings(args, KMS_SCHEMA)["services"]:
        path = KMS_KEY_PROPERTIES.get(service, {}).get(args.resource_type)
        if path is None:
            continue
        value = known(args.props, *path)  # a key not known yet is still a key: set
        if value is not UNKNOWN and not (is_true(value) if path[-1] == "enabled" else present(value)):
            report(f"{'.'.join(path)} is not set")


POLICIES = [
    resource_policy(
        "rds-storage-encrypted",
        "RDS instances and clusters must encrypt their storage: set storage_encrypted=True "
        "(optionally kms_key_id). Existing unencrypted databases need a snapshot restore.",
        rds_storage_encrypted),
    resource_policy(
        "elasticache-encrypted-at-rest",
        "Redis/Valkey must be encrypted at rest: use aws.elasticache.ReplicationGroup with "
        "at_rest_encryption_enabled=True; a standalone aws.elasticache.Cluster cannot be encrypted.",
        elasticache_encrypted_at_rest),
    stack_policy(
        "s3-bucket-encrypted",
        "Every S3 bucket needs default server-side encryption: add an "
        "aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm 'AES256' or 'aws:kms'.",
        s3_bucket_encrypted),
    resource_policy(
        "ebs-encrypted",
        "EBS storage must be encrypted: set encrypted=True on aws.ebs.Volume, on the instance's "
        "root_block_device and every ebs_block_devices entry, and on launch template "
        "block_device_mappings[].ebs (encrypted='true').",
        ebs_encrypted),
    resource_policy(
        "kms-key-at-rest",
        "Where a KMS key is expected, name one: DynamoDB server_side_encryption.enabled=True, "
        "SNS kms_master_key_id (alias/aws/sns works), log group kms_key_id (a CMK whose policy "
        "admits logs.<region>.amazonaws.com), backup vault kms_key_arn.",
        kms_key_at_rest, config=KMS_SCHEMA),
]
