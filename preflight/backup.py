"""AWS Backup: schedule expressions, names, windows."""
from __future__ import annotations

import re

from preflight.model import cites, found, known
from preview.plan import Plan

PLAN = "aws:backup/plan:Plan"
VAULT = "aws:backup/vault:Vault"
CRON_FIELDS = 6  # minutes hours day-of-month month day-of-week year
RULE_NAME = re.compile(r"[A-Za-z0-9\-_.]{1,50}")
VAULT_NAME = re.compile(r"[a-zA-Z0-9\-_]{2,50}")


def _cron_problem(expression: str):
    match = re.fullmatch(r"cron\((.*)\)", expression.strip())
    if not match:
        return f"schedule {expression!r} is not cron(...)"
    fields = match.group(1).split()
    if len(fields) != CRON_FIELDS:
        return f"schedule {expression!r} has {len(fields)} fields; AWS cron has {CRON_FIELDS}"
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return f"schedule {expression!r}: exactly one of day-of-month and day-of-week is '?'"
    return None


@cites("https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/backup/aws.sdk.kotlin.services.backup.model/-backup-rule/schedule-expression.html")
def backup_schedules(plan: Plan) -> list:
    """Rules run on an AWS cron expression: six fields, '?' in day-of-month or day-of-week."""
    return [found(backup_schedules, backup_plan, problem)
            for backup_plan in plan.of_type(PLAN)
            for rule in backup_plan.inputs.get("rules") or []
            if known(schedule := rule.get("schedule"))
            and (problem := _cron_problem(schedule))]


@cites("https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsBackupBackupPlanRuleDetails.html")
def backup_rule_names(plan: Plan) -> list:
    """A rule name has 1 to 50 alphanumerics or '-_.'."""
    return [found(backup_rule_names, backup_plan, f"rule name {name!r} does not match "
                  f"{RULE_NAME.pattern}")
            for backup_plan in plan.of_type(PLAN)
            for rule in backup_plan.inputs.get("rules") or []
            if known(name := rule.get("ruleName")) and not RULE_NAME.fullmatch(name)]


@cites("https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultNotifications.html")
def vault_names(plan: Plan) -> list:
    """2 to 50 letters, digits, hyphens or underscores."""
    return [found(vault_names, vault, f"name {name!r} does not match {VAULT_NAME.pattern}")
            for vault in plan.of_type(VAULT)
            if known(name := vault.inputs.get("name")) and not VAULT_NAME.fullmatch(name)]


RULES = [backup_schedules, backup_rule_names, vault_names]
