"""IAM pieces every component writes the same way: service roles, secret access, key admins."""
from __future__ import annotations

from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

# The services that decrypt a parameter's or a secret's value for its reader (kms:ViaService).
DECRYPTING_SERVICES = ("ssm.*.amazonaws.com", "secretsmanager.*.amazonaws.com")


def service_role(name: str, service: str, parent: pulumi.Resource,
                 source_account: Optional[pulumi.Input[str]] = None,
                 retain_on_delete: bool = False) -> aws.iam.Role:
    """A role only the AWS service `service` (e.g. "ecs-tasks.amazonaws.com") may assume; with
    `source_account`, only on behalf of this account (no confused deputy)."""
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}
    if source_account is not None:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return aws.iam.Role(name, assume_role_policy=pulumi.Output.json_dumps({
        "Version": "2012-10-17", "Statement": [statement]}),
        opts=pulumi.ResourceOptions(parent=parent, retain_on_delete=retain_on_delete))


def allow_reading_secrets(name: str, role: pulumi.Input[str], sid: str,
                          secret_arns: Sequence[pulumi.Input[str]],
                          parent: pulumi.Resource,
                          parameter_arns: Sequence[str] = (),
                          customer_keys: bool = False) -> aws.iam.RolePolicy:
    """The role may read exactly these Secrets Manager secrets (and SSM parameters), nothing
    else; with `customer_keys` (values the user listed, perhaps under their own KMS keys), the
    decryption of those values too."""
    statements = [{"Sid": sid, "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                   "Resource": list(secret_arns)}] if secret_arns else []
    if parameter_arns:
        # ECS reads them with GetParameters (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html),
        # the MVP's launcher with `aws ssm get-parameter`.
        statements.append({"Sid": f"{sid}Parameters", "Effect": "Allow",
                           "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                           "Resource": sorted(parameter_arns)})
    if customer_keys:
        # A SecureString parameter or secret under a customer managed key needs kms:Decrypt on
        # that key ("Any principal that retrieves the decrypted value must have kms:Decrypt",
        # https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html);
        # only through those two services, so only for the values listed above.
        statements.append({"Sid": f"{sid}Decrypt", "Effect": "Allow", "Action": "kms:Decrypt",
                           "Resource": "*", "Condition": {"StringLike": {
                               "kms:ViaService": list(DECRYPTING_SERVICES)}}})
    return aws.iam.RolePolicy(name, role=role, policy=pulumi.Output.json_dumps({
        "Version": "2012-10-17", "Statement": statements}),
        opts=pulumi.ResourceOptions(parent=parent))


def account_administers_key(account_id: pulumi.Input[str]) -> dict:
    """The KMS key policy statement that keeps the key manageable by the account's IAM."""
    return {"Sid": "AccountAdministers", "Effect": "Allow",
            "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account_id, ":root")},
            "Action": "kms:*", "Resource": "*"}
