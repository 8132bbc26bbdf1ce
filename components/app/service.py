"""One service on ECS Fargate: task definition, service (behind its ALB route when it has one),
its log group, roles and CPU auto scaling."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.app.cluster import Cluster
from components.iam import allow_reading_secrets, service_role
from components.edge.route import Route
from components.observability.logs_key import encrypted_log_group, log_group_path
from config.settings import RolloutSettings, ServiceSettings

CONTAINER_NAME = "app"
ECS_TASKS = "ecs-tasks.amazonaws.com"
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
# Lets ECS move listener-rule weights and register tasks during blue/green, canary and linear.
LOAD_BALANCER_INFRASTRUCTURE_POLICY = (
    "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers")
SCALING_COOLDOWN_SECONDS = 60
# The proxy speaks HTTP to the app: retries, outlier detection and HTTP metrics per request
# (https://docs.aws.amazon.com/sdk-for-python/v4/reference/clients/ecs/dictionaries/PortMappingDict/,
# app_protocol: immutable once the service uses Service Connect, a new service would be needed).
APP_PROTOCOL = "http"
SERVICE_CONNECT_LOG_PREFIX = "service-connect"
HEALTH_CHECK_GRACE_SECONDS = 60
# With wait_for_steady_state the provider waits for the whole rollout, but only as long as its
# create/update timeouts: 20 minutes by default (the figure issue 9 reports for
# registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_service#timeouts, whose
# text was not readable here). The wait is derived from the rollout settings instead:
# starting the new tasks (pull, 60 s grace, two 15 s health checks, 30 s deregistration) is
# allowed TASK_START_MINUTES, and the whole is given ROLLOUT_MARGIN on top.
PROVIDER_DEFAULT_TIMEOUT_MINUTES = 20
TASK_START_MINUTES = 10
ROLLOUT_MARGIN = 1.5


@dataclass(frozen=True)
class ServiceArgs:
    name_prefix: str
    settings: ServiceSettings
    region: str
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]  # private subnets
    security_group_ids: Sequence[pulumi.Input[str]]
    cluster: Cluster
    route: Optional[Route]  # None: an internal service or a worker, not behind the ALB
    log_retention_days: int
    logs_key_arn: pulumi.Input[str]
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # Environment variable → Secrets Manager reference (ARN, optionally ":json-key::").
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    secret_arns: Sequence[pulumi.Input[str]] = ()  # the secrets the tasks may read at start
    parameter_arns: Sequence[str] = ()  # the SSM parameters they may read at start
    # Secrets the app itself reads while it runs (rotated ones), through the task role.
    runtime_secret_arns: Sequence[pulumi.Input[str]] = ()
    rollout: Optional[RolloutSettings] = None  # None: rolling
    # Alarms that, firing during a deployment, make ECS roll it back.
    deployment_alarm_names: Sequence[pulumi.Input[str]] = ()
    # The cluster's Cloud Map namespace: a listening service is reachable there at
    # http://<name>:<port>; every service reaches the listening ones it may call.
    service_connect_namespace_arn: Optional[pulumi.Input[str]] = None
    # The ECS services of its callees: deployed first, so its new tasks resolve their names.
    after: Sequence[pulumi.Resource] = ()


class Service(pulumi.ComponentResource):
    def __init__(self, name: str, args: ServiceArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:service:Service", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        self.cluster = args.cluster
        family = f"{args.name_prefix}-{settings.name}"
        self.log_group = encrypted_log_group(
            f"{name}-logs", log_group_path(args.name_prefix, settings.name), args.log_retention_days,
            args.logs_key_arn, parent=self)
        self.task_definition = aws.ecs.TaskDefinition(
            f"{name}-task", family=family,
            requires_compatibilities=["FARGATE"], network_mode="awsvpc",
            cpu=str(settings.cpu), memory=str(settings.memory),
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture="X86_64"),
            execution_role_arn=self._execution_role(name, args).arn,
            task_role_arn=self._task_role(name, args).arn,
            container_definitions=container_definitions(args, self.log_group.name),
            opts=child)
        self.service = aws.ecs.Service(
            f"{name}-service", name=family, cluster=self.cluster.arn,
            task_definition=self.task_definition.arn, desired_count=settings.desired_tasks,
            launch_type="FARGATE", platform_version="LATEST",
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=list(args.subnet_ids), security_groups=list(args.security_group_ids),
                assign_public_ip=False),
            load_balancers=([aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=args.route.target_group.arn,
                container_name=CONTAINER_NAME, container_port=settings.port,
                advanced_configuration=self._traffic_shifting(name, args))]
                if args.route else None),
            health_check_grace_period_seconds=(HEALTH_CHECK_GRACE_SECONDS if args.route
                                               else None),
            deployment_controller=aws.ecs.ServiceDeploymentControllerArgs(type="ECS"),
            deployment_configuration=deployment_configuration(args.rollout),
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True),
            alarms=(aws.ecs.ServiceAlarmsArgs(alarm_names=list(args.deployment_alarm_names),
                                              enable=True, rollback=True)
                    if args.deployment_alarm_names else None),
            service_connect_configuration=service_connect(args, self.log_group.name),
            deployment_minimum_healthy_percent=100, deployment_maximum_percent=200,
            propagate_tags="SERVICE", enable_ecs_managed_tags=True,
            enable_execute_command=False,
            # `pulumi up` ends when the rollout has (the canary and bakes included), so CI records
            # the deployment's real outcome; a rolled-back deployment fails the update.
            wait_for_steady_state=True,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=ignored_by_pulumi(args.rollout),
                                        depends_on=[*([args.route.forward_rule] if args.route
                                                      else []), *args.after],
                                        custom_timeouts=rollout_timeouts(args.rollout)))
        self._scale_on_cpu(name, settings)

        self.cluster_name = self.cluster.name
        self.service_name = self.service.name
        self.register_outputs({"clusterName": self.cluster_name, "serviceName": self.service_name})

    def _traffic_shifting(self, name: str, args: ServiceArgs
                          ) -> Optional[aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs]:
        """The second target group, the rule whose weights ECS moves, and the role to move them."""
        route = args.route
        if route is None or args.rollout is None or not args.rollout.shifts_traffic:
            return None
        role = service_role(f"{name}-infrastructure-role", "ecs.amazonaws.com", self)
        aws.iam.RolePolicyAttachment(f"{name}-infrastructure-policy", role=role.name,
                                     policy_arn=LOAD_BALANCER_INFRASTRUCTURE_POLICY,
                                     opts=pulumi.ResourceOptions(parent=self))
        return aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
            alternate_target_group_arn=route.alternate_target_group.arn,
            production_listener_rule=route.forward_rule.arn, role_arn=role.arn)

    def _execution_role(self, name: str, args: ServiceArgs) -> aws.iam.Role:
        """What ECS needs to start a task: pull the image, write logs, read the task's secrets."""
        role = service_role(f"{name}-execution-role", ECS_TASKS, self)
        child = pulumi.ResourceOptions(parent=self)
        aws.iam.RolePolicyAttachment(f"{name}-execution-policy", role=role.name,
                                     policy_arn=EXECUTION_POLICY, opts=child)
        if args.secret_arns or args.parameter_arns:
            allow_reading_secrets(f"{name}-read-secrets", role.id, "ReadTaskSecrets",
                                  args.secret_arns, parent=self,
                                  parameter_arns=args.parameter_arns,
                                  customer_keys=bool(args.settings.secrets))
        return role

    def _task_role(self, name: str, args: ServiceArgs) -> aws.iam.Role:
        """What the app may do itself: read the rotated secrets it connects with."""
        role = service_role(f"{name}-task-role", ECS_TASKS, self)
        if args.runtime_secret_arns:
            allow_reading_secrets(f"{name}-task-reads-secrets", role.id, "ReadRotatedSecrets",
                                  args.runtime_secret_arns, parent=self)
        return role

    def _scale_on_cpu(self, name: str, settings: ServiceSettings) -> None:
        child = pulumi.ResourceOptions(parent=self)
        target = aws.appautoscaling.Target(
            f"{name}-scaling-target", service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self.cluster.name, "/", self.service.name),
            min_capacity=settings.min_tasks, max_capacity=settings.max_tasks, opts=child)
        aws.appautoscaling.Policy(
            f"{name}-cpu-target", name=f"cpu-{settings.cpu_target}", policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace, resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=settings.cpu_target,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="ECSServiceAverageCPUUtilization"),
                scale_in_cooldown=SCALING_COOLDOWN_SECONDS,
                scale_out_cooldown=SCALING_COOLDOWN_SECONDS),
            opts=child)


def rollout_minutes(rollout: Optional[RolloutSettings]) -> int:
    """How long a deployment may take when it goes well: tasks start, traffic moves, the old
    revision bakes."""
    if rollout is None or not rollout.shifts_traffic:
        return TASK_START_MINUTES
    shifting = {"blue_green": 0, "canary": rollout.canary_bake_minutes,
                "linear": math.ceil(100 / rollout.linear_step_percent) * rollout.linear_bake_minutes}
    return TASK_START_MINUTES + shifting[rollout.strategy] + rollout.bake_minutes


def rollout_timeout_minutes(rollout: Optional[RolloutSettings]) -> int:
    return max(PROVIDER_DEFAULT_TIMEOUT_MINUTES, math.ceil(rollout_minutes(rollout) * ROLLOUT_MARGIN))


def rollout_timeouts(rollout: Optional[RolloutSettings]) -> pulumi.CustomTimeouts:
    """`pulumi up` waits out the rollout instead of failing on a timeout while ECS goes on."""
    wait = f"{rollout_timeout_minutes(rollout)}m"
    return pulumi.CustomTimeouts(create=wait, update=wait)


def ignored_by_pulumi(rollout: Optional[RolloutSettings]) -> list[str]:
    """What others own once the service exists: auto scaling the task count and, when traffic
    shifts, ECS the target groups (each deployment swaps the primary and the alternate)."""
    shifting = rollout is not None and rollout.shifts_traffic
    return ["desiredCount", *(["loadBalancers"] if shifting else [])]


def deployment_configuration(rollout: Optional[RolloutSettings]
                             ) -> aws.ecs.ServiceDeploymentConfigurationArgs:
    if rollout is None or not rollout.shifts_traffic:
        return aws.ecs.ServiceDeploymentConfigurationArgs(strategy="ROLLING")
    return aws.ecs.ServiceDeploymentConfigurationArgs(
        strategy=rollout.strategy.upper(), bake_time_in_minutes=str(rollout.bake_minutes),
        canary_configuration=(aws.ecs.ServiceDeploymentConfigurationCanaryConfigurationArgs(
            canary_percent=rollout.canary_percent,
            canary_bake_time_in_minutes=str(rollout.canary_bake_minutes))
            if rollout.strategy == "canary" else None),
        linear_configuration=(aws.ecs.ServiceDeploymentConfigurationLinearConfigurationArgs(
            step_percent=rollout.linear_step_percent,
            step_bake_time_in_minutes=str(rollout.linear_bake_minutes))
            if rollout.strategy == "linear" else None))


def service_connect(args: ServiceArgs, log_group: pulumi.Input[str]
                    ) -> Optional[aws.ecs.ServiceServiceConnectConfigurationArgs]:
    """A listening service is a client-server in the namespace: its port mapping, discovered and
    called by its own name; a worker is a client only. The proxy logs beside the app."""
    if args.service_connect_namespace_arn is None:
        return None
    settings = args.settings
    return aws.ecs.ServiceServiceConnectConfigurationArgs(
        enabled=True, namespace=args.service_connect_namespace_arn,
        services=([aws.ecs.ServiceServiceConnectConfigurationServiceArgs(
            port_name=settings.name, discovery_name=settings.name,
            client_alias=[aws.ecs.ServiceServiceConnectConfigurationServiceClientAliasArgs(
                port=settings.port, dns_name=settings.name)])] if settings.listens else None),
        log_configuration=aws.ecs.ServiceServiceConnectConfigurationLogConfigurationArgs(
            log_driver="awslogs", options={
                "awslogs-group": log_group, "awslogs-region": args.region,
                "awslogs-stream-prefix": SERVICE_CONNECT_LOG_PREFIX}))


def port_mapping(args: ServiceArgs) -> dict:
    """Named for the service when it listens in the namespace (Service Connect's portName)."""
    port = args.settings.port
    mapping = {"containerPort": port, "protocol": "tcp"}
    if args.service_connect_namespace_arn is not None and args.settings.listens:
        mapping.update(name=args.settings.name, appProtocol=APP_PROTOCOL)
    return mapping


def container_definitions(args: ServiceArgs, log_group: pulumi.Input[str]) -> pulumi.Output[str]:
    """The app container: secrets injected by ECS from Secrets Manager, never plain environment.
    A worker listens to nobody: no port and no HTTP health check (ECS would replace it as
    unhealthy), as on the MVP's instance."""
    settings = args.settings
    listening = {
        "portMappings": [port_mapping(args)],
        "healthCheck": {"command": ["CMD-SHELL",
                                    f"curl -fsS http://localhost:{settings.port}"
                                    f"{settings.health_check_path} || exit 1"],
                        "interval": 30, "timeout": 5, "retries": 2, "startPeriod": 60},
    } if settings.listens else {}
    return pulumi.Output.json_dumps([{
        "name": CONTAINER_NAME,
        "image": settings.image,
        "essential": True,
        **listening,
        "environment": [{"name": key, "value": value}
                        for key, value in sorted(args.environment.items())],
        "secrets": [{"name": key, "valueFrom": value} for key, value in sorted(args.secrets.items())],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": log_group, "awslogs-region": args.region,
            "awslogs-stream-prefix": CONTAINER_NAME}},
        "stopTimeout": 30,
    }])
