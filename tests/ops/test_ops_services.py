"""`--service` for status and rollback in a stack of several services, by the `serviceNames`
output, against the moto server."""
import json

from conftest import CLUSTER, build_table, client, outputs_for
from ops.__main__ import main

ECS_NAMES = {"api": "webstack-prod-api", "web": "webstack-prod-web"}


def build_services(revisions: int = 2) -> None:
    ecs = client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    for ecs_name in ECS_NAMES.values():
        for tag in range(1, revisions + 1):
            ecs.register_task_definition(family=ecs_name, requiresCompatibilities=["FARGATE"],
                                         networkMode="awsvpc", cpu="512", memory="1024",
                                         containerDefinitions=[{"name": "app",
                                                                "image": f"app:v{tag}"}])
        ecs.create_service(cluster=CLUSTER, serviceName=ecs_name, desiredCount=1,
                           taskDefinition=f"{ecs_name}:{revisions}", launchType="FARGATE")


def several(write_outputs, **extra) -> str:
    """The outputs as the program exports them: serviceNames a JSON string, serviceName the
    first service's."""
    return write_outputs(outputs_for(**{"serviceName": ECS_NAMES["api"], "alarmTopicArn": None,
                                        "serviceNames": json.dumps(ECS_NAMES), **extra}))


def revision(ecs_name: str) -> str:
    [service] = client("ecs").describe_services(cluster=CLUSTER, services=[ecs_name])["services"]
    return service["taskDefinition"].split("/")[-1]


def service_lines(out: str) -> list[str]:
    return sorted(line["subject"] for line in json.loads(out)["lines"]
                  if line["subject"].startswith("service "))


def test_status_shows_every_service_or_the_one_named(write_outputs, capsys):
    build_services()
    outputs = several(write_outputs)
    assert main(["status", "--stack", "prod", "--outputs", outputs, "--json"]) == 0
    assert service_lines(capsys.readouterr().out) == [
        "service webstack-prod-api", "service webstack-prod-web"]
    assert main(["status", "--stack", "prod", "--outputs", outputs, "--json",
                 "--service", "web"]) == 0
    assert service_lines(capsys.readouterr().out) == ["service webstack-prod-web"]


def test_an_unknown_service_is_bad_input_naming_the_services(write_outputs, capsys):
    outputs = several(write_outputs)
    assert main(["status", "--stack", "prod", "--outputs", outputs, "--service", "jobs"]) == 2
    assert "--service 'jobs' is not a service of stack prod; allowed: api, web" in \
        capsys.readouterr().err


def test_rollback_of_several_services_needs_one_named(write_outputs, capsys):
    build_services()
    build_table()
    outputs = several(write_outputs)
    assert main(["rollback", "--stack", "prod", "--outputs", outputs]) == 2
    assert "rollback needs --service: stack prod runs 2 services (api, web)" in \
        capsys.readouterr().err
    assert main(["rollback", "--stack", "prod", "--outputs", outputs, "--service", "web"]) == 0
    assert (revision("webstack-prod-web"), revision("webstack-prod-api")) == (
        "webstack-prod-web:1", "webstack-prod-api:2")


def test_a_stack_from_before_services_rolls_back_its_one_app(write_outputs, capsys):
    """No serviceNames output: serviceName is the one service, `app`."""
    build_services()
    build_table()
    outputs = write_outputs(outputs_for(serviceName=ECS_NAMES["api"]))
    assert main(["rollback", "--stack", "prod", "--outputs", outputs, "--service", "app"]) == 0
    assert revision("webstack-prod-api") == "webstack-prod-api:1"


def test_a_malformed_service_names_output_is_bad_input(write_outputs, capsys):
    outputs = several(write_outputs, serviceNames='["webstack-prod-api"]')
    assert main(["status", "--stack", "prod", "--outputs", outputs]) == 2
    assert "stack output 'serviceNames'" in capsys.readouterr().err
