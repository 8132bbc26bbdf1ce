"""AWS Backup: a daily plan over the databases (and the MVP's EBS), retention from config, DR copy."""
import pytest

from preview.engine import run_preview
from tests.support import named

VAULT = "aws:backup/vault:Vault"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
KEY = "aws:kms/key:Key"
RDS = "aws:rds/instance:Instance"


@pytest.fixture(scope="module")
def dr_plan():
    return run_preview("prod", overrides={"drRegion": "ap-northeast-1"})


@pytest.mark.parametrize("stack, days", [("dev", 7), ("staging", 7), ("prod", 30)])
def test_backups_are_daily_and_kept_as_configured(plan_of, stack, days):
    rule, = plan_of(stack).one(PLAN).inputs["rules"]
    assert rule["schedule"] == "cron(0 20 * * ? *)"  # 05:00 KST: after RDS's windows
    assert rule["lifecycle"]["deleteAfter"] == days
    assert rule["targetVaultName"] == "webstack-%s-backups" % stack
    assert "copyActions" not in rule


def test_retention_follows_config():
    plan = run_preview("staging", overrides={"backupRetentionDays": "14"})
    assert plan.one(PLAN).inputs["rules"][0]["lifecycle"]["deleteAfter"] == 14


def test_the_selection_covers_the_primary_database_and_the_mvp_instance(dev_plan, prod_plan):
    dev_arns = set(dev_plan.one(SELECTION).inputs["resources"])
    assert dev_arns == {dev_plan.one(RDS).outputs["arn"],
                        dev_plan.one("aws:ec2/instance:Instance").outputs["arn"]}
    primary = named(prod_plan, RDS, "database-instance")
    # AWS Backup cannot back up a read replica; the primary's backups cover its data.
    assert prod_plan.one(SELECTION).inputs["resources"] == [primary.outputs["arn"]]


def test_the_selection_runs_with_the_backup_service_role(prod_plan):
    selection = prod_plan.one(SELECTION)
    role = next(r for r in prod_plan.of_type("aws:iam/role:Role")
                if r.outputs["arn"] == selection.inputs["iamRoleArn"])
    assert '"backup.amazonaws.com"' in role.inputs["assumeRolePolicy"]
    attached = {a.inputs["policyArn"].rsplit("/", 1)[-1]
                for a in prod_plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                if a.inputs["role"] == role.outputs["name"]}
    assert attached == {"AWSBackupServiceRolePolicyForBackup",
                        "AWSBackupServiceRolePolicyForRestores"}


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_vault_is_encrypted_with_its_own_rotated_key_and_protected(plan_of, stack):
    plan = plan_of(stack)
    vault = plan.one(VAULT)
    key = next(k for k in plan.of_type(KEY) if k.outputs["arn"] == vault.inputs["kmsKeyArn"])
    assert key.inputs["enableKeyRotation"] is True
    assert vault.protect is True
    assert vault.inputs["forceDestroy"] is False


def test_a_dr_region_gets_a_protected_vault_there_and_a_copy_of_every_backup(dr_plan):
    vaults = {v.inputs["name"]: v for v in dr_plan.of_type(VAULT)}
    copy_vault = vaults["webstack-prod-backups-dr"]
    provider = dr_plan.by_urn(copy_vault.provider_urn)
    assert provider.inputs["region"] == "ap-northeast-1"
    assert copy_vault.protect is True
    copy_key = next(k for k in dr_plan.of_type(KEY)
                    if k.outputs["arn"] == copy_vault.inputs["kmsKeyArn"])
    assert dr_plan.by_urn(copy_key.provider_urn).inputs["region"] == "ap-northeast-1"
    copy, = dr_plan.one(PLAN).inputs["rules"][0]["copyActions"]
    assert copy["destinationVaultArn"] == copy_vault.outputs["arn"]
    assert copy["lifecycle"]["deleteAfter"] == 30


def test_the_vault_name_is_a_stack_output(prod_plan):
    assert prod_plan.outputs["backupVaultName"] == prod_plan.one(VAULT).inputs["name"]


def test_the_daily_backup_window_clears_rds_backup_and_maintenance_windows(prod_plan):
    """AWS Backup does not start a database backup during its maintenance window."""
    database = named(prod_plan, RDS, "database-instance").inputs
    rule = prod_plan.one(PLAN).inputs["rules"][0]
    start_hour = int(rule["schedule"].split()[1])  # cron(minute hour …), UTC
    end_hour = start_hour + rule["startWindow"] / 60
    maintenance = database["maintenanceWindow"]  # ddd:HH:MM-ddd:HH:MM
    backup = database["backupWindow"]  # HH:MM-HH:MM
    busy = [(int(maintenance[4:6]), int(maintenance[-5:-3]) + 1), (int(backup[:2]), int(backup[6:8]))]
    for busy_start, busy_end in busy:
        assert end_hour <= busy_start or start_hour >= busy_end
