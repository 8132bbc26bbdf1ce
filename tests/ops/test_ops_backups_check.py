"""`python -m ops backups check`: RDS snapshots and DynamoDB point-in-time recovery from the moto
server; from a Stubber, AWS Backup's recovery points (moto implements no recovery point API:
ListRecoveryPointsByBackupVault), in the stack's vault and in the DR region's copy vault, and
Redis snapshots (moto's DescribeSnapshots gives no NodeSnapshots with their creation times)."""
from datetime import datetime, timedelta, timezone

import pytest

from conftest import (DATABASE, DR_REGION, REGION, WANTED, build_database, build_table, client,
                      outputs_for, run_ops)
from ops.__main__ import main

OUTPUTS = outputs_for(**{key: value for key, value in WANTED.items() if value is not None})


def recovery_points(stub, region: str, vault: str, resource_arn: str, hours_old: float,
                    keep_days: int = 30) -> None:
    created = datetime.now(timezone.utc) - timedelta(hours=hours_old)
    stub("backup", region).add_response(
        "list_recovery_points_by_backup_vault",
        {"RecoveryPoints": [{
            "RecoveryPointArn": f"arn:aws:rds:{region}:123456789012:snapshot:awsbackup:job-1",
            "BackupVaultName": vault, "ResourceArn": resource_arn, "ResourceType": "RDS",
            "Status": "COMPLETED", "CreationDate": created,
            "Lifecycle": {"DeleteAfterDays": keep_days}}]},
        {"BackupVaultName": vault, "ByResourceArn": resource_arn})


def test_fresh_backups_everywhere_are_healthy(stub, write_outputs, capsys):
    arn = build_database()["DBInstanceArn"]
    build_table()
    recovery_points(stub, REGION, "webstack-prod-backups", arn, hours_old=5)
    recovery_points(stub, DR_REGION, "webstack-prod-backups-dr", arn, hours_old=6)
    redis = stub("elasticache")
    redis.add_response("describe_replication_groups", {"ReplicationGroups": [{
        "ReplicationGroupId": "webstack-prod-redis", "SnapshotRetentionLimit": 30}]})
    redis.add_response("describe_snapshots", {"Snapshots": [{
        "SnapshotName": "automatic.webstack-prod-redis-2026-11-30", "NodeSnapshots": [{
            "SnapshotCreateTime": datetime.now(timezone.utc) - timedelta(hours=20)}]}]},
        {"ReplicationGroupId": "webstack-prod-redis"})
    outputs = write_outputs({**OUTPUTS, "cacheReplicationGroupId": "webstack-prod-redis"})
    code = main(["backups", "check", "--stack", "prod", "--outputs", outputs])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "newest snapshot is 20.0 h old" in out
    assert "newest recovery point is 5.0 h old" in out
    assert "kept 30 days, as configured" in out
    assert f"DR copy {DR_REGION}/webstack-prod-backups-dr" in out
    assert f"RDS snapshots {DATABASE}" in out and "DynamoDB webstack-prod-deployments" in out


def test_an_old_backup_a_short_retention_no_snapshot_and_pitr_off_are_each_reported(
        stub, write_outputs, capsys):
    rds = client("rds")
    arn = build_database()["DBInstanceArn"]
    for snapshot in rds.describe_db_snapshots(DBInstanceIdentifier=DATABASE)["DBSnapshots"]:
        rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"])
    build_table(pitr=False)
    recovery_points(stub, REGION, "webstack-prod-backups", arn, hours_old=30, keep_days=7)
    stub("backup", DR_REGION).add_response("list_recovery_points_by_backup_vault",
                                           {"RecoveryPoints": []})
    code = main(["backups", "check", "--stack", "prod", "--outputs", write_outputs(OUTPUTS),
                 "--json"])
    out = capsys.readouterr().out
    assert code == 1
    for expected in ("newest recovery point is 30.0 h old (more than 26 h)",
                     "kept 7 days, the stack's config says 30",
                     f"no completed copy of {arn}",
                     "missing: no available snapshot",
                     "point-in-time recovery is off"):
        assert expected in out


def test_throttling_is_retried_with_backoff_then_reported(stub, throttle, write_outputs, capsys):
    arn = build_database()["DBInstanceArn"]
    build_table()
    outputs = write_outputs(outputs_for(databaseInstanceId=DATABASE))
    for attempt in range(2):
        recovery_points(stub, REGION, "webstack-prod-backups", arn, hours_old=1)
    sleeps = throttle("DescribeContinuousBackups", 2)  # AWS_MAX_ATTEMPTS=3: the third succeeds
    assert main(["backups", "check", "--stack", "prod", "--outputs", outputs]) == 0
    assert len(sleeps) == 2 and all(0 <= delay <= 20 for delay in sleeps)
    throttle("DescribeContinuousBackups", 3)  # never succeeds
    assert main(["backups", "check", "--stack", "prod", "--outputs", outputs]) == 1
    assert len(sleeps) == 2 + 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["python -m ops: AWS throttled DescribeContinuousBackups (ThrottlingException) "
                   "and it still failed after 3 attempts with backoff; try again later"]


@pytest.mark.parametrize("values, message", [
    (outputs_for(), "stack output 'databaseInstanceId' is missing from"),
    (outputs_for(databaseInstanceId=DATABASE, region="AP-NORTHEAST-2"),
     "stack output 'region' in"),
])
def test_a_missing_or_wrong_output_is_bad_input(values, message, write_outputs, capsys):
    assert main(["backups", "check", "--stack", "prod", "--outputs", write_outputs(values)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_the_command_line_refuses_bad_input_in_one_line_without_a_traceback(write_outputs):
    result = run_ops("backups", "check", "--stack", "prod", "--outputs",
                     write_outputs(outputs_for()))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "'databaseInstanceId' is missing" in result.stderr


def test_an_api_the_endpoint_lacks_is_one_line_even_when_it_answers_a_web_page(write_outputs,
                                                                              capsys):
    """moto has no recovery point API: it answers 404 with an HTML page."""
    build_database()
    assert main(["backups", "check", "--stack", "prod", "--outputs", write_outputs(OUTPUTS)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("python -m ops: ListRecoveryPointsByBackupVault failed (404)")
    assert err.count("\n") == 1
