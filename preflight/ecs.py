"""ECS: Fargate sizes, traffic-shifting rollouts that are wired completely, and a provider wait
that outlasts the rollout."""
from __future__ import annotations

import math
import re

from config.rules import FARGATE_MEMORY
from preflight.model import cites, found, known
from preview.plan import Plan

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
SHIFTING = ("BLUE_GREEN", "CANARY", "LINEAR")
PROVIDER_DEFAULT_MINUTES = 20  # the Terraform provider's aws_ecs_service create/update timeout


@cites("https://docs.aws.amazon.com/AmazonECS/latest/userguide/task-cpu-memory-error.html")
def fargate_sizes(plan: Plan) -> list:
    """A Fargate task's CPU and memory form one of Fargate's pairs."""
    findings = []
    for task in plan.of_type(TASK_DEFINITION):
        cpu, memory = task.inputs.get("cpu"), task.inputs.get("memory")
        if not (known(cpu) and known(memory)) or "FARGATE" not in task.inputs.get(
                "requiresCompatibilities", []):
            continue
        allowed = FARGATE_MEMORY.get(int(cpu), ())
        if int(memory) not in allowed:
            findings.append(found(fargate_sizes, task, f"cpu {cpu} with memory {memory} MiB; "
                                  f"allowed with {cpu}: {', '.join(map(str, allowed)) or 'none'}"))
    return findings


@cites("https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AdvancedConfiguration.html")
def traffic_shifting_is_wired(plan: Plan) -> list:
    """Blue/green, canary and linear need, on the load balancer, an alternate target group other
    than the primary, the production listener rule and the role ECS moves traffic with."""
    findings = []
    for service in plan.of_type(SERVICE):
        strategy = (service.inputs.get("deploymentConfiguration") or {}).get("strategy")
        if strategy not in SHIFTING:
            continue
        for balancer in service.inputs.get("loadBalancers") or [{}]:
            advanced = balancer.get("advancedConfiguration") or {}
            missing = [key for key in ("alternateTargetGroupArn", "productionListenerRule",
                                       "roleArn") if not advanced.get(key)]
            if missing:
                findings.append(found(traffic_shifting_is_wired, service,
                                      f"{strategy} without {', '.join(missing)}"))
            elif known(advanced["alternateTargetGroupArn"]) and \
                    advanced["alternateTargetGroupArn"] == balancer.get("targetGroupArn"):
                findings.append(found(traffic_shifting_is_wired, service,
                                      "the alternate target group is the primary one"))
    return findings


def _shifting_minutes(deployment: dict) -> float:
    """The least a successful rollout takes: canary or linear bakes, then the final bake."""
    minutes = float(deployment.get("bakeTimeInMinutes") or 0)
    canary = deployment.get("canaryConfiguration") or {}
    linear = deployment.get("linearConfiguration") or {}
    minutes += float(canary.get("canaryBakeTimeInMinutes") or 0)
    if linear.get("stepPercent"):
        minutes += math.ceil(100 / float(linear["stepPercent"])) * float(
            linear.get("stepBakeTimeInMinutes") or 0)
    return minutes


def _timeout_minutes(text: str) -> float:
    """Pulumi's duration strings: "53m", "1h30m", "90s"."""
    units = {"h": 60, "m": 1, "s": 1 / 60}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)([hms])", text))


@cites("https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ecs_service#timeouts")
def provider_waits_out_the_rollout(plan: Plan) -> list:
    """With waitForSteadyState the provider waits for the rollout, but only until its
    create/update timeout (20 minutes unless customTimeouts says otherwise)."""
    findings = []
    for service in plan.of_type(SERVICE):
        if not service.inputs.get("waitForSteadyState"):
            continue
        rollout = _shifting_minutes(service.inputs.get("deploymentConfiguration") or {})
        for kind in ("create", "update"):
            wait = (_timeout_minutes(service.custom_timeouts[kind])
                    if kind in service.custom_timeouts else PROVIDER_DEFAULT_MINUTES)
            if wait <= rollout:
                findings.append(found(provider_waits_out_the_rollout, service,
                                      f"{kind} waits {wait:g} min, the rollout's bakes alone "
                                      f"take {rollout:g} min"))
    return findings


RULES = [fargate_sizes, traffic_shifting_is_wired, provider_waits_out_the_rollout]
