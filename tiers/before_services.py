"""Where a scaled stack deployed before `webstack:services` keeps its one app's resources.

Until commit 210eeae the app was no service of many: the cluster lived in the `app` Service
component, the ECR repository in a Registry named `registry`, the target groups and the listener
rule in the LoadBalancer `api`. A stack without `services` now runs one service named `app`; these
aliases let it take those resources over in place. Without them Pulumi would create a second
repository and cluster of the same names (refused, or worse, the old one deleted after) and new
target groups. The alarms are not aliased: CloudWatch knows an alarm by its name, which now
carries the service's (`<prefix>-app-ecs-cpu`), so they are new alarms either way; nor is the
ALB's ingress rule, which moved to the service's own security group.
"""
from __future__ import annotations

from components.former_names import old_urn
from config.settings import ServiceSettings

LEGACY_SERVICE = "app"
SERVICE = "webstack:service:Service"
REGISTRY = "webstack:registry:Registry"
LOAD_BALANCER = "webstack:load_balancer:LoadBalancer"


def cluster_formerly(cluster: str) -> dict[str, str]:
    """The cluster and its Container Insights log group, once children of the `app` service."""
    return {f"{cluster}-cluster": old_urn(f"{SERVICE}$aws:ecs/cluster:Cluster", "app-cluster"),
            f"{cluster}-insights-logs": old_urn(f"{SERVICE}$aws:cloudwatch/logGroup:LogGroup",
                                                "app-insights-logs")}


def registry_aliases(service: ServiceSettings) -> list[str]:
    return [old_urn(REGISTRY, "registry")] if service.name == LEGACY_SERVICE else []


def registry_formerly(service: ServiceSettings, registry: str) -> dict[str, str]:
    if service.name != LEGACY_SERVICE:
        return {}
    return {f"{registry}-repository": old_urn(f"{REGISTRY}$aws:ecr/repository:Repository",
                                              "registry-repository"),
            f"{registry}-lifecycle": old_urn(
                f"{REGISTRY}$aws:ecr/lifecyclePolicy:LifecyclePolicy", "registry-lifecycle")}


def route_formerly(service: ServiceSettings, load_balancer: str) -> dict[str, str]:
    """The target groups and the listener rule, once the load balancer's."""
    if service.name != LEGACY_SERVICE:
        return {}
    group = f"{LOAD_BALANCER}$aws:lb/targetGroup:TargetGroup"
    return {f"{service.name}-tg": old_urn(group, f"{load_balancer}-app"),
            f"{service.name}-tg-alt": old_urn(group, f"{load_balancer}-app-alternate"),
            f"{service.name}-from-cloudfront": old_urn(
                f"{LOAD_BALANCER}$aws:lb/listenerRule:ListenerRule",
                f"{load_balancer}-from-cloudfront")}


def load_balancer_formerly(services: tuple[ServiceSettings, ...],
                           load_balancer: str) -> dict[str, str]:
    """The ALB's egress to the app's port, once named for no port."""
    app = next((s for s in services if s.name == LEGACY_SERVICE and s.routed), None)
    if app is None:
        return {}
    return {f"{load_balancer}-to-tasks-{app.port}": old_urn(
        f"{LOAD_BALANCER}$aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        f"{load_balancer}-to-tasks")}
