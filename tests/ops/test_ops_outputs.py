"""Every stack output `python -m ops` reads is one the program exports, on every stack."""
import re
from pathlib import Path

import pytest

from preview.engine import run_preview
from tests.conftest import STACKS

OPS = Path(__file__).resolve().parents[2] / "ops"
# Outputs the commands can use that the program does not build yet: a DNS name the app reaches the
# database through, a subnet group in the DR region; and DynamoDB tables beyond the deployment
# history, which only the serverless tier builds.
NOT_BUILT = {"databaseRecordName", "drDatabaseSubnetGroup", "dynamodbTables"}
ONLY_WITH_DR = {"drRegion", "drBackupVaultName"}
ONLY_SERVERLESS = {"functionNames", "deploymentGroupNames", "deploymentApplication"}


def outputs_read_by_ops() -> set[str]:
    names = set()
    for source in OPS.glob("*.py"):
        names.update(re.findall(r'outputs\.(?:require|get|name_map)\(\s*"(\w+)"',
                                source.read_text()))
    return names


def test_the_scan_finds_the_outputs_the_commands_read():
    assert {"databaseInstanceId", "backupVaultName", "drRegion", "hostedZoneId",
            "functionNames"} <= outputs_read_by_ops()


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_exports_what_ops_reads(plan_of, stack):
    wanted = outputs_read_by_ops() - NOT_BUILT - ONLY_WITH_DR - ONLY_SERVERLESS
    if stack == "dev":
        # no domain, no ECS service
        wanted -= {"hostedZoneId", "clusterName", "serviceName", "serviceNames"}
    assert wanted - set(plan_of(stack).outputs) == set()


def test_a_stack_with_a_dr_region_exports_it_and_its_vault():
    plan = run_preview("staging", overrides={"drRegion": "ap-northeast-1"})
    assert plan.outputs["drRegion"] == "ap-northeast-1"
    assert plan.outputs["drBackupVaultName"] == "webstack-staging-backups-dr"
    assert plan.outputs["backupRetentionDays"] == "7"


def test_a_serverless_stack_with_tables_exports_what_ops_reads():
    """Hanbit TODO: no ECS service, database, cache or domain; its tables for the backup check."""
    from preview.examples import EXAMPLES
    [hanbit] = [e for e in EXAMPLES if e.stack == "hanbit-todo"]
    plan = run_preview(hanbit.stack, config_file=hanbit.path)
    absent = {"hostedZoneId", "clusterName", "serviceName", "serviceNames", "databaseInstanceId",
              "cacheReplicationGroupId"}
    wanted = outputs_read_by_ops() - (NOT_BUILT - {"dynamodbTables"}) - ONLY_WITH_DR - absent
    assert wanted - set(plan.outputs) == set()
    assert plan.outputs["dynamodbTables"] == ["webstack-hanbit-todo-todos"]
