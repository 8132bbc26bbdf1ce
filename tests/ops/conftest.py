"""One moto server on 127.0.0.1 (a free port) for the whole session, the stack's resources built in
it, and the commands run as `python -m ops ...` subprocesses pointed at it. Never real AWS: the
credentials are fake and every client goes to the server's endpoint URL."""
import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from ops import aws

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-northeast-2"
DR_REGION = "ap-southeast-1"
STACK = "prod"
DATABASE = "webstack-prod-postgres"
TABLE = "webstack-prod-deployments"
ZONE_NAME = "example.com"
RECORD = "db.example.com"
CLUSTER, SERVICE, FAMILY = "webstack-prod", "webstack-prod-app", "webstack-prod-app"
TOPIC = f"arn:aws:sns:{REGION}:123456789012:webstack-prod-alarms"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing"}
TIMINGS: dict = {}


@pytest.fixture(scope="session")
def moto_url():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def shared_session():
    """One boto3 session for the whole run: botocore parses each service model once."""
    return boto3.session.Session()


@pytest.fixture(autouse=True)
def fake_aws(moto_url, shared_session, monkeypatch):
    """Fake credentials, the moto endpoint, an empty moto, fresh clients; no AWS profile."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**FAKE_CREDENTIALS, aws.ENDPOINT_ENV: moto_url,
                        "AWS_MAX_ATTEMPTS": "3", "AWS_CONFIG_FILE": os.devnull,
                        "AWS_EC2_METADATA_DISABLED": "true",
                        "MOTO_ECS_SERVICE_RUNNING": "3",  # moto: the tasks of a new service
                        "AWS_SHARED_CREDENTIALS_FILE": os.devnull}.items():
        monkeypatch.setenv(name, value)
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"))
    aws.forget()
    monkeypatch.setattr(aws, "session", lambda: shared_session)
    yield
    aws.forget()


_test_clients: dict = {}


def client(service: str, region: str = REGION):
    """The tests' own client of the moto server (to build fixtures and look at effects)."""
    key = (service, region, os.environ[aws.ENDPOINT_ENV])
    if key not in _test_clients:
        _test_clients[key] = boto3.client(service, region_name=region, endpoint_url=key[2])
    return _test_clients[key]


def outputs_for(**extra) -> dict:
    """The outputs the program exports today for a scaled stack, plus those the commands want."""
    return {"tier": "scaled", "region": REGION, "clusterName": CLUSTER, "serviceName": SERVICE,
            "databaseEndpoint": f"{DATABASE}.abc.{REGION}.rds.amazonaws.com",
            "backupVaultName": "webstack-prod-backups", "deploymentHistoryTable": TABLE,
            "alarmTopicArn": TOPIC, **extra}


WANTED = {"databaseInstanceId": DATABASE, "drRegion": DR_REGION,
          "drBackupVaultName": "webstack-prod-backups-dr", "backupRetentionDays": 30,
          "hostedZoneId": None, "databaseRecordName": RECORD}


def build_database(region: str = REGION) -> dict:
    rds = client("rds", region)
    rds.create_db_parameter_group(DBParameterGroupName="webstack-prod-postgres",
                                  DBParameterGroupFamily="postgres16", Description="TLS required")
    instance = rds.create_db_instance(
        DBInstanceIdentifier=DATABASE, Engine="postgres", EngineVersion="16.4",
        DBInstanceClass="db.t3.large", AllocatedStorage=100, MasterUsername="app",
        MasterUserPassword="not-a-secret-1", StorageEncrypted=True, MultiAZ=True,
        DBParameterGroupName="webstack-prod-postgres")["DBInstance"]
    rds.create_db_snapshot(DBInstanceIdentifier=DATABASE, DBSnapshotIdentifier="nightly-1")
    return instance


def build_table(pitr: bool = True) -> None:
    dynamodb = client("dynamodb")
    dynamodb.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "stack", "KeyType": "HASH"},
                   {"AttributeName": "deployedAt", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "stack", "AttributeType": "S"},
                              {"AttributeName": "deployedAt", "AttributeType": "S"}])
    if pitr:
        dynamodb.update_continuous_backups(
            TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def build_zone() -> str:
    route53 = client("route53")
    zone = route53.create_hosted_zone(Name=ZONE_NAME, CallerReference=str(time.time()))
    zone_id = zone["HostedZone"]["Id"].split("/")[-1]
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {
            "Name": RECORD, "Type": "CNAME", "TTL": 60,
            "ResourceRecords": [{"Value": f"{DATABASE}.abc.{REGION}.rds.amazonaws.com"}]}}]})
    return zone_id


def build_service(revisions: int = 2) -> None:
    ecs = client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    for tag in range(1, revisions + 1):
        ecs.register_task_definition(family=FAMILY, requiresCompatibilities=["FARGATE"],
                                     networkMode="awsvpc", cpu="1024", memory="2048",
                                     containerDefinitions=[{"name": "app",
                                                            "image": f"app:v{tag}"}])
    ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition=f"{FAMILY}:{revisions}",
                       desiredCount=3, launchType="FARGATE")


def build_alarms(firing: bool) -> None:
    cloudwatch = client("cloudwatch")
    for name in ("webstack-prod-api-5xx", "webstack-prod-db-cpu"):
        cloudwatch.put_metric_alarm(
            AlarmName=name, MetricName="CPUUtilization", Namespace="AWS/RDS", Statistic="Average",
            Period=60, EvaluationPeriods=1, Threshold=80, ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[TOPIC])
    cloudwatch.put_metric_alarm(  # another stack's alarm: not ours to report
        AlarmName="other-app-cpu", MetricName="CPUUtilization", Namespace="AWS/RDS",
        Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=80,
        ComparisonOperator="GreaterThanThreshold", AlarmActions=["arn:aws:sns:x:1:other"])
    cloudwatch.set_alarm_state(AlarmName="other-app-cpu", StateValue="ALARM", StateReason="x")
    if firing:
        cloudwatch.set_alarm_state(AlarmName="webstack-prod-api-5xx", StateValue="ALARM",
                                   StateReason="Threshold Crossed: 1 datapoint (9.1) > 5")


@pytest.fixture
def write_outputs(tmp_path):
    def write(values: dict) -> str:
        path = tmp_path / "outputs.json"
        path.write_text(json.dumps(values))
        return str(path)
    return write


def run_ops(*args: str, module: str = "ops", env: dict = None) -> subprocess.CompletedProcess:
    """`python -m ops ...` as an operator runs it, against the moto server; its time is kept."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={**os.environ, **(env or {})})
    TIMINGS.setdefault(" ".join(args[:2]), []).append(round(time.monotonic() - started, 2))
    return result


@pytest.fixture
def stub(monkeypatch):
    """`stub(service, region)`: a botocore Stubber on the client ops gets for that service; the
    responses added to it are validated against the service model by botocore."""
    stubbers = {}
    real = aws.client

    def stubbed_client(service: str, region: str):
        if (service, region) in stubbers:
            return stubbers[(service, region)].client
        return real(service, region)

    def make(service: str, region: str = REGION) -> Stubber:
        if (service, region) not in stubbers:
            fresh = aws.session().client(service, region_name=region,
                                         endpoint_url=os.environ[aws.ENDPOINT_ENV])
            stubbers[(service, region)] = Stubber(fresh)
            stubbers[(service, region)].activate()
        return stubbers[(service, region)]

    monkeypatch.setattr(aws, "client", stubbed_client)
    yield make
    for stubber in stubbers.values():
        stubber.deactivate()
        stubber.assert_no_pending_responses()


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.write_line("ops subprocess run times (s): " + json.dumps(TIMINGS))


class Raw:
    """The body of a canned HTTP response, as botocore reads it."""

    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **_):
        yield self.body


@pytest.fixture
def throttle(monkeypatch):
    """`throttle(service, operation, times)`: the next `times` HTTP calls of that operation get
    DynamoDB's 400 ThrottlingException before reaching moto, so botocore's own retry and backoff
    run for real; the backoff sleeps are recorded instead of slept."""
    from botocore.awsrequest import AWSResponse
    import botocore.endpoint

    sleeps, left = [], {}
    body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                       "message": "Rate of requests exceeds the allowed throughput."}).encode()

    def refuse(request, event_name: str, **_):
        operation = event_name.split(".")[-1]
        if left.get(operation, 0) > 0:
            left[operation] -= 1
            return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0"},
                               Raw(body))
        return None

    def session():
        made = boto3.session.Session()  # its own: the handler must not outlive the test
        made._session.register("before-send", refuse)
        return made

    monkeypatch.setattr(aws, "session", session)
    monkeypatch.setattr(botocore.endpoint.time, "sleep", sleeps.append)

    def arm(operation: str, times: int) -> list:
        left[operation] = times
        return sleeps
    return arm
