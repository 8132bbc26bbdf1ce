"""Keys and secrets: KMS keys rotate, Secrets Manager secrets rotate."""
from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies import _aws as aws
from policies._policy import ADVISORY, applies_to, resource_policy, stack_policy
from policies._props import UNKNOWN, is_true, known
from policies._refs import unattached

# Automatic rotation exists only for symmetric encryption keys (KMS developer guide, "Rotate AWS
# KMS keys": https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
SYMMETRIC = "SYMMETRIC_DEFAULT"


@applies_to(aws.KMS_KEY)
def kms_key_rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    spec = known(args.props, "customerMasterKeySpec")
    if spec is UNKNOWN or spec not in (None, "", SYMMETRIC):
        return  # asymmetric and HMAC keys cannot rotate automatically
    rotation = known(args.props, "enableKeyRotation")
    if rotation is not UNKNOWN and not is_true(rotation):
        report("enableKeyRotation is not true")


def secrets_rotated(args: StackValidationArgs, report: ReportViolation) -> None:
    for secret in unattached(args.resources, (aws.SECRET,), (aws.SECRET_ROTATION,), "secretId", ("id", "arn", "name")):
        report("no aws.secretsmanager.SecretRotation rotates this secret", secret.urn)


POLICIES = [
    resource_policy(
        "kms-key-rotation",
        "Customer managed symmetric KMS keys must rotate their key material: set "
        "enable_key_rotation=True (optionally rotation_period_in_days).",
        kms_key_rotation),
    stack_policy(
        "secrets-rotated",
        "Secrets Manager secrets should rotate: add an aws.secretsmanager.SecretRotation with a "
        "rotation Lambda and rotation_rules (or use a managed secret such as RDS "
        "manage_master_user_password, which rotates itself).",
        secrets_rotated, level=ADVISORY, severity=Severity.MEDIUM),
]
