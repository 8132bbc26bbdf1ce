"""RDS PostgreSQL: encrypted, private, backed up; the master password in Secrets Manager, kept
and rotated by RDS, or, with read replicas (which RDS refuses for a password it manages), by the
stack (components/data/database_credentials.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.data.final_snapshot import final_snapshot_name
from components.data.database_credentials import (CredentialsArgs, DatabaseCredentials,
                                                  generated_password)
from components.network.security_groups import allow_from_group, security_group
from components.observability.logs_key import encrypted_log_group
from config.settings import DatabaseSettings

POSTGRES_PORT = 5432
LOG_EXPORTS = ["postgresql", "upgrade"]
# UTC windows: backups at 02:00 KST, maintenance on Monday 03:00 KST, after the backup.
BACKUP_WINDOW = "17:00-18:00"
MAINTENANCE_WINDOW = "sun:18:30-sun:19:30"
SLOW_QUERY_MS = 1000
# Free tier of Performance Insights; RDS for PostgreSQL has it on every instance class (the
# micro/small exclusions apply to MySQL and MariaDB).
PERFORMANCE_INSIGHTS_DAYS = 7


@dataclass(frozen=True)
class DatabaseArgs:
    name_prefix: str
    settings: DatabaseSettings
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    client_security_group_id: pulumi.Input[str]
    log_retention_days: int
    logs_key_arn: pulumi.Input[str]
    protect: bool
    region: str = ""
    # Private subnets with a route out, where the password's rotation function runs; needed
    # with read replicas only.
    rotation_subnet_ids: Sequence[pulumi.Input[str]] = ()


def parameter_family(engine_version: str) -> str:
    return f"postgres{engine_version.split('.')[0]}"


class Database(pulumi.ComponentResource):
    def __init__(self, name: str, args: DatabaseArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:database:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        identifier = f"{args.name_prefix}-postgres"

        self.security_group = security_group(
            f"{args.name_prefix}-database", vpc_id=args.vpc_id, role="database",
            description="PostgreSQL, reachable from the backend only", parent=self)
        allow_from_group(f"{name}-from-backend", self.security_group, port=POSTGRES_PORT,
                         source_group_id=args.client_security_group_id,
                         description="PostgreSQL from the backend", parent=self)
        subnet_group = aws.rds.SubnetGroup(f"{name}-subnets", subnet_ids=list(args.subnet_ids),
                                           description=f"{identifier} isolated subnets", opts=child)
        parameters = aws.rds.ParameterGroup(
            f"{name}-parameters", family=parameter_family(settings.engine_version),
            description=f"{identifier}: TLS required, slow queries logged",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1"),
                aws.rds.ParameterGroupParameterArgs(name="log_min_duration_statement",
                                                    value=str(SLOW_QUERY_MS)),
            ], opts=child)
        log_groups = self._log_groups(name, identifier, args)
        # RDS User Guide, "Limitations for Secrets Manager integration": no read replica of a
        # source whose master password RDS manages.
        rds_keeps_password = settings.read_replicas == 0
        password = (None if rds_keeps_password
                    else generated_password(f"{name}-master-password", self).result)
        self.instance = aws.rds.Instance(
            f"{name}-instance",
            identifier=identifier,
            engine="postgres", engine_version=settings.engine_version,
            instance_class=settings.instance_class,
            allocated_storage=settings.allocated_storage,
            max_allocated_storage=settings.max_allocated_storage or None,
            storage_type="gp3", storage_encrypted=True,
            db_name=settings.name, username=settings.username,
            manage_master_user_password=True if rds_keeps_password else None,
            password=password,
            iam_database_authentication_enabled=True,
            multi_az=settings.multi_az,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            parameter_group_name=parameters.name,
            publicly_accessible=False,
            backup_retention_period=settings.backup_retention_days,
            backup_window=BACKUP_WINDOW, maintenance_window=MAINTENANCE_WINDOW,
            copy_tags_to_snapshot=True, auto_minor_version_upgrade=True,
            # A new major dbEngineVersion (with its parameter group family) is refused without
            # it (RDS ModifyDBInstance, AllowMajorVersionUpgrade); in-region replicas follow.
            allow_major_version_upgrade=True,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            performance_insights_enabled=True,
            performance_insights_retention_period=PERFORMANCE_INSIGHTS_DAYS,
            deletion_protection=args.protect,
            skip_final_snapshot=False,
            final_snapshot_identifier=final_snapshot_name(f"{name}-final-snapshot", identifier, self),
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, depends_on=log_groups,
                # Once created, the rotation function owns the password.
                ignore_changes=None if rds_keeps_password else ["password"]))
        self.replicas = [self._replica(f"{name}-replica-{number}",
                                       f"{identifier}-replica-{number}", args, parameters)
                         for number in range(1, settings.read_replicas + 1)]

        self.endpoint = self.instance.address
        self.reader_endpoint = self.replicas[0].address if self.replicas else self.endpoint
        self.port = self.instance.port
        self.master_secret_arn = (
            self.instance.master_user_secrets.apply(
                lambda secrets: secrets[0]["secret_arn"] if secrets else None)
            if rds_keeps_password else
            DatabaseCredentials(f"{name}-credentials", CredentialsArgs(
                args.name_prefix, settings.username, settings.name, POSTGRES_PORT, args.region,
                args.vpc_id, args.rotation_subnet_ids, self.security_group),
                password, self.instance.address,
                pulumi.ResourceOptions(parent=self)).secret_arn)
        self.register_outputs({"endpoint": self.endpoint, "readerEndpoint": self.reader_endpoint,
                               "securityGroupId": self.security_group.id})

    def _log_groups(self, name: str, identifier: str,
                    args: DatabaseArgs) -> list[aws.cloudwatch.LogGroup]:
        """RDS would create these itself, without retention or encryption; owning them sets both."""
        return [
            encrypted_log_group(f"{name}-{log}-logs", f"/aws/rds/instance/{identifier}/{log}",
                                args.log_retention_days, args.logs_key_arn, parent=self)
            for log in LOG_EXPORTS
        ]

    def _replica(self, name: str, identifier: str, args: DatabaseArgs,
                 parameters: aws.rds.ParameterGroup) -> aws.rds.Instance:
        """A read replica: reads scale out, and it can be promoted if the primary's region fails.

        Engine, user, subnet group and backups come from the primary (RDS refuses a subnet group
        for a replica in the primary's region); RDS takes no final snapshot of a replica.
        """
        settings = args.settings
        log_groups = self._log_groups(name, identifier, args)
        return aws.rds.Instance(
            name, identifier=identifier, replicate_source_db=self.instance.identifier,
            instance_class=settings.instance_class,
            storage_type="gp3", storage_encrypted=True,
            max_allocated_storage=settings.max_allocated_storage or None,
            vpc_security_group_ids=[self.security_group.id],
            parameter_group_name=parameters.name, publicly_accessible=False,
            iam_database_authentication_enabled=True,
            maintenance_window=MAINTENANCE_WINDOW, auto_minor_version_upgrade=True,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            performance_insights_enabled=True,
            performance_insights_retention_period=PERFORMANCE_INSIGHTS_DAYS,
            deletion_protection=args.protect, skip_final_snapshot=True,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=log_groups))

