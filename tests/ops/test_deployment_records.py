"""Recording deployments in the history table, against moto's DynamoDB (in process, no AWS)."""
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from components.deployment_history import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from ops import deployments

REGION = "ap-northeast-2"
TABLE = "webstack-prod-deployments"
NOON = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def table(monkeypatch):
    """A table with the keys the program gives the real one."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name=REGION)
        yield resource.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
                       {"AttributeName": SORT_KEY, "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": PARTITION_KEY, "AttributeType": "S"},
                                  {"AttributeName": SORT_KEY, "AttributeType": "S"}])


def record(*, at: datetime, status: str = "succeeded", version: str = "v1") -> int:
    return deployments.main(["record", "--table", TABLE, "--stack", "prod", "--region", REGION,
                             "--version", version, "--commit", "abc123", "--status", status],
                            now=at)


def test_a_recorded_deployment_expires_ninety_days_later(table):
    assert record(at=NOON) == 0
    item = table.get_item(Key={"stack": "prod", "deployedAt": "2026-11-23T12:00:00+00:00"})["Item"]
    assert item["status"] == "succeeded"
    assert int(item[TTL_ATTRIBUTE]) == int((NOON + timedelta(days=90)).timestamp())


def test_the_latest_deployments_come_newest_first(table, capsys):
    for hours, version in ((0, "v1"), (1, "v2"), (2, "v3")):
        record(at=NOON + timedelta(hours=hours), version=version)
    items = deployments.recent(table, "prod", limit=2)
    assert [i["version"] for i in items] == ["v3", "v2"]
    deployments.main(["list", "--table", TABLE, "--stack", "prod", "--region", REGION])
    assert capsys.readouterr().out.splitlines()[0].split()[-2] == "v3"


def test_a_record_is_never_overwritten(table):
    record(at=NOON, version="v1")
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        record(at=NOON, version="v2")
    item = table.get_item(Key={"stack": "prod", "deployedAt": "2026-11-23T12:00:00+00:00"})["Item"]
    assert item["version"] == "v1"


def test_times_are_stored_in_utc_whatever_the_runners_zone():
    seoul = timezone(timedelta(hours=9))
    item = deployments.deployment_item(stack="prod", version="v1", commit="c", status="failed",
                                       actor="ci", now=datetime(2026, 11, 23, 21, 0, tzinfo=seoul))
    assert item["deployedAt"] == "2026-11-23T12:00:00+00:00"


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="allowed: succeeded, failed, rolled_back"):
        deployments.deployment_item(stack="prod", version="v1", commit="c", status="ok",
                                    actor="ci", now=NOON)
