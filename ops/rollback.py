"""rollback: puts a service back on its previous revision (`--service`, needed when the stack
runs several). A deployment still in progress is rolled
back by ECS itself (StopServiceDeployment, ROLLBACK); otherwise the service is updated to the
previous task definition revision. Either way the rollback is recorded in the deployment history."""
from __future__ import annotations

import os
import re

from botocore.exceptions import BotoCoreError, ClientError

from ops import aws, deployments
from ops.clock import now
from ops.errors import AwsProblem
from ops.report import Report
from ops.stack import StackOutputs

HELP = __doc__
IN_FLIGHT = ["PENDING", "IN_PROGRESS"]
REVISION = re.compile(r"task-definition/(?P<family>[^:]+):(?P<revision>\d+)$")


def add_arguments(parser) -> None:
    parser.add_argument("--actor", default=os.environ.get("GITHUB_ACTOR") or
                        os.environ.get("USER") or "operator",
                        help="who rolls back, for the deployment history")
    parser.add_argument("--service", metavar="NAME",
                        help="the service by its name in the config (needed with several)")
    parser.add_argument("--wait", action="store_true",
                        help="wait until the service is stable on the previous revision")


def run(args, outputs: StackOutputs) -> Report:
    region = outputs.region
    cluster = str(outputs.require("clusterName", "rollback (ECS service)"))
    services = outputs.pick_services(args.service, "rollback", one=True)
    if not services:
        outputs.require("serviceNames", "rollback (ECS service)")  # missing: says so, exit 2
    [name] = services.values()
    table = str(outputs.require("deploymentHistoryTable", "rollback (recording it)"))
    deployments.check_fields(stack=outputs.stack, version="x", commit="x", actor=args.actor)
    report = Report("rollback", outputs.stack, region, done="rolled back")
    ecs = aws.client("ecs", region)
    version = roll_back(report, ecs, cluster, name)
    try:
        if args.wait:
            ecs.get_waiter("services_stable").wait(cluster=cluster, services=[name],
                                                   WaiterConfig={"Delay": 15, "MaxAttempts": 40})
            report.ok("stable", f"service {name} is stable")
        item = deployments.deployment_item(stack=outputs.stack, version=version, commit="-",
                                           status="rolled_back", actor=args.actor, now=now())
        key = deployments.record(aws.resource("dynamodb", region).Table(table), item)
        report.ok("history", f"recorded in {table} at {key}")
    except (ClientError, BotoCoreError) as error:  # the rollback itself is done: say so
        report.problem("after the rollback", str(aws.explain(error)))
    return report


def roll_back(report: Report, ecs, cluster: str, name: str) -> str:
    """Starts the rollback; returns what the deployment history records as its version."""
    service = describe(ecs, cluster, name)
    in_flight = ecs.list_service_deployments(cluster=cluster, service=name, status=IN_FLIGHT)[
        "serviceDeployments"] if rolling_out(service) else []
    if in_flight:
        arn = in_flight[0]["serviceDeploymentArn"]
        ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")
        report.ok("rollback", f"ECS is rolling deployment {arn.split('/')[-1]} back to the "
                              "revision it replaced")
        return f"rollback of {short(service['taskDefinition'])}"
    previous = previous_revision(ecs, service["taskDefinition"])
    ecs.update_service(cluster=cluster, service=name, taskDefinition=previous)
    report.ok("rollback", f"service {name}: {short(service['taskDefinition'])} -> "
                          f"{short(previous)} (a new deployment, guarded by its alarms)")
    return short(previous)


def describe(ecs, cluster: str, name: str) -> dict:
    services = ecs.describe_services(cluster=cluster, services=[name])["services"]
    if not services or services[0].get("status") != "ACTIVE":
        raise AwsProblem(f"ECS service {name!r} not found in cluster {cluster!r}")
    return services[0]


def rolling_out(service: dict) -> bool:
    return any(deployment.get("rolloutState") == "IN_PROGRESS"
               for deployment in service.get("deployments", []))


def short(task_definition_arn: str) -> str:
    return task_definition_arn.split("/")[-1]


def previous_revision(ecs, current_arn: str) -> str:
    """The newest ACTIVE revision of the same family older than the running one."""
    match = REVISION.search(current_arn)
    if match is None:
        raise AwsProblem(f"the service runs {current_arn!r}, not a task definition revision")
    family, revision = match["family"], int(match["revision"])
    pages = ecs.get_paginator("list_task_definitions").paginate(
        familyPrefix=family, status="ACTIVE", sort="DESC")
    older = {int(found["revision"]): arn for page in pages for arn in page["taskDefinitionArns"]
             if (found := REVISION.search(arn)) and found["family"] == family
             and int(found["revision"]) < revision}
    if older:
        return older[max(older)]
    raise AwsProblem(f"no earlier ACTIVE revision of {family} than {revision}: nothing to roll "
                     "back to")
