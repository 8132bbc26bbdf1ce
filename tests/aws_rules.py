"""AWS's own constraints, checked over a plan: what the real engine's API calls would reject.

Each check returns the problems it finds (empty: AWS would accept the plan). The stack tests run
them on every stack and on generated configs; each check is also shown to catch a broken plan.
"""
from __future__ import annotations

import json

from config.rules import FARGATE_MEMORY
from preview.plan import Plan

SUBNET = "aws:ec2/subnet:Subnet"
ALB = "aws:lb/loadBalancer:LoadBalancer"
RDS_SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
CACHE_SUBNET_GROUP = "aws:elasticache/subnetGroup:SubnetGroup"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CERTIFICATE = "aws:acm/certificate:Certificate"
CERTIFICATE_VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"
SCALING_TARGET = "aws:appautoscaling/target:Target"


def zones_of(plan: Plan, subnet_ids) -> set[str]:
    subnets = {s.id: s for s in plan.of_type(SUBNET)}
    return {subnets[i].inputs["availabilityZone"] for i in subnet_ids}


def subnets_span_two_zones(plan: Plan) -> list[str]:
    """An ALB, a DB subnet group and a cache subnet group each need subnets in two or more AZs."""
    problems = []
    for kind, key in ((ALB, "subnets"), (RDS_SUBNET_GROUP, "subnetIds"),
                      (CACHE_SUBNET_GROUP, "subnetIds")):
        for resource in plan.of_type(kind):
            zones = zones_of(plan, resource.inputs[key])
            if len(zones) < 2:
                problems.append(f"{resource.name}: subnets in {sorted(zones)} only")
    return problems


def cache_multi_az_has_failover_and_replicas(plan: Plan) -> list[str]:
    problems = []
    for group in plan.of_type(REPLICATION_GROUP):
        inputs = group.inputs
        nodes = inputs.get("numCacheClusters", 1)
        if inputs.get("multiAzEnabled") and not inputs.get("automaticFailoverEnabled"):
            problems.append(f"{group.name}: Multi-AZ without automatic failover")
        if inputs.get("automaticFailoverEnabled") and nodes < 2:
            problems.append(f"{group.name}: automatic failover with {nodes} node")
    return problems


def region_of(plan: Plan, resource) -> str:
    return plan.by_urn(resource.provider_urn).inputs["region"]


def cloudfront_pieces_in_us_east_1(plan: Plan) -> list[str]:
    """A CLOUDFRONT web ACL and a CloudFront viewer certificate must be made in us-east-1."""
    problems = [f"{acl.name}: CLOUDFRONT web ACL in {region_of(plan, acl)}"
                for acl in plan.of_type(WEB_ACL)
                if acl.inputs.get("scope") == "CLOUDFRONT" and region_of(plan, acl) != "us-east-1"]
    validated = {v.outputs.get("certificateArn"): v for v in plan.of_type(CERTIFICATE_VALIDATION)}
    certificates = {c.outputs["arn"]: c for c in plan.of_type(CERTIFICATE)}
    for distribution in plan.of_type(DISTRIBUTION):
        arn = distribution.inputs["viewerCertificate"].get("acmCertificateArn")
        if arn is None:
            continue
        certificate = certificates.get(arn) or certificates.get(
            validated[arn].inputs["certificateArn"] if arn in validated else None)
        if certificate is None:
            problems.append(f"{distribution.name}: certificate {arn} is not in the plan")
        elif region_of(plan, certificate) != "us-east-1":
            problems.append(f"{distribution.name}: certificate from {region_of(plan, certificate)}")
    return problems


def fargate_sizes_are_valid(plan: Plan) -> list[str]:
    problems = []
    for task in plan.of_type(TASK_DEFINITION):
        cpu, memory = int(task.inputs["cpu"]), int(task.inputs["memory"])
        if memory not in FARGATE_MEMORY.get(cpu, ()):
            problems.append(f"{task.name}: {cpu} CPU with {memory} MiB is no Fargate size")
    return problems


def container_definitions_are_complete(plan: Plan) -> list[str]:
    problems = []
    for task in plan.of_type(TASK_DEFINITION):
        try:
            containers = json.loads(task.inputs["containerDefinitions"])
        except (TypeError, ValueError) as err:
            problems.append(f"{task.name}: containerDefinitions is not JSON ({err})")
            continue
        for container in containers:
            for key in ("name", "image", "portMappings", "logConfiguration"):
                if not container.get(key):
                    problems.append(f"{task.name}: container without {key}")
    return problems


def task_counts_are_ordered(plan: Plan) -> list[str]:
    problems = []
    desired = [s.inputs["desiredCount"] for s in plan.of_type(ECS_SERVICE)]
    for target in plan.of_type(SCALING_TARGET):
        low, high = target.inputs["minCapacity"], target.inputs["maxCapacity"]
        if not all(low <= count <= high for count in desired):
            problems.append(f"{target.name}: desired {desired} outside {low}..{high}")
    return problems


RDS_INSTANCE = "aws:rds/instance:Instance"
# What a same-region read replica takes from its source; RDS refuses these on the replica
# (DBSubnetGroupNotAllowedFault for the subnet group).
INHERITED_BY_REPLICAS = ("dbSubnetGroupName", "engine", "engineVersion", "username", "dbName",
                         "manageMasterUserPassword", "password", "backupRetentionPeriod")


def read_replicas_leave_inherited_settings_alone(plan: Plan) -> list[str]:
    return [f"{replica.name}: sets {key}, which a same-region replica inherits"
            for replica in plan.of_type(RDS_INSTANCE) if replica.inputs.get("replicateSourceDb")
            for key in INHERITED_BY_REPLICAS if key in replica.inputs]


LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"


def traffic_shifting_is_wired(plan: Plan) -> list[str]:
    """ECS blue/green, canary and linear need a distinct alternate group and a production rule
    that forwards to both groups; percentages and bake times within ECS's ranges."""
    problems = []
    rules = {r.outputs["arn"]: r for r in plan.of_type(LISTENER_RULE)}
    for service in plan.of_type(ECS_SERVICE):
        config = service.inputs.get("deploymentConfiguration", {})
        if config.get("strategy", "ROLLING") == "ROLLING":
            continue
        for balancer in service.inputs["loadBalancers"]:
            advanced = balancer.get("advancedConfiguration") or {}
            primary, alternate = balancer["targetGroupArn"], advanced.get("alternateTargetGroupArn")
            rule = rules.get(advanced.get("productionListenerRule"))
            if not alternate or alternate == primary or rule is None:
                problems.append(f"{service.name}: {config['strategy']} without a distinct "
                                "alternate target group and a production rule of the plan")
                continue
            forwarded = {group["arn"] for action in rule.inputs["actions"]
                         for group in action.get("forward", {}).get("targetGroups", [])}
            if forwarded != {primary, alternate}:
                problems.append(f"{rule.name}: does not forward to both target groups")
        problems += _rollout_range_problems(service.name, config)
    return problems


def _rollout_range_problems(name: str, config: dict) -> list[str]:
    canary = config.get("canaryConfiguration", {})
    linear = config.get("linearConfiguration", {})
    checks = [(canary.get("canaryPercent"), 0.1, 100.0), (linear.get("stepPercent"), 3.0, 100.0)]
    checks += [(int(minutes), 0, 1440) for minutes in (
        config.get("bakeTimeInMinutes"), canary.get("canaryBakeTimeInMinutes"),
        linear.get("stepBakeTimeInMinutes")) if minutes is not None]
    return [f"{name}: {value} outside {low}..{high}"
            for value, low, high in checks if value is not None and not low <= value <= high]


ALL_RULES = (traffic_shifting_is_wired, read_replicas_leave_inherited_settings_alone, subnets_span_two_zones, cache_multi_az_has_failover_and_replicas,
             cloudfront_pieces_in_us_east_1, fargate_sizes_are_valid,
             container_definitions_are_complete, task_counts_are_ordered)


def problems_of(plan: Plan) -> list[str]:
    return [problem for rule in ALL_RULES for problem in rule(plan)]
