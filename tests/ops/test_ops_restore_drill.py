"""`python -m ops restore-drill` against the moto server (RDS snapshot restore, DynamoDB
point-in-time restore): the copies are checked, timed and removed, also after a failure midway
or an interrupt; --keep leaves them."""
import json
import os
import signal
import time

import pytest

from conftest import DATABASE, TABLE, build_database, build_table, client, outputs_for, run_ops
from ops import restore_drill
from ops.__main__ import main

OUTPUTS = outputs_for(databaseInstanceId=DATABASE)


def instances() -> list[str]:
    return [db["DBInstanceIdentifier"] for db in client("rds").describe_db_instances()["DBInstances"]]


def tables() -> list[str]:
    return client("dynamodb").list_tables()["TableNames"]


def test_a_drill_restores_checks_times_and_removes_its_copies(write_outputs):
    build_database()
    build_table()
    result = run_ops("restore-drill", "--stack", "prod", "--outputs", write_outputs(OUTPUTS),
                     "--poll-seconds", "1", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    details = [line["detail"] for line in report["lines"]]
    assert any(detail.startswith("restored from ") and "postgres 16.4, encrypted, 100 GiB, "
               "parameter group webstack-prod-postgres" in detail for detail in details)
    assert sum(detail.startswith("removed ") for detail in details) == 2
    assert {"postgres restore (s)", f"dynamodb restore {TABLE} (s)", "drill total (s)"} <= \
        set(report["figures"])
    assert instances() == [DATABASE] and tables() == [TABLE]


def test_keep_leaves_the_tagged_copies(write_outputs, capsys):
    build_database()
    build_table()
    assert main(["restore-drill", "--stack", "prod", "--outputs", write_outputs(OUTPUTS),
                 "--poll-seconds", "1", "--keep"]) == 0
    [copy] = [name for name in instances() if name != DATABASE]
    tags = client("rds").describe_db_instances(DBInstanceIdentifier=copy)["DBInstances"][0]["TagList"]
    assert {"Key": "webstack:purpose", "Value": "restore-drill"} in tags
    assert len(tables()) == 2 and capsys.readouterr().out.count("\nnote     kept") == 2


def test_a_missing_snapshot_is_a_problem_and_nothing_is_restored(write_outputs, capsys):
    rds = client("rds")
    build_database()
    for snapshot in rds.describe_db_snapshots(DBInstanceIdentifier=DATABASE)["DBSnapshots"]:
        rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"])
    assert main(["restore-drill", "--stack", "prod", "--outputs", write_outputs(OUTPUTS)]) == 1
    assert f"missing: no available snapshot of {DATABASE}" in capsys.readouterr().out
    assert instances() == [DATABASE]


def test_a_restore_failing_midway_still_removes_what_it_made(write_outputs, capsys):
    build_database()
    build_table()
    outputs = write_outputs({**OUTPUTS, "dynamodbTables": ["webstack-prod-sessions"]})  # absent
    assert main(["restore-drill", "--stack", "prod", "--outputs", outputs,
                 "--poll-seconds", "1"]) == 1
    out = capsys.readouterr().out
    assert "failed midway: RestoreTableToPointInTime failed (SourceTableNotFoundException)" in out
    assert out.count("removed DB instance") == 1 and out.count("removed DynamoDB table") == 1
    assert instances() == [DATABASE] and tables() == [TABLE]


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_during_the_drill_still_removes_the_copies(signal_number, write_outputs,
                                                            monkeypatch, capsys):
    """The signal arrives for real (to this process) while the drill checks its first copy."""
    build_database()
    build_table()

    def signalled(*args):
        os.kill(os.getpid(), signal_number)
        time.sleep(5)  # interrupted long before
    monkeypatch.setattr(restore_drill, "check_database", signalled)
    before, started = signal.getsignal(signal.SIGTERM), time.monotonic()
    assert main(["restore-drill", "--stack", "prod", "--outputs", write_outputs(OUTPUTS),
                 "--poll-seconds", "1"]) == 1
    assert time.monotonic() - started < 5
    out = capsys.readouterr().out
    assert "interrupted (Ctrl-C or SIGTERM) before it finished" in out
    assert "removed DB instance webstack-prod-postgres-drill-" in out
    assert instances() == [DATABASE] and tables() == [TABLE]
    assert signal.getsignal(signal.SIGTERM) == before  # put back as it was
