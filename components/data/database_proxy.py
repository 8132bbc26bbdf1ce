"""RDS Proxy in front of the PostgreSQL database: functions connect with IAM tokens over TLS, the
proxy pools their connections and logs in with the database's master secret.

The secret is RDS's own (the instance manages its password) or the stack's (with read replicas,
components/data/database_credentials.py); RDS Proxy takes either: the limits of RDS's Secrets
Manager integration (RDS User Guide, "Limitations for Secrets Manager integration with Amazon
RDS") list read replicas, blue/green deployments, RDS Custom and Oracle Data Guard, not RDS Proxy.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.data.database import POSTGRES_PORT, Database
from components.iam import service_role
from components.network.security_groups import allow_from_group, allow_to_group, security_group

ENGINE_FAMILY = "POSTGRESQL"  # CreateDBProxy: POSTGRESQL for RDS for PostgreSQL
# RDS Proxy's default ("RDS Proxy connection considerations"): a client idle 30 minutes is
# disconnected; its database connection goes back to the pool.
IDLE_CLIENT_TIMEOUT_S = 1800
# A tenth of max_connections stays for sessions outside the proxy (the master user's maintenance,
# the secret's rotation function): this program's choice, not an AWS figure. The idle share keeps
# RDS Proxy's default, half of this (ConnectionPoolConfiguration, RDS API reference).
MAX_CONNECTIONS_PERCENT = 90


@dataclass(frozen=True)
class DatabaseProxyArgs:
    name_prefix: str
    database: Database
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]  # private subnets in at least two AZs
    client_group_id: pulumi.Input[str]  # the functions' security group
    region: str


class DatabaseProxy(pulumi.ComponentResource):
    def __init__(self, name: str, args: DatabaseProxyArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:database:DatabaseProxy", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        secret_arn = args.database.master_secret_arn
        self._region = args.region
        self.security_group = self._firewall(name, args)
        role = service_role(f"{name}-role", "rds.amazonaws.com", self)
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        aws.iam.RolePolicy(f"{name}-reads-master-secret", role=role.id,
                           policy=secret_access_policy(secret_arn, args.region, account_id),
                           opts=child)
        self.proxy = aws.rds.Proxy(
            f"{name}-proxy", name=f"{args.name_prefix}-postgres-proxy",
            engine_family=ENGINE_FAMILY, require_tls=True, debug_logging=False,
            idle_client_timeout=IDLE_CLIENT_TIMEOUT_S, role_arn=role.arn,
            vpc_subnet_ids=list(args.subnet_ids),
            vpc_security_group_ids=[self.security_group.id],
            auths=[aws.rds.ProxyAuthArgs(
                auth_scheme="SECRETS", secret_arn=secret_arn, iam_auth="REQUIRED",
                client_password_auth_type="POSTGRES_SCRAM_SHA_256",
                description="Clients connect with IAM tokens; the proxy logs in as the master user")],
            opts=child)
        target_group = aws.rds.ProxyDefaultTargetGroup(
            f"{name}-target-group", db_proxy_name=self.proxy.name,
            connection_pool_config=aws.rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs(
                max_connections_percent=MAX_CONNECTIONS_PERCENT),
            opts=child)
        aws.rds.ProxyTarget(f"{name}-target", db_proxy_name=self.proxy.name,
                            target_group_name=target_group.name,
                            db_instance_identifier=args.database.instance.identifier, opts=child)
        self.endpoint: pulumi.Output[str] = self.proxy.endpoint
        self.arn: pulumi.Output[str] = self.proxy.arn
        self.security_group_id: pulumi.Output[str] = self.security_group.id
        self.register_outputs({"endpoint": self.endpoint, "arn": self.arn,
                               "securityGroupId": self.security_group_id})

    def _firewall(self, name: str, args: DatabaseProxyArgs) -> aws.ec2.SecurityGroup:
        """In: the functions on 5432. Out: the database on 5432, which admits the proxy. Tagged
        backend, the role the database's group admits (as the secret rotation function's)."""
        group = security_group(f"{args.name_prefix}-postgres-proxy", vpc_id=args.vpc_id,
                               role="backend",
                               description="RDS Proxy: PostgreSQL from the functions, to the database",
                               parent=self)
        allow_from_group(f"{name}-from-clients", group, port=POSTGRES_PORT,
                         source_group_id=args.client_group_id,
                         description="PostgreSQL from the functions", parent=self)
        allow_to_group(f"{name}-to-database", group, port=POSTGRES_PORT,
                       destination_group_id=args.database.security_group.id,
                       description="PostgreSQL of the database", parent=self)
        allow_from_group(f"{name}-admitted-by-database", args.database.security_group,
                         port=POSTGRES_PORT, source_group_id=group.id,
                         description="PostgreSQL from the RDS proxy", parent=self)
        return group

    def connect_arn(self, username: str) -> pulumi.Output[str]:
        """The `rds-db:connect` resource a function's role is granted to log in as `username`
        through the proxy: arn:aws:rds-db:<region>:<account>:dbuser:<proxy resource id>/<user>
        (RDS User Guide, "Connecting to a database through RDS Proxy", IAM authentication)."""
        return self.proxy.arn.apply(lambda arn: proxy_connect_arn(arn, self._region, username))


def proxy_connect_arn(proxy_arn: str, region: str, username: str) -> str:
    """The proxy's ARN is arn:aws:rds:<region>:<account>:db-proxy:<resource id> (prx-…)."""
    account, resource_id = proxy_arn.split(":")[4], proxy_arn.split(":")[-1]
    return f"arn:aws:rds-db:{region}:{account}:dbuser:{resource_id}/{username}"


def secret_access_policy(secret_arn: pulumi.Input[str], region: str,
                         account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """Read the master secret, and decrypt it through Secrets Manager whatever key encrypts it
    (aws/secretsmanager, or a customer key): the shape of AWS's managed policy
    AWSSecretsManagerClientReadOnlyAccess, narrowed to this secret, region and account. RDS User
    Guide, "Configuring IAM authentication for RDS Proxy": GetSecretValue on the secrets, Decrypt
    on the key that encrypts them."""
    return pulumi.Output.json_dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadMasterSecret", "Effect": "Allow",
             "Action": "secretsmanager:GetSecretValue", "Resource": secret_arn},
            {"Sid": "DecryptMasterSecret", "Effect": "Allow", "Action": "kms:Decrypt",
             "Resource": pulumi.Output.concat("arn:aws:kms:", region, ":", account_id, ":key/*"),
             "Condition": {"StringEquals": {
                 "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
                 "kms:EncryptionContext:SecretARN": secret_arn}}},
        ],
    })
