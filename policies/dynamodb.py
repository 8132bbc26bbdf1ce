"""DynamoDB: tables encrypted with the stack's own KMS key. Point-in-time recovery (backup.py), SSE
on (encryption.py) and deletion protection, mandatory in staging and prod by their policy config
(data_protection.py), are checked with the other data stores.

Advisory, as the pack accepts AWS managed keys elsewhere: the deployment history table of every
tier uses DynamoDB's own key; the serverless tier's tables use the stack's."""
from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies import _aws as aws
from policies._policy import ADVISORY, applies_to, resource_policy
from policies._props import UNKNOWN, known, known_elements, present


def _key_missing(value) -> bool:
    return value is not UNKNOWN and not present(value)  # a key ARN not known yet is a key


@applies_to(aws.DYNAMODB_TABLE, aws.DYNAMODB_TABLE_REPLICA)
def dynamodb_customer_managed_key(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type == aws.DYNAMODB_TABLE_REPLICA:
        if _key_missing(known(props, "kmsKeyArn")):
            report("kmsKeyArn is not set: the replica uses the AWS owned key")
        return
    if _key_missing(known(props, "serverSideEncryption", "kmsKeyArn")):
        report("serverSideEncryption.kmsKeyArn is not set: the table uses an AWS owned or managed key")
    for index, replica in enumerate(known_elements(props, "replicas")):
        if replica is not UNKNOWN and _key_missing(known(replica, "kmsKeyArn")):
            report(f"replicas[{index}].kmsKeyArn is not set")


POLICIES = [
    resource_policy(
        "dynamodb-customer-managed-key",
        "DynamoDB tables (and their replicas) must be encrypted with a customer managed KMS key, "
        "so the stack controls who may decrypt them: server_side_encryption={'enabled': True, "
        "'kms_key_arn': <the stack's key>} and kms_key_arn on each replica.",
        dynamodb_customer_managed_key, level=ADVISORY, severity=Severity.MEDIUM),
]
