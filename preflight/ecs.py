"""ECS: Fargate sizes, traffic-shifting rollouts that are wired completely, a provider wait
that outlasts the rollout, and Service Connect's names, support and proxy resources."""
from __future__ import annotations

import json
import math
import re

from config.rules import FARGATE_MEMORY
from preflight.model import WARNING, cites, found, known
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


# ---- Service Connect ----

# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html:
# a discovery name holds up to 64 lower-case letters, digits, _ and -, not starting with -.
DISCOVERY_NAME = re.compile(r"^(?!-)[a-z0-9_-]{1,64}$")
# https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ecs/aws.sdk.kotlin.services.ecs.model/-port-mapping/-builder
# (PortMapping.name): a port mapping's name, Service Connect's portName, follows the same rule.
PORT_NAME = DISCOVERY_NAME
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-service-serviceconnectclientalias.html:
# a client alias's dnsName holds up to 127 lower-case letters, digits, _, - and ., not starting
# with -; API_ServiceConnectService (above): at most one client alias.
DNS_NAME = re.compile(r"^(?!-)[a-z0-9_.-]{1,127}$")
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html
# ("Proxy resources"): add 256 CPU units and at least 64 MiB to the task for the proxy.
PROXY_CPU, PROXY_MEMORY_MIB = 256, 64
SMALLEST_TASK_CPU = 256  # Fargate's smallest task (config/rules.py FARGATE_MEMORY)
# Same page ("Considerations"): Fargate platform 1.4.0 or later; not with the CodeDeploy or
# external deployment controllers.
OLDEST_PLATFORM = (1, 4, 0)
UNSUPPORTED_CONTROLLERS = ("CODE_DEPLOY", "EXTERNAL")


def _service_connect(service) -> dict:
    config = service.inputs.get("serviceConnectConfiguration") or {}
    return config if config.get("enabled") else {}


def _task_definition_of(plan: Plan, service):
    """The task definition the service runs, by the dependency Pulumi recorded for it."""
    for urn in service.property_dependencies.get("taskDefinition", ()):
        try:
            task = plan.by_urn(urn)
        except LookupError:
            continue
        if task.type == TASK_DEFINITION:
            return task
    return None


def _port_names(task) -> set:
    """The names of the task's port mappings, or None while its containers are not known."""
    text = task.inputs.get("containerDefinitions")
    if not known(text):
        return None
    containers = json.loads(text) if isinstance(text, str) else text
    return {mapping.get("name") for container in containers
            for mapping in container.get("portMappings", []) if mapping.get("name")}


@cites("https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html")
def service_connect_names(plan: Plan) -> list:
    """Discovery names, client aliases and port mapping names ECS accepts; each portName is a
    port mapping of the service's own task definition."""
    findings = []
    for task in plan.of_type(TASK_DEFINITION):
        for name in sorted(_port_names(task) or ()):
            if not PORT_NAME.match(name):
                findings.append(found(service_connect_names, task, f"port mapping name "
                                      f"{name!r}: 1 to 64 lower-case letters, digits, _ or -"))
    for service in plan.of_type(SERVICE):
        task = _task_definition_of(plan, service)
        names = _port_names(task) if task is not None else None
        for entry in _service_connect(service).get("services") or []:
            findings += _service_entry_problems(service, entry, names)
    return findings


def _service_entry_problems(service, entry: dict, port_names) -> list:
    problems = []
    discovery, aliases = entry.get("discoveryName"), entry.get("clientAlias") or []
    if discovery is not None and known(discovery) and not DISCOVERY_NAME.match(discovery):
        problems.append(f"discoveryName {discovery!r}: 1 to 64 lower-case letters, digits, _ "
                        "or -, not starting with -")
    if len(aliases) > 1:
        problems.append(f"{len(aliases)} client aliases; allowed: at most 1")
    for alias in aliases:
        dns = alias.get("dnsName")
        if dns is not None and known(dns) and not DNS_NAME.match(dns):
            problems.append(f"client alias {dns!r}: 1 to 127 lower-case letters, digits, _, - "
                            "or ., not starting with -")
        if not alias.get("port"):
            problems.append("a client alias without a port")
    port_name = entry.get("portName")
    if port_names is not None and port_name not in port_names:
        problems.append(f"portName {port_name!r} names no port mapping of its task definition "
                        f"({', '.join(sorted(port_names)) or 'none named'})")
    return [found(service_connect_names, service, problem) for problem in problems]


@cites("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html")
def service_connect_unique_names(plan: Plan) -> list:
    """Every discovery name and every endpoint (client alias) once per namespace."""
    seen: dict = {}
    findings = []
    for service in plan.of_type(SERVICE):
        config = _service_connect(service)
        namespace = config.get("namespace")
        for entry in config.get("services") or []:
            names = [("discovery name", entry.get("discoveryName") or entry.get("portName"))]
            names += [("endpoint", f"{alias.get('dnsName')}:{alias.get('port')}")
                      for alias in entry.get("clientAlias") or []]
            for kind, name in names:
                first = seen.setdefault((str(namespace), kind, name), service.name)
                if first != service.name:
                    findings.append(found(service_connect_unique_names, service,
                                          f"{kind} {name!r} is also {first}'s in its namespace"))
    return findings


@cites("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html")
def service_connect_supported(plan: Plan) -> list:
    """Service Connect needs Fargate 1.4.0 or later, the ECS deployment controller and a task
    definition that sets the task's memory."""
    findings = []
    for service in plan.of_type(SERVICE):
        if not _service_connect(service):
            continue
        controller = (service.inputs.get("deploymentController") or {}).get("type", "ECS")
        if controller in UNSUPPORTED_CONTROLLERS:
            findings.append(found(service_connect_supported, service,
                                  f"the {controller} deployment controller"))
        version = service.inputs.get("platformVersion") or "LATEST"
        numbers = tuple(int(n) for n in re.findall(r"\d+", version))
        if version != "LATEST" and numbers < OLDEST_PLATFORM:
            findings.append(found(service_connect_supported, service,
                                  f"Fargate platform {version}; allowed: 1.4.0 or later"))
        task = _task_definition_of(plan, service)
        if task is not None and not task.inputs.get("memory"):
            findings.append(found(service_connect_supported, task, "no task memory"))
    return findings


@cites("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html")
def service_connect_proxy_share(plan: Plan) -> list:
    """AWS recommends adding 256 CPU units and 64 MiB to a task for its Service Connect proxy: a
    task of Fargate's smallest size cannot have had them added (a warning: ECS accepts it)."""
    findings = []
    for service in plan.of_type(SERVICE):
        task = _task_definition_of(plan, service) if _service_connect(service) else None
        cpu = task.inputs.get("cpu") if task is not None else None
        if known(cpu) and int(cpu) - PROXY_CPU < SMALLEST_TASK_CPU:
            findings.append(found(
                service_connect_proxy_share, task,
                f"{cpu} CPU units shared with the Service Connect proxy, which AWS recommends "
                f"adding {PROXY_CPU} units and {PROXY_MEMORY_MIB} MiB for: the app keeps less "
                f"than Fargate's smallest task; give the service cpu ≥ "
                f"{PROXY_CPU + SMALLEST_TASK_CPU}", severity=WARNING))
    return findings


RULES += [service_connect_names, service_connect_unique_names, service_connect_supported,
          service_connect_proxy_share]
