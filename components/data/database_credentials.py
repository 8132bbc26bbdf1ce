"""The database's master credentials when RDS cannot keep them: a generated password in a secret
the stack owns, rotated by AWS's own PostgreSQL rotation function.

RDS refuses a read replica of an instance whose password it manages in Secrets Manager, so a
database with replicas sets the password itself. The password exists only in Pulumi's encrypted
state and in the secret, never in code or config; after the first rotation only the secret knows
it (Pulumi ignores the password from then on). The app reads the secret when it connects.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.network.security_groups import allow_from_group, allow_to_group, security_group

# RDS master passwords: printable ASCII except / " and @, 8 to 41 characters in the strictest case
# (RDS API MasterUserPassword, as aws-sdk-js-v3 commit 03a5d7b quotes it); 40 fits every engine.
PASSWORD_LENGTH = 40
PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?"
# AWS's single-user PostgreSQL rotation function, published in the Serverless Application
# Repository (Secrets Manager User Guide, "AWS Secrets Manager rotation function templates").
ROTATION_APPLICATION = ("arn:aws:serverlessrepo:us-east-1:297356227824:applications/"
                        "SecretsManagerRDSPostgreSQLRotationSingleUser")
# The template creates its own IAM role and a resource policy for Secrets Manager to invoke it
# (Pulumi registry, aws.serverlessrepository.CloudFormationStack, the postgres-rotator example).
ROTATION_CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"]
# The same interval RDS uses for the secrets it manages (RDS User Guide, "Password management
# with Amazon RDS and AWS Secrets Manager": rotated every seven days by default).
ROTATION_DAYS = 7
ROTATION_GROUP_SUFFIX = "-secret-rotation"
HTTPS_PORT = 443
ANYWHERE_IPV4 = "0.0.0.0/0"


@dataclass(frozen=True)
class CredentialsArgs:
    name_prefix: str
    username: str
    database_name: str
    port: int
    region: str
    vpc_id: pulumi.Input[str]
    # Private subnets with a route out (NAT): the function calls Secrets Manager's public API.
    rotation_subnet_ids: Sequence[pulumi.Input[str]]
    database_group: aws.ec2.SecurityGroup


def generated_password(name: str, parent: pulumi.Resource) -> random.RandomPassword:
    """Made once and kept in state; the rotation function changes it afterwards."""
    return random.RandomPassword(name, length=PASSWORD_LENGTH, special=True,
                                 override_special=PASSWORD_SPECIALS, min_lower=1, min_upper=1,
                                 min_numeric=1, opts=pulumi.ResourceOptions(parent=parent))


class DatabaseCredentials(pulumi.ComponentResource):
    """The secret `{engine, host, port, username, password, dbname}` (the shape AWS's rotation
    functions read) and its rotation every ROTATION_DAYS."""

    def __init__(self, name: str, args: CredentialsArgs, password: pulumi.Input[str],
                 host: pulumi.Input[str], opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:database:Credentials", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.secret = aws.secretsmanager.Secret(
            f"{name}-secret", name_prefix=f"{args.name_prefix}/postgres-master-",
            description=f"Master credentials of {args.name_prefix}-postgres, rotated every "
                        f"{ROTATION_DAYS} days", opts=child)
        first_value = aws.secretsmanager.SecretVersion(
            f"{name}-secret-value", secret_id=self.secret.id,
            secret_string=pulumi.Output.json_dumps({
                "engine": "postgres", "host": host, "port": args.port,
                "username": args.username, "password": password,
                "dbname": args.database_name}),
            # The rotation function writes new versions; Pulumi must not put the first one back.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["secretString"]))
        rotation = self._rotation_function(name, args)
        aws.secretsmanager.SecretRotation(
            f"{name}-rotation", secret_id=self.secret.id,
            rotation_lambda_arn=rotation.outputs["RotationLambdaARN"],
            rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
                automatically_after_days=ROTATION_DAYS),
            # Turning rotation on rotates at once: the secret must hold the first value by then.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[first_value]))
        self.secret_arn = self.secret.arn
        self.register_outputs({"secretArn": self.secret_arn})

    def _rotation_function(self, name: str, args: CredentialsArgs
                           ) -> aws.serverlessrepository.CloudFormationStack:
        """The function runs in the private subnets: 5432 to the database, 443 to Secrets Manager."""
        group = security_group(f"{args.name_prefix}{ROTATION_GROUP_SUFFIX}", vpc_id=args.vpc_id,
                               role="backend",
                               description="Secret rotation: PostgreSQL and the Secrets Manager API",
                               parent=self)
        child = pulumi.ResourceOptions(parent=self)
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-to-https", security_group_id=group.id, cidr_ipv4=ANYWHERE_IPV4,
            ip_protocol="tcp", from_port=HTTPS_PORT, to_port=HTTPS_PORT,
            description="HTTPS to the Secrets Manager API", opts=child)
        allow_to_group(f"{name}-to-postgres", group, port=args.port,
                       destination_group_id=args.database_group.id,
                       description="PostgreSQL of the database", parent=self)
        allow_from_group(f"{name}-rotation-to-database", args.database_group, port=args.port,
                         source_group_id=group.id, description="PostgreSQL from secret rotation",
                         parent=self)
        # CloudFormation stack names: letters, digits and hyphens, up to 128 characters.
        return aws.serverlessrepository.CloudFormationStack(
            f"{name}-rotation-function", name=f"{args.name_prefix}-postgres-rotation",
            application_id=ROTATION_APPLICATION, capabilities=ROTATION_CAPABILITIES,
            parameters={
                "endpoint": f"https://secretsmanager.{args.region}.amazonaws.com",
                "functionName": f"{args.name_prefix}-postgres-rotation",
                "vpcSubnetIds": pulumi.Output.all(*args.rotation_subnet_ids).apply(",".join),
                "vpcSecurityGroupIds": group.id,
            }, opts=child)
