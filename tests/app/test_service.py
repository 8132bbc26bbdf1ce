"""A service on ECS Fargate (staging's and prod's `api`, seed 001's backend): private tasks behind the ALB, secrets from Secrets Manager, safe
deployments, and CPU auto scaling within the stack's bounds."""
import json

import pytest

from config.rules import FARGATE_MEMORY
from preview.engine import run_preview
from tests.support import (egress_of, ingress_of, named, one_service, security_group,
                           service_group, tasks_group)

CLUSTER = "aws:ecs/cluster:Cluster"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
ROLE = "aws:iam/role:Role"
SCALED = ["staging", "prod"]
APP_PORT = 80
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
# stack → (cpu, memory, min, desired, max, cpu target %)
SIZES = {"staging": (512, 1024, 1, 1, 2, 70), "prod": (1024, 2048, 2, 3, 10, 75)}


@pytest.fixture(scope="module")
def port_8080_plan():
    """staging with an app on 8080, so the app port cannot pass for the ALB's HTTP port."""
    return one_service(run_preview("staging", overrides={"appPort": "8080"}), "api")


def container(plan) -> dict:
    [definition] = json.loads(plan.one(TASK).inputs["containerDefinitions"])
    return definition


def role_by_arn(plan, arn):
    [role] = [r for r in plan.of_type(ROLE) if r.outputs["arn"] == arn]
    return role


@pytest.mark.parametrize("stack", SCALED)
def test_the_cluster_has_container_insights(api_plan_of, stack):
    cluster = api_plan_of(stack).one(CLUSTER).inputs
    assert cluster["name"] == f"webstack-{stack}-cluster"
    assert {"name": "containerInsights", "value": "enabled"} in cluster["settings"]


@pytest.mark.parametrize("stack", SCALED)
def test_tasks_are_fargate_sized_by_the_stack_with_a_valid_pair(api_plan_of, stack):
    task = api_plan_of(stack).one(TASK).inputs
    cpu, memory = SIZES[stack][:2]
    assert (task["requiresCompatibilities"], task["networkMode"]) == (["FARGATE"], "awsvpc")
    assert (task["cpu"], task["memory"]) == (str(cpu), str(memory))
    assert memory in FARGATE_MEMORY[cpu]


@pytest.mark.parametrize("stack", SCALED)
def test_the_container_runs_the_configured_image_on_the_app_port(api_plan_of, stack):
    app = container(api_plan_of(stack))
    assert (app["name"], app["essential"]) == ("app", True)
    assert app["image"] == "public.ecr.aws/nginx/nginx:stable"
    assert app["portMappings"] == [{"containerPort": APP_PORT, "protocol": "tcp", "name": "api",
                                    "appProtocol": "http"}]


@pytest.mark.parametrize("stack, days", [("staging", 30), ("prod", 90)])
def test_the_container_logs_to_an_encrypted_group_with_the_stacks_retention(api_plan_of, stack, days):
    plan = api_plan_of(stack)
    group = named(plan, "aws:cloudwatch/logGroup:LogGroup", "api-logs").inputs
    assert group["retentionInDays"] == days
    assert group["kmsKeyId"] == named(plan, "aws:kms/key:Key", "logs-key").outputs["arn"]
    logging = container(plan)["logConfiguration"]
    assert logging["logDriver"] == "awslogs"
    assert logging["options"]["awslogs-group"] == group["name"]
    assert logging["options"]["awslogs-region"] == "ap-northeast-2"


@pytest.mark.parametrize("stack", SCALED)
def test_credentials_come_from_secrets_manager_not_the_environment(api_plan_of, stack):
    plan = api_plan_of(stack)
    redis_secret = named(plan, "aws:secretsmanager/secret:Secret", "cache-auth-secret").outputs["arn"]
    app = container(plan)
    assert {s["name"]: s["valueFrom"] for s in app["secrets"]} == {"REDIS_AUTH_TOKEN": redis_secret}
    environment = {e["name"] for e in app["environment"]}
    assert not {s["name"] for s in app["secrets"]} & environment
    assert not {"DATABASE_PASSWORD", "DATABASE_USERNAME"} & environment
    token = named(plan, "random:index/randomPassword:RandomPassword", "cache-auth-token")
    assert token.outputs["result"] not in plan.one(TASK).inputs["containerDefinitions"]


@pytest.mark.parametrize("stack", SCALED)
def test_the_app_reads_the_rotated_database_secret_when_it_connects(api_plan_of, stack):
    """ECS resolves `secrets` only at task start; the database secret rotates every 7 days, so
    the app gets its ARN and may read it through the task role (not the execution role)."""
    plan = api_plan_of(stack)
    primary = named(plan, "aws:rds/instance:Instance", "database-instance")
    db_secret = (primary.outputs["masterUserSecrets"][0]["secretArn"]
                 if primary.inputs.get("manageMasterUserPassword") else
                 named(plan, "aws:secretsmanager/secret:Secret",
                       "database-credentials-secret").outputs["arn"])
    environment = {e["name"]: e["value"] for e in container(plan)["environment"]}
    assert environment["DATABASE_SECRET_ARN"] == db_secret
    task_role = named(plan, "aws:iam/role:Role", "api-task-role")
    [policy] = [p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy")
                if p.inputs["role"] == task_role.id]
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    assert (statement["Action"], statement["Resource"]) == ("secretsmanager:GetSecretValue",
                                                            [db_secret])


@pytest.mark.parametrize("stack", SCALED)
def test_the_app_is_told_where_the_database_and_cache_are(api_plan_of, stack):
    plan = api_plan_of(stack)
    environment = {e["name"]: e["value"] for e in container(plan)["environment"]}
    assert environment["DATABASE_HOST"] == plan.outputs["databaseEndpoint"]
    assert environment["DATABASE_READER_HOST"] == plan.outputs["databaseReaderEndpoint"]
    assert environment["REDIS_HOST"] == plan.outputs["cacheEndpoint"]
    assert environment["REDIS_TLS"] == "true"


@pytest.mark.parametrize("stack", SCALED)
def test_the_container_checks_its_own_health_on_slash_health(api_plan_of, stack):
    check = container(api_plan_of(stack))["healthCheck"]
    assert check["command"][0] == "CMD-SHELL"
    assert f"http://localhost:{APP_PORT}/health" in check["command"][1]


@pytest.mark.parametrize("stack", SCALED)
def test_the_execution_role_may_read_exactly_the_tasks_secrets(api_plan_of, stack):
    plan = api_plan_of(stack)
    role = role_by_arn(plan, plan.one(TASK).inputs["executionRoleArn"])
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    attachments = plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    attached = [a.inputs["policyArn"] for a in attachments if a.inputs["role"] == role.outputs["name"]]
    assert attached == [EXECUTION_POLICY]
    [policy] = [p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id]
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    assert (statement["Effect"], statement["Action"]) == ("Allow", "secretsmanager:GetSecretValue")
    referenced = {s["valueFrom"].split(":username::")[0].split(":password::")[0]
                  for s in container(plan)["secrets"]}
    assert sorted(statement["Resource"]) == sorted(referenced)


@pytest.mark.parametrize("stack", SCALED)
def test_the_task_role_is_not_the_execution_role(api_plan_of, stack):
    task = api_plan_of(stack).one(TASK).inputs
    assert task["taskRoleArn"] != task["executionRoleArn"]
    role = role_by_arn(api_plan_of(stack), task["taskRoleArn"])
    assert [s["Principal"] for s in json.loads(role.inputs["assumeRolePolicy"])["Statement"]] == \
        [{"Service": "ecs-tasks.amazonaws.com"}]


@pytest.mark.parametrize("stack", SCALED)
def test_tasks_run_in_the_private_subnets_without_public_ips(api_plan_of, stack):
    plan = api_plan_of(stack)
    network = plan.one(SERVICE).inputs["networkConfiguration"]
    private = {s.id for s in plan.of_type("aws:ec2/subnet:Subnet")
               if s.inputs["tags"]["SubnetKind"] == "private"}
    assert set(network["subnets"]) == private
    assert network["assignPublicIp"] is False
    assert network["securityGroups"] == [tasks_group(plan).id, service_group(plan, "api").id]


@pytest.mark.parametrize("stack", SCALED)
def test_the_service_runs_the_task_on_fargate_behind_the_target_group(api_plan_of, stack):
    plan = api_plan_of(stack)
    service = plan.one(SERVICE).inputs
    assert (service["launchType"], service["taskDefinition"], service["cluster"]) == \
        ("FARGATE", plan.one(TASK).outputs["arn"], plan.one(CLUSTER).outputs["arn"])
    [balancer] = service["loadBalancers"]
    assert (balancer["targetGroupArn"], balancer["containerName"], balancer["containerPort"]) == (
        named(plan, "aws:lb/targetGroup:TargetGroup", "api-tg").outputs["arn"], "app", APP_PORT)


@pytest.mark.parametrize("stack", SCALED)
def test_the_service_waits_for_the_listener_rule_that_attaches_its_target_group(api_plan_of, stack):
    # ECS refuses a service whose target group is not yet attached to a load balancer.
    plan = api_plan_of(stack)
    assert plan.one("aws:lb/listenerRule:ListenerRule").urn in plan.one(SERVICE).dependencies


@pytest.mark.parametrize("stack", SCALED)
def test_a_failing_deployment_is_rolled_back(api_plan_of, stack):
    service = api_plan_of(stack).one(SERVICE).inputs
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["deploymentMinimumHealthyPercent"] == 100


@pytest.mark.parametrize("stack", SCALED)
def test_desired_count_starts_from_config_and_is_then_left_to_auto_scaling(api_plan_of, stack):
    service = api_plan_of(stack).one(SERVICE)
    assert service.inputs["desiredCount"] == SIZES[stack][3]
    assert "desiredCount" in service.ignore_changes


@pytest.mark.parametrize("stack", SCALED)
def test_auto_scaling_targets_this_service_within_the_stacks_bounds(api_plan_of, stack):
    plan = api_plan_of(stack)
    target = plan.one(TARGET).inputs
    low, desired, high = SIZES[stack][2:5]
    assert target["resourceId"] == f"service/webstack-{stack}-cluster/webstack-{stack}-api"
    assert (target["serviceNamespace"], target["scalableDimension"]) == ("ecs", "ecs:service:DesiredCount")
    assert (target["minCapacity"], target["maxCapacity"]) == (low, high)
    assert low <= plan.one(SERVICE).inputs["desiredCount"] == desired <= high


@pytest.mark.parametrize("stack", SCALED)
def test_auto_scaling_tracks_the_stacks_cpu_target_with_60_second_cooldowns(api_plan_of, stack):
    plan = api_plan_of(stack)
    policy = plan.one(POLICY).inputs
    target = plan.one(TARGET).inputs
    assert policy["policyType"] == "TargetTrackingScaling"
    assert (policy["resourceId"], policy["scalableDimension"]) == \
        (target["resourceId"], target["scalableDimension"])
    tracking = policy["targetTrackingScalingPolicyConfiguration"]
    assert tracking["predefinedMetricSpecification"] == \
        {"predefinedMetricType": "ECSServiceAverageCPUUtilization"}
    assert tracking["targetValue"] == SIZES[stack][5]
    assert (tracking["scaleInCooldown"], tracking["scaleOutCooldown"]) == (60, 60)


@pytest.mark.parametrize("stack", SCALED)
def test_cluster_and_service_names_are_outputs(api_plan_of, stack):
    plan = api_plan_of(stack)
    assert plan.outputs["clusterName"] == plan.one(CLUSTER).inputs["name"]
    assert plan.outputs["serviceName"] == plan.one(SERVICE).inputs["name"]


def test_the_configured_app_port_runs_through_container_target_group_and_firewalls(port_8080_plan):
    plan = port_8080_plan
    app = container(plan)
    assert app["portMappings"] == [{"containerPort": 8080, "protocol": "tcp", "name": "api",
                                    "appProtocol": "http"}]
    assert "http://localhost:8080/health" in app["healthCheck"]["command"][1]
    assert {g.inputs["port"] for g in plan.of_type("aws:lb/targetGroup:TargetGroup")} == {8080}
    assert plan.one(SERVICE).inputs["loadBalancers"][0]["containerPort"] == 8080
    [into_tasks] = [rule for rule in ingress_of(plan, service_group(plan, "api"))
                    if rule.inputs.get("referencedSecurityGroupId") == security_group(plan, "edge").id]
    [out_of_alb] = egress_of(plan, security_group(plan, "edge"))
    for rule in (into_tasks, out_of_alb):
        assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (8080, 8080)


@pytest.mark.parametrize("stack", SCALED)
def test_app_tasks_may_reach_out_only_on_https_and_to_the_vpcs_data_stores(api_plan_of, stack):
    plan = api_plan_of(stack)
    vpc_cidr = plan.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"]
    rules = egress_of(plan, tasks_group(plan))
    assert {(r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"], r.inputs["cidrIpv4"])
            for r in rules} == {("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 5432, 5432, vpc_cidr),
                                ("tcp", 6379, 6379, vpc_cidr)}


@pytest.mark.parametrize("stack", SCALED)
def test_pulumi_up_waits_for_the_rollout_to_finish(api_plan_of, stack):
    """So that CI records the deployment's outcome, not its start."""
    assert api_plan_of(stack).one(SERVICE).inputs["waitForSteadyState"] is True


@pytest.mark.parametrize("stack", SCALED)
def test_the_container_insights_log_group_is_owned_encrypted_and_expires(api_plan_of, stack):
    """Container Insights writes to /aws/ecs/containerinsights/<cluster>/performance; made by
    ECS it would be unencrypted and kept forever."""
    plan = api_plan_of(stack)
    cluster = plan.one(CLUSTER)
    group = named(plan, "aws:cloudwatch/logGroup:LogGroup", "app-insights-logs")
    assert group.inputs["name"] == (
        f"/aws/ecs/containerinsights/{cluster.inputs['name']}/performance")
    assert group.inputs["kmsKeyId"] == named(plan, "aws:kms/key:Key", "logs-key").outputs["arn"]
    assert group.inputs["retentionInDays"] > 0
    assert group.urn in cluster.dependencies
