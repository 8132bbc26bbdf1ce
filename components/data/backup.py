"""AWS Backup: a KMS-encrypted vault and a daily plan over the databases and EBS volumes, with an
optional copy of every backup to a vault in a second region for disaster recovery."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.iam import service_role
from config.settings import BackupSettings

# 05:00 KST: after RDS's own backup window (02:00-03:00 KST) and its Monday maintenance window
# (03:30-04:30 KST), during which AWS Backup would not start a database backup.
DAILY_SCHEDULE = "cron(0 20 * * ? *)"
START_WINDOW_MINUTES = 60
COMPLETION_WINDOW_MINUTES = 360
# Every backup job's end (its State says COMPLETED or FAILED) and failed DR copies; the
# BACKUP_JOB_FAILED event is deprecated and sends nothing (AWS Backup API reference,
# PutBackupVaultNotifications, BackupVaultEvents).
VAULT_EVENTS = ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"]
BACKUP_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
RESTORE_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"


@dataclass(frozen=True)
class BackupArgs:
    name_prefix: str
    settings: BackupSettings
    resource_arns: Sequence[pulumi.Input[str]]  # RDS instances, EC2 instances (their EBS volumes)
    protect: bool
    dr_provider: Optional[aws.Provider] = None  # the provider of settings.dr_region
    # The stack region's alert topic; it must let AWS Backup publish (components/observability/alerts.py).
    alert_topic_arn: Optional[pulumi.Input[str]] = None


class Backups(pulumi.ComponentResource):
    def __init__(self, name: str, args: BackupArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:backup:Backups", name, None, opts)
        self.vault = self._vault(f"{name}-vault", f"{args.name_prefix}-backups", args, None)
        copy_vault = (self._vault(f"{name}-dr-vault", f"{args.name_prefix}-backups-dr", args,
                                  args.dr_provider) if args.settings.dr_region else None)
        self.plan = aws.backup.Plan(
            f"{name}-plan", name=f"{args.name_prefix}-daily",
            rules=[daily_rule(self.vault.name, args.settings.retention_days,
                              copy_vault.arn if copy_vault else None)],
            opts=pulumi.ResourceOptions(parent=self))
        aws.backup.Selection(
            f"{name}-selection", name=f"{args.name_prefix}-data", plan_id=self.plan.id,
            iam_role_arn=self._service_role(name).arn, resources=list(args.resource_arns),
            opts=pulumi.ResourceOptions(parent=self))

        if args.alert_topic_arn is not None:
            aws.backup.VaultNotifications(
                f"{name}-notifications", backup_vault_name=self.vault.name,
                sns_topic_arn=args.alert_topic_arn, backup_vault_events=VAULT_EVENTS,
                opts=pulumi.ResourceOptions(parent=self))

        self.vault_name = self.vault.name
        self.dr_vault_name = copy_vault.name if copy_vault else None
        self.register_outputs({"vaultName": self.vault_name, "planId": self.plan.id})

    def _vault(self, name: str, vault_name: str, args: BackupArgs,
               provider: Optional[aws.Provider]) -> aws.backup.Vault:
        """A vault under its own rotated key: recovery points stay readable only through it."""
        in_region = pulumi.ResourceOptions(parent=self, provider=provider)
        key = aws.kms.Key(f"{name}-key", description=f"{vault_name} encryption",
                          enable_key_rotation=True, deletion_window_in_days=30, opts=in_region)
        return aws.backup.Vault(
            name, name=vault_name, kms_key_arn=key.arn, force_destroy=False,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, protect=args.protect))

    def _service_role(self, name: str) -> aws.iam.Role:
        child = pulumi.ResourceOptions(parent=self)
        role = service_role(f"{name}-role", "backup.amazonaws.com", self)
        for label, policy in (("backup", BACKUP_POLICY), ("restore", RESTORE_POLICY)):
            aws.iam.RolePolicyAttachment(f"{name}-role-{label}", role=role.name,
                                         policy_arn=policy, opts=child)
        return role


def daily_rule(vault_name: pulumi.Input[str], retention_days: int,
               copy_vault_arn: Optional[pulumi.Input[str]]) -> aws.backup.PlanRuleArgs:
    lifecycle = aws.backup.PlanRuleLifecycleArgs(delete_after=retention_days)
    copies = ([aws.backup.PlanRuleCopyActionArgs(
        destination_vault_arn=copy_vault_arn,
        lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(delete_after=retention_days))]
        if copy_vault_arn is not None else None)
    return aws.backup.PlanRuleArgs(
        rule_name="daily", target_vault_name=vault_name, schedule=DAILY_SCHEDULE,
        start_window=START_WINDOW_MINUTES, completion_window=COMPLETION_WINDOW_MINUTES,
        lifecycle=lifecycle, copy_actions=copies,
        recovery_point_tags={"BackupRule": "daily"})
