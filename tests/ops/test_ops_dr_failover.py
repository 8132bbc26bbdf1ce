"""`python -m ops dr failover` against the moto server: the snapshot copied to the DR region is
restored (or the DR replica promoted), the DNS record switched; --dry-run changes nothing; a
second run finds every step done."""
import json

import pytest

from conftest import (DATABASE, DR_REGION, RECORD, REGION, build_database, build_zone, client,
                      outputs_for, run_ops)
from ops.__main__ import main

TARGET = f"{DATABASE}-dr"


@pytest.fixture
def primary(write_outputs):
    """The primary database, its snapshot copied to the DR region, the zone and its record."""
    build_database()
    snapshot = client("rds").describe_db_snapshots(DBSnapshotIdentifier="nightly-1")["DBSnapshots"][0]
    client("rds", DR_REGION).copy_db_snapshot(
        SourceDBSnapshotIdentifier=snapshot["DBSnapshotArn"], SourceRegion=REGION,
        TargetDBSnapshotIdentifier="nightly-1-copy")
    zone = build_zone()
    return zone, write_outputs(outputs_for(databaseInstanceId=DATABASE, drRegion=DR_REGION,
                                           hostedZoneId=zone, databaseRecordName=RECORD))


def record_value(zone: str) -> str:
    records = client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    return next(r["ResourceRecords"][0]["Value"] for r in records if r["Type"] == "CNAME")


def dr_instances() -> list[dict]:
    return client("rds", DR_REGION).describe_db_instances()["DBInstances"]


def test_dry_run_shows_the_steps_and_changes_nothing(primary, capsys):
    zone, outputs = primary
    before = record_value(zone)
    assert main(["dr", "failover", "--stack", "prod", "--outputs", outputs, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would restore snapshot nightly-1-copy" in out and f"into {TARGET}" in out
    assert f"would point {RECORD} (now {before})" in out
    assert dr_instances() == [] and record_value(zone) == before


def test_failover_recovers_switches_dns_and_a_second_run_finds_it_done(primary, capsys):
    zone, outputs = primary
    first = run_ops("dr", "failover", "--stack", "prod", "--outputs", outputs,
                    "--poll-seconds", "1", "--json")
    assert first.returncode == 0, first.stdout + first.stderr
    [recovered] = dr_instances()
    assert recovered["DBInstanceIdentifier"] == TARGET and recovered["DeletionProtection"]
    assert record_value(zone) == recovered["Endpoint"]["Address"]
    assert main(["dr", "failover", "--stack", "prod", "--outputs", outputs, "--poll-seconds", "1",
                 "--json"]) == 0
    details = [line["detail"] for line in json.loads(capsys.readouterr().out)["lines"]]
    assert details[0].startswith(f"already done: {TARGET} exists")
    assert details[-1] == f"already done: {RECORD} points to {recovered['Endpoint']['Address']}"
    assert len(dr_instances()) == 1


def test_the_dr_replica_is_promoted_instead_of_restoring(primary, capsys):
    zone, outputs = primary
    dr = client("rds", DR_REGION)
    dr.create_db_parameter_group(DBParameterGroupName="webstack-prod-postgres",
                                 DBParameterGroupFamily="postgres16", Description="DR copy")
    source = client("rds").describe_db_instances(DBInstanceIdentifier=DATABASE)["DBInstances"][0]
    dr.create_db_instance_read_replica(DBInstanceIdentifier=TARGET, DBInstanceClass="db.t3.large",
                                       SourceDBInstanceIdentifier=source["DBInstanceArn"])
    assert main(["dr", "failover", "--stack", "prod", "--outputs", outputs,
                 "--poll-seconds", "1"]) == 0
    assert f"promoting the read replica {TARGET}" in capsys.readouterr().out
    tags = dr.describe_db_instances(DBInstanceIdentifier=TARGET)["DBInstances"][0]["TagList"]
    assert {"Key": "webstack:recovered-from", "Value": "promoted replica"} in tags
    assert record_value(zone) == dr_instances()[0]["Endpoint"]["Address"]


def test_no_copied_snapshot_and_no_replica_is_a_problem(write_outputs, capsys):
    build_database()
    zone = build_zone()
    outputs = write_outputs(outputs_for(databaseInstanceId=DATABASE, drRegion=DR_REGION,
                                        hostedZoneId=zone, databaseRecordName=RECORD))
    assert main(["dr", "failover", "--stack", "prod", "--outputs", outputs]) == 1
    assert "nothing to recover from" in capsys.readouterr().out


@pytest.mark.parametrize("missing", ["drRegion", "hostedZoneId", "databaseRecordName"])
def test_a_missing_output_is_named(missing, write_outputs, capsys):
    values = outputs_for(databaseInstanceId=DATABASE, drRegion=DR_REGION, hostedZoneId="Z1",
                         databaseRecordName=RECORD)
    del values[missing]
    assert main(["dr", "failover", "--stack", "prod", "--outputs", write_outputs(values)]) == 2
    assert f"stack output {missing!r} is missing" in capsys.readouterr().err
