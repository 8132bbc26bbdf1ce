"""status: the stack on one screen: alarms in ALARM, each service's tasks and rollout (or the one
`--service` names), each function's live version and its newest CodeDeploy deployment (serverless
tier), PostgreSQL and Redis status and Multi-AZ, CloudFront's latest 5XX rate."""
from __future__ import annotations

from datetime import timedelta
from typing import Optional

from botocore.exceptions import ClientError

from ops import aws, clock, database
from ops.report import Report
from ops.stack import StackOutputs

HELP = __doc__
ACTIVE_DEPLOYMENT_STATES = ["PENDING", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]
# CloudFront's metrics are read from us-east-1, with the dimension Region=Global
# (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html).
CLOUDFRONT_REGION = "us-east-1"
LIVE_ALIAS = "live"  # the alias API Gateway invokes and CodeDeploy moves
# https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentInfo.html: a deployment
# that ended without succeeding (a rollback on an alarm ends Stopped or Failed).
ENDED_BADLY = {"Failed", "Stopped"}


def add_arguments(parser) -> None:
    parser.add_argument("--service", metavar="NAME",
                        help="one service by its name in the config (default: every service)")


def run(args, outputs: StackOutputs) -> Report:
    region = outputs.region
    report = Report("status", outputs.stack, region)
    alarms(report, outputs, region)
    app_services(report, outputs, region, args.service)
    functions(report, outputs, region)
    postgres(report, outputs, region)
    redis(report, outputs, region)
    cdn_errors(report, outputs)
    return report


def alarms(report: Report, outputs: StackOutputs, region: str) -> None:
    """The stack's alarms are those that notify its topic (alarmTopicArn)."""
    topic = outputs.get("alarmTopicArn")
    if topic is None:
        report.note("alarms", "not checked: stack output 'alarmTopicArn' is missing")
        return
    pages = aws.client("cloudwatch", region).get_paginator("describe_alarms").paginate(
        AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    mine = [alarm for page in pages
            for alarm in page.get("MetricAlarms", []) + page.get("CompositeAlarms", [])
            if topic in alarm.get("AlarmActions", [])]
    firing = [alarm for alarm in mine if alarm["StateValue"] == "ALARM"]
    for alarm in firing:
        report.problem(f"alarm {alarm['AlarmName']}", f"ALARM: {alarm.get('StateReason', '')}")
    if not firing:
        report.ok("alarms", f"none of the stack's {len(mine)} alarms is in ALARM")


def app_services(report: Report, outputs: StackOutputs, region: str,
                 wanted: Optional[str]) -> None:
    """Each service (`--service`: that one), by the names in `serviceNames`."""
    cluster, services = outputs.get("clusterName"), outputs.pick_services(wanted, "status")
    if cluster is None or not services:
        report.note("app service", f"no ECS service in this stack (tier {outputs.get('tier')})")
        return
    ecs = aws.client("ecs", region)
    for name in services.values():
        app_service(report, ecs, str(cluster), name)


def app_service(report: Report, ecs, cluster: str, name: str) -> None:
    services = ecs.describe_services(cluster=cluster, services=[name])["services"]
    if not services or services[0].get("status") != "ACTIVE":
        report.problem("app service", f"ECS service {name!r} not found in cluster {cluster!r}")
        return
    service = services[0]
    running, desired = service["runningCount"], service["desiredCount"]
    subject = f"service {name}"
    counts = f"{running}/{desired} tasks running"
    (report.ok if running >= desired else report.problem)(subject, counts)
    strategy = service.get("deploymentConfiguration", {}).get("strategy", "ROLLING")
    for deployment in service.get("deployments", []):
        deployment_line(report, ecs, service, deployment, strategy)


def deployment_line(report: Report, ecs, service: dict, deployment: dict, strategy: str) -> None:
    state = deployment.get("rolloutState", "unknown")
    revision = deployment.get("taskDefinition", "").split("/")[-1]
    detail = (f"{deployment.get('status', '').lower()} deployment {deployment.get('id')}: "
              f"{strategy.lower()}, {state.lower()}, {revision}")
    if state == "IN_PROGRESS":
        detail += shift(ecs, service)
    (report.problem if state == "FAILED" else report.ok)(
        "rollout", detail + (f" ({deployment['rolloutStateReason']})" if state == "FAILED" else ""))


def shift(ecs, service: dict) -> str:
    """How much production traffic the new revision has, and whether ECS is rolling it back."""
    briefs = ecs.list_service_deployments(
        cluster=service["clusterArn"], service=service["serviceName"],
        status=ACTIVE_DEPLOYMENT_STATES)["serviceDeployments"]
    if not briefs:
        return ""
    current = ecs.describe_service_deployments(
        serviceDeploymentArns=[briefs[0]["serviceDeploymentArn"]])["serviceDeployments"][0]
    weight = current.get("targetServiceRevision", {}).get("requestedProductionTrafficWeight")
    text = f", {weight:g} % of production traffic shifted" if weight is not None else ""
    if current.get("rollback"):
        text += f", rolling back: {current['rollback'].get('reason', 'no reason given')}"
    return text + f", stage {current.get('lifecycleStage', 'unknown').lower()}"


def functions(report: Report, outputs: StackOutputs, region: str) -> None:
    """Each function's `live` version (and the share CodeDeploy has shifted to the next), and its
    deployment group's newest deployment. Nothing for a stack without functions."""
    names = outputs.name_map("functionNames", "Lambda function names")
    if not names:
        return
    groups = outputs.name_map("deploymentGroupNames", "CodeDeploy deployment group names")
    application = outputs.get("deploymentApplication")
    lambda_client = aws.client("lambda", region)
    codedeploy = aws.client("codedeploy", region)
    for config_name, function in names.items():
        try:
            alias = lambda_client.get_alias(FunctionName=function, Name=LIVE_ALIAS)
        except ClientError as error:
            if not aws.is_missing(error, "ResourceNotFoundException"):
                raise
            report.problem(f"function {function}", f"no alias {LIVE_ALIAS!r}")
            continue
        newest = (newest_deployment(codedeploy, str(application), groups[config_name])
                  if application and config_name in groups else None)
        healthy, rollout = deployment_state(newest)
        (report.ok if healthy else report.problem)(
            f"function {function}",
            f"{LIVE_ALIAS} → version {alias['FunctionVersion']}{shifted(alias)}; {rollout}")


def shifted(alias: dict) -> str:
    weights = alias.get("RoutingConfig", {}).get("AdditionalVersionWeights", {})
    return "".join(f", {weight:.0%} to version {version}" for version, weight in weights.items())


def newest_deployment(codedeploy, application: str, group: str) -> Optional[dict]:
    ids = codedeploy.list_deployments(applicationName=application,
                                      deploymentGroupName=group)["deployments"]
    if not ids:
        return None
    found = codedeploy.batch_get_deployments(deploymentIds=ids[:25])["deploymentsInfo"]
    return max(found, key=lambda info: info["createTime"])


def deployment_state(deployment: Optional[dict]) -> tuple[bool, str]:
    """Whether the newest deployment leaves the function healthy, and what it says."""
    if deployment is None:
        return True, "no deployment yet"
    status, identifier = deployment["status"], deployment["deploymentId"]
    if status not in ENDED_BADLY:
        return True, f"deployment {identifier} {status.lower()}"
    why = (deployment.get("rollbackInfo", {}).get("rollbackMessage")
           or deployment.get("errorInformation", {}).get("message") or "no reason given")
    return False, f"deployment {identifier} {status.lower()}: {why}"


def postgres(report: Report, outputs: StackOutputs, region: str) -> None:
    identifier = outputs.get("databaseInstanceId")
    if identifier is None:
        report.note("postgres", "not checked: stack output 'databaseInstanceId' is missing")
        return
    rds = aws.client("rds", region)
    instance = database.describe(rds, str(identifier))
    if instance is None:
        report.problem(f"postgres {identifier}", "not found")
        return
    replicas = instance.get("ReadReplicaDBInstanceIdentifiers", [])
    for member in [instance, *(database.describe(rds, replica) or {"DBInstanceIdentifier": replica}
                               for replica in replicas)]:
        status = member.get("DBInstanceStatus", "not found")
        detail = f"{status}, Multi-AZ {'on' if member.get('MultiAZ') else 'off'}"
        (report.ok if status == "available" else report.problem)(
            f"postgres {member['DBInstanceIdentifier']}", detail)


def redis(report: Report, outputs: StackOutputs, region: str) -> None:
    group_id = outputs.get("cacheReplicationGroupId")
    if group_id is None:
        report.note("redis", "not checked: stack output 'cacheReplicationGroupId' is missing")
        return
    groups = aws.client("elasticache", region).describe_replication_groups(
        ReplicationGroupId=str(group_id))["ReplicationGroups"]
    group = groups[0]
    detail = (f"{group['Status']}, Multi-AZ {group.get('MultiAZ', 'disabled')}, automatic "
              f"failover {group.get('AutomaticFailover', 'disabled')}")
    (report.ok if group["Status"] == "available" else report.problem)(f"redis {group_id}", detail)


def cdn_errors(report: Report, outputs: StackOutputs) -> None:
    distribution = outputs.get("cdnDistributionId")
    if distribution is None:
        report.note("cloudfront", "not checked: stack output 'cdnDistributionId' is missing")
        return
    end = clock.now()
    points = aws.client("cloudwatch", CLOUDFRONT_REGION).get_metric_statistics(
        Namespace="AWS/CloudFront", MetricName="5xxErrorRate", Statistics=["Average"],
        Dimensions=[{"Name": "DistributionId", "Value": str(distribution)},
                    {"Name": "Region", "Value": "Global"}],
        StartTime=end - timedelta(minutes=30), EndTime=end, Period=300)["Datapoints"]
    if not points:
        report.note("cloudfront 5XX", "no data in the last 30 minutes")
        return
    latest = max(points, key=lambda point: point["Timestamp"])
    report.ok("cloudfront 5XX", f"{latest['Average']:.2f} % at {latest['Timestamp']:%H:%M} UTC "
              "(its alarm judges the threshold)")
