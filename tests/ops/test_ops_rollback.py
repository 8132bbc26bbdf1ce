"""`python -m ops rollback` against the moto server (ECS service and task definitions, the
deployment history table); a deployment still in progress through a Stubber on ECS (moto
implements neither ListServiceDeployments nor StopServiceDeployment)."""
import json

from conftest import (CLUSTER, FAMILY, REGION, SERVICE, TABLE, build_service, build_table, client,
                      outputs_for, run_ops)
from ops.__main__ import main

SERVICE_ARN = f"arn:aws:ecs:{REGION}:123456789012:service/{CLUSTER}/{SERVICE}"


def history() -> list[dict]:
    return client("dynamodb").scan(TableName=TABLE)["Items"]


def running_revision() -> str:
    service = client("ecs").describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]
    return service["taskDefinition"].split("/")[-1]


def test_rollback_returns_to_the_previous_revision_and_records_it(write_outputs):
    build_service(revisions=3)
    build_table()
    result = run_ops("rollback", "--stack", "prod", "--outputs", write_outputs(outputs_for()),
                     "--actor", "alice", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert running_revision() == f"{FAMILY}:2"
    assert f"{FAMILY}:3 -> {FAMILY}:2" in json.loads(result.stdout)["lines"][0]["detail"]
    [item] = history()
    assert (item["status"]["S"], item["version"]["S"], item["actor"]["S"]) == \
        ("rolled_back", f"{FAMILY}:2", "alice")


def test_a_deployment_in_progress_is_rolled_back_by_ecs(stub, write_outputs, capsys):
    build_table()
    ecs = stub("ecs")
    deployment = f"arn:aws:ecs:{REGION}:123456789012:service-deployment/{CLUSTER}/{SERVICE}/d9"
    ecs.add_response("describe_services", {"services": [{
        "serviceName": SERVICE, "serviceArn": SERVICE_ARN, "status": "ACTIVE",
        "taskDefinition": f"arn:aws:ecs:{REGION}:123456789012:task-definition/{FAMILY}:9",
        "deployments": [{"id": "ecs-svc/9", "status": "PRIMARY", "rolloutState": "IN_PROGRESS"}]}]})
    ecs.add_response("list_service_deployments", {"serviceDeployments": [{
        "serviceDeploymentArn": deployment, "status": "IN_PROGRESS"}]},
        {"cluster": CLUSTER, "service": SERVICE, "status": ["PENDING", "IN_PROGRESS"]})
    ecs.add_response("stop_service_deployment", {"serviceDeploymentArn": deployment},
                     {"serviceDeploymentArn": deployment, "stopType": "ROLLBACK"})
    assert main(["rollback", "--stack", "prod", "--outputs", write_outputs(outputs_for())]) == 0
    assert "ECS is rolling deployment d9 back" in capsys.readouterr().out
    assert [item["version"]["S"] for item in history()] == [f"rollback of {FAMILY}:9"]


def test_no_earlier_revision_is_a_problem_and_records_nothing(write_outputs, capsys):
    build_service(revisions=1)
    build_table()
    assert main(["rollback", "--stack", "prod", "--outputs", write_outputs(outputs_for())]) == 1
    assert "no earlier ACTIVE revision of webstack-prod-app than 1" in capsys.readouterr().err
    assert running_revision() == f"{FAMILY}:1" and history() == []


def test_without_the_history_table_output_nothing_is_rolled_back(write_outputs, capsys):
    build_service(revisions=2)
    outputs = write_outputs(outputs_for(deploymentHistoryTable=None))
    assert main(["rollback", "--stack", "prod", "--outputs", outputs]) == 2
    assert "stack output 'deploymentHistoryTable' is missing" in capsys.readouterr().err
    assert running_revision() == f"{FAMILY}:2"


def test_a_history_table_that_is_gone_does_not_hide_the_rollback_done(write_outputs, capsys):
    build_service(revisions=2)  # no table
    assert main(["rollback", "--stack", "prod", "--outputs", write_outputs(outputs_for())]) == 1
    out = capsys.readouterr().out
    assert f"{FAMILY}:2 -> {FAMILY}:1" in out and "PutItem failed (ResourceNotFoundException)" in out
    assert running_revision() == f"{FAMILY}:1"
