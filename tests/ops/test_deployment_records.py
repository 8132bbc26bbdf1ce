"""The deployment recorder (python -m ops.deployments) against the moto server: records, listings,
two runs in the same second, and every bad input refused in one line with exit 2."""
import threading
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from components.observability.deployment_history import TTL_ATTRIBUTE
from conftest import REGION, TABLE, build_table, client, outputs_for, run_ops
from ops import aws, deployments
from ops.errors import BadInput

NOON = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone.utc)
AT_NOON = "2026-11-23T12:00:00+00:00"


@pytest.fixture
def table():
    build_table()
    return client("dynamodb")


def record(*, at: datetime, version: str = "v1", extra=()) -> int:
    return deployments.main(["record", "--table", TABLE, "--stack", "prod", "--region", REGION,
                             "--version", version, "--commit", "abc123", "--status", "succeeded",
                             *extra], now=at)


def stored(table) -> list[dict]:
    items = table.query(TableName=TABLE, KeyConditionExpression="#s = :s",
                        ExpressionAttributeNames={"#s": "stack"},
                        ExpressionAttributeValues={":s": {"S": "prod"}})["Items"]
    return [{name: value.get("S", value.get("N")) for name, value in item.items()} for item in items]


def test_a_recorded_deployment_expires_ninety_days_later(table):
    assert record(at=NOON) == 0
    [item] = stored(table)
    assert item["deployedAt"] == AT_NOON and item["status"] == "succeeded"
    assert int(item[TTL_ATTRIBUTE]) == int((NOON + timedelta(days=90)).timestamp())


def test_the_latest_deployments_come_newest_first_from_the_stack_outputs(table, write_outputs,
                                                                         capsys):
    for hours, version in ((0, "v1"), (1, "v2"), (2, "v3")):
        record(at=NOON + timedelta(hours=hours), version=version)
    outputs = write_outputs(outputs_for())
    capsys.readouterr()
    assert deployments.main(["list", "--stack", "prod", "--outputs", outputs, "--limit", "2"]) == 0
    assert [line.split()[-2] for line in capsys.readouterr().out.splitlines()] == ["v3", "v2"]


def test_two_runs_in_the_same_second_are_both_kept(table):
    assert record(at=NOON, version="v1") == 0
    assert record(at=NOON, version="v2") == 0
    versions = {item["deployedAt"]: item["version"] for item in stored(table)}
    assert versions == {AT_NOON: "v1", f"{AT_NOON}#002": "v2"}


def test_concurrent_runs_in_the_same_second_lose_no_record(table):
    start, codes = threading.Barrier(3), []

    def run(version: str):
        start.wait()
        codes.append(record(at=NOON, version=version))

    threads = [threading.Thread(target=run, args=(f"v{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [0, 0, 0]
    assert sorted(item["version"] for item in stored(table)) == ["v0", "v1", "v2"]


def test_an_item_missing_a_field_is_skipped_and_said_so(table, capsys):
    record(at=NOON, version="v1")
    table.put_item(TableName=TABLE, Item={"stack": {"S": "prod"},
                                          "deployedAt": {"S": "2026-11-23T13:00:00+00:00"}})
    assert deployments.main(["list", "--table", TABLE, "--stack", "prod", "--region", REGION]) == 0
    out, err = capsys.readouterr()
    assert out.split()[-2:] == ["v1", "abc123"]
    assert err == ("skipped the item at 2026-11-23T13:00:00+00:00: it lacks version, commit, "
                   "status, actor\n")


def test_throttling_is_retried_with_backoff_then_reported(table, throttle, capsys):
    sleeps = throttle("PutItem", 2)
    assert record(at=NOON, version="v1") == 0
    assert len(sleeps) == 2
    throttle("PutItem", 3)
    assert record(at=NOON + timedelta(hours=1), version="v2") == 1
    assert "AWS throttled PutItem (ThrottlingException) and it still failed after 3 attempts" in \
        capsys.readouterr().err
    assert [item["version"] for item in stored(table)] == ["v1"]


BAD = {
    "missing table": (["--table", "nope-table"], "table 'nope-table' does not exist in ap-northeast-2"),
    "empty table": (["--table", ""], "--table is empty"),
    "wrong region": (["--region", "AP-NORTHEAST-2"], "--region = 'AP-NORTHEAST-2' is not an AWS region"),
    "unknown region": (["--region", "mars-east-1"], "--region = 'mars-east-1' is not an AWS region"),
    "empty version": (["--version", ""], "--version is empty"),
    "blank commit": (["--commit", "  "], "--commit is empty"),
    "oversized actor": (["--actor", "a" * 257], "--actor is 257 characters long; allowed: at most 256"),
    "unknown status": (["--status", "ok"], "argument --status: invalid choice: 'ok'"),
}


@pytest.mark.parametrize("change, message", BAD.values(), ids=BAD.keys())
def test_bad_input_is_refused_in_one_line_with_exit_2(table, change, message, capsys):
    argv = dict(zip(["--table", "--region", "--version", "--commit", "--status"],
                    [TABLE, REGION, "v1", "abc", "succeeded"]))
    argv.update(zip(change[::2], change[1::2]))
    args = ["record", "--stack", "prod", *[part for pair in argv.items() for part in pair]]
    assert deployments.main(args, now=NOON) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


@pytest.mark.parametrize("limit", ["0", "-3", "1001"])
def test_a_list_limit_outside_1_to_1000_is_refused(limit, capsys):
    assert deployments.main(["list", "--table", TABLE, "--stack", "prod", "--region", REGION,
                             "--limit", limit]) == 2
    assert f"--limit {limit} is not valid; allowed: 1 to 1000" in capsys.readouterr().err


def test_no_region_anywhere_is_refused(write_outputs, capsys):
    outputs = write_outputs({"deploymentHistoryTable": TABLE})
    assert deployments.main(["list", "--stack", "prod", "--outputs", outputs]) == 2
    assert "stack output 'region' is missing" in capsys.readouterr().err


def test_no_credentials_are_refused(table, monkeypatch, capsys):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setattr(aws, "session", boto3.session.Session)  # not the run's, which has them
    assert record(at=NOON) == 2
    assert "no AWS credentials" in capsys.readouterr().err


def test_an_unreachable_endpoint_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("WEBSTACK_AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert record(at=NOON) == 2
    assert "cannot reach the AWS endpoint" in capsys.readouterr().err


def test_times_are_stored_in_utc_whatever_the_runners_zone():
    seoul = timezone(timedelta(hours=9))
    item = deployments.deployment_item(stack="prod", version="v1", commit="c", status="failed",
                                       actor="ci", now=datetime(2026, 11, 23, 21, 0, tzinfo=seoul))
    assert item["deployedAt"] == AT_NOON


def test_an_unknown_status_is_refused():
    with pytest.raises(BadInput, match="allowed: succeeded, failed, rolled_back"):
        deployments.deployment_item(stack="prod", version="v1", commit="c", status="ok",
                                    actor="ci", now=NOON)


def test_ci_records_through_the_command_line_with_the_stack_outputs(table, write_outputs):
    result = run_ops("record", "--stack", "prod", "--outputs", write_outputs(outputs_for()),
                     "--version", "run-7", "--commit", "abc", "--status", "failed",
                     module="ops.deployments")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"recorded prod run-7 (failed) at ")
    assert [item["status"] for item in stored(table)] == ["failed"]
