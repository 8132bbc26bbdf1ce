"""`webstack:services`: the product's containers, keyed by name, checked before any resource.

Each service's keys default to the flat app keys (appImage, appPort, taskCpu…), so a stack
without `services` runs one service named `app` routed at `/api/*`, as before (on the MVP's
instance: at `/*`, see config/instance_services.py, which also holds what the MVP allows
instead of Fargate's sizes). Every problem names `webstack:services.<name>.<key>`, the value and
what is allowed.
"""
from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, Callable, Mapping, Optional

import config.instance_services as on_instance
from config.named_objects import load_named_objects, parse_each, unknown_key_problem
from config.rules import FARGATE_MEMORY, container_image, in_range
from config.service_overrides import (OVERRIDE_KEYS, ValueCheck, rollout_of, service_rollout,
                                      service_thresholds)
from config.settings import ServiceSettings

KEY = "webstack:services"
KINDS = ("web", "internal", "worker")
# 1 to 16 lower-case letters, digits or hyphens, a letter first: ECR repository names are
# lower-case, and a target group's auto-name `<service>-tg-alt` plus Pulumi's 8 random
# characters must stay within 32 (see the target group limit cited below).
NAME = re.compile(r"^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$")
MAX_NAME = 16
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html:
# up to three comparison strings per condition and five per rule (the CloudFront secret header
# takes one).
MAX_ROUTES_PER_SERVICE = 3
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html:
# 100 target groups per ALB (not adjustable); each service may take two (blue/green).
MAX_SERVICES = 50
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html:
# 75 cache behaviors per distribution; one is the static assets' behavior.
MAX_ROUTES = 74
# https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_PathPatternConditionConfig.html:
# a path pattern holds up to 128 characters, * and ? as wildcards. The character set below is this
# program's conservative choice (URL path characters), not a list read from AWS.
ROUTE = re.compile(r"^/[A-Za-z0-9_\-.$/~\"'@:+&*?]{0,127}$")
# Where CloudFront keeps serving the assets bucket when a service takes the site's root.
ASSETS_PATH = "/assets/*"

DEFAULTS_FROM = {"image": "appImage", "port": "appPort", "cpu": "taskCpu", "memory": "taskMemory",
                 "minTasks": "minTasks", "desiredTasks": "desiredTasks", "maxTasks": "maxTasks",
                 "cpuTarget": "scalingCpuTarget"}
FIELDS = (*DEFAULTS_FROM, "healthCheckPath", "kind", "routes", "dependsOn", "environment",
          "secrets", *OVERRIDE_KEYS)
# A Lambda function's own keys (config/functions.py): refused here, by name.
FUNCTION_ONLY = ("timeout", "reservedConcurrency", "code", "runtime", "handler", "async")
# https://docs.aws.amazon.com/lambda/latest/api/API_Environment.html: a variable's name matches
# [a-zA-Z]([a-zA-Z0-9_])+; the stricter of the two runtimes' rules, so a service can move tiers.
VARIABLE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]+$")
# Names the program sets itself (the data stores' endpoints) and AWS_*, which Lambda reserves
# (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
RESERVED_PREFIXES = ("AWS_", "DATABASE_", "REDIS_")
# A literal value under such a name is a secret in plain config: it belongs in `secrets`.
SECRET_LOOKING = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL",
                            re.IGNORECASE)
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
# and .../secrets-envvar-ssm-paramstore.html: a container's secret comes from a Secrets Manager
# secret or a Systems Manager parameter, by ARN.
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:(?:secretsmanager:[a-z0-9-]+:\d{12}:secret:"
                        r"[A-Za-z0-9/_+=.@-]+|ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+)$")
# A secret's complete ARN, ending in the "-" and six random characters Secrets Manager adds: the
# roles' IAM policies name exactly that ARN and a partial one matches no secret there (AccessDenied
# at the task's start; partial ARNs: docs.rs rusoto_secretsmanager GetResourcePolicyRequest).
COMPLETE_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:(?:secretsmanager:[a-z0-9-]+:\d{12}:secret:"
                                 r"[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}"
                                 r"|ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+)$")
EXAMPLE = ('{"web": {"routes": ["/*"], "dependsOn": ["api"]}, '
           '"api": {"routes": ["/api/*"], "cpu": 1024, "memory": 2048}}')


class ServicesError(ValueError):
    """Every problem of `services`, each naming its service and key."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def default_service(flat: Mapping[str, Any]) -> ServiceSettings:
    """The one service of a stack without `services`: the flat keys, routed at `/api/*`."""
    return ServiceSettings(
        image=flat["appImage"], port=flat["appPort"], cpu=flat["taskCpu"],
        memory=flat["taskMemory"], min_tasks=flat["minTasks"], desired_tasks=flat["desiredTasks"],
        max_tasks=flat["maxTasks"], cpu_target=flat["scalingCpuTarget"], rollout=rollout_of(flat))


def load_object(raw: Any) -> dict:
    """The raw `services` value as an object (Pulumi passes structured config as JSON)."""
    try:
        return _as_object(raw)
    except ServicesError as err:
        raise ValueError(str(err).split("; allowed: ", 1)[-1].split("allowed: ", 1)[-1]) from None


def parse_services(raw: Any, flat: Mapping[str, Any], checked_value: ValueCheck
                   ) -> tuple[ServiceSettings, ...]:
    """The services sorted by name, or ServicesError listing every problem; `checked_value`
    judges a service's own rollout keys by the stack keys' rules (config/keys.py)."""
    given = _as_object(raw)
    problems = []
    if not given:
        raise ServicesError([f"{KEY} = {json.dumps(given)} is not valid; allowed: one or more "
                             f"services by name, e.g. {EXAMPLE}"])
    if len(given) > MAX_SERVICES:
        problems.append(f"{KEY} has {len(given)} services; allowed: at most {MAX_SERVICES} "
                        "(an ALB holds 100 target groups, two per service)")
    services, found = parse_each(
        given, lambda name, spec: _service(name, spec, flat, checked_value))
    problems += found
    if not problems:
        problems += _across_services(services)
    if not problems and _on_instance(flat):
        problems += on_instance.memory_sum_problems(tuple(services), flat["serverInstanceType"])
    if problems:
        raise ServicesError(problems)
    return tuple(with_callee_urls(services))


def with_callee_urls(services: list[ServiceSettings]) -> list[ServiceSettings]:
    """Each service told where the services it depends on answer, in both tiers by the callee's
    name (Service Connect's client alias; the MVP's Docker network alias)."""
    ports = {service.name: service.port for service in services}
    return [dataclasses.replace(service, callee_urls=tuple(
        (callee_url_variable(callee), f"http://{callee}:{ports[callee]}")
        for callee in service.depends_on)) for service in services]


def callee_url_variable(callee: str) -> str:
    """The variable a caller finds a service it depends on in: `api` → `API_URL`."""
    return f"{callee.upper().replace('-', '_')}_URL"


def _on_instance(flat: Mapping[str, Any]) -> bool:
    """The MVP runs the services as containers on its one instance, not on Fargate."""
    return flat.get("tier") == "mvp"


def _as_object(raw: Any) -> dict:
    return load_named_objects(raw, KEY, "service", EXAMPLE, ServicesError)


def _service(name: str, spec: Any, flat: Mapping[str, Any], checked_value: ValueCheck
             ) -> tuple[Optional[ServiceSettings], list[str]]:
    where = f"{KEY}.{name}"
    problems = []
    if not NAME.match(name):
        problems.append(f"{KEY}: the service name {name!r} is not valid; allowed: 1 to "
                        f"{MAX_NAME} lower-case letters, digits or hyphens, starting with a "
                        "letter and not ending with a hyphen (ECR repository and target group "
                        "names are built from it)")
    if not isinstance(spec, dict):
        return None, problems + [f"{where} = {json.dumps(spec)} is not valid; allowed: an object "
                                 f"with any of {', '.join(FIELDS)}"]
    for key in spec:
        if key in FUNCTION_ONLY:
            problems.append(f"{where}.{key} is a function key; allowed only with webstack:tier = "
                            f"'serverless' (here: {', '.join(FIELDS)})")
        elif key not in FIELDS:
            problems.append(unknown_key_problem(where, key, FIELDS, "service"))
    values = {key: spec.get(key, flat[flat_key]) for key, flat_key in DEFAULTS_FROM.items()}
    checks: dict[str, Callable[[Any], Optional[str]]] = {
        "image": lambda v: container_image(v) if isinstance(v, str) else "a string",
        "port": _integer(1, 65535),
        # On the instance, the instance type bounds them (checked with the sizes below).
        "cpu": _integer(1, 16384) if _on_instance(flat) else _integer(256, 16384),
        "memory": _integer(1, 122880) if _on_instance(flat) else _integer(512, 122880),
        "minTasks": _integer(1, 1000),
        "desiredTasks": _integer(1, 1000), "maxTasks": _integer(1, 1000),
        "cpuTarget": _integer(10, 95)}
    for key, check in checks.items():
        allowed = check(values[key])
        if allowed:
            problems.append(f"{where}.{key} = {json.dumps(values[key])} is not valid; allowed: "
                            f"{allowed}")
    health = spec.get("healthCheckPath", "/health")
    if not (isinstance(health, str) and ROUTE.match(health) and "*" not in health):
        problems.append(f"{where}.healthCheckPath = {json.dumps(health)} is not valid; allowed: "
                        "a path starting with /, e.g. /health")
    kind = spec.get("kind", "web")
    if kind not in KINDS:
        problems.append(f"{where}.kind = {json.dumps(kind)} is not valid; allowed: "
                        f"{', '.join(KINDS)}")
    routes, found = _string_list(where, "routes", spec.get("routes", []))
    problems += found + _route_problems(where, kind, routes)
    if _on_instance(flat) and not found:
        problems += on_instance.route_problems(where, tuple(r for r in routes if ROUTE.match(r)))
    depends_on, found = _string_list(where, "dependsOn", spec.get("dependsOn", []))
    problems += found
    environment, found = _variables(where, "environment", spec.get("environment", {}))
    problems += found
    secrets, found = _variables(where, "secrets", spec.get("secrets", {}))
    problems += found + _environment_problems(where, environment, secrets)
    rollout, found = service_rollout(where, spec, flat, bool(routes), checked_value)
    problems += found
    thresholds, found = service_thresholds(where, spec, bool(routes), _on_instance(flat))
    problems += found
    if problems:
        return None, problems
    problems += _size_problems(where, values, flat)
    if problems:
        return None, problems
    return ServiceSettings(
        name=name, image=values["image"], port=values["port"], cpu=values["cpu"],
        memory=values["memory"], min_tasks=values["minTasks"],
        desired_tasks=values["desiredTasks"], max_tasks=values["maxTasks"],
        cpu_target=values["cpuTarget"], health_check_path=health, kind=kind,
        routes=tuple(routes), depends_on=tuple(sorted(set(depends_on))),
        environment=tuple(sorted(environment.items())), secrets=tuple(sorted(secrets.items())),
        rollout=rollout, alarm_thresholds=thresholds), []


def _integer(low: int, high: int) -> Callable[[Any], Optional[str]]:
    def check(value: Any) -> Optional[str]:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"an integer from {low} to {high}"
        return in_range(low, high)(value)
    return check


def _string_list(where: str, key: str, value: Any) -> tuple[list[str], list[str]]:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value, []
    return [], [f"{where}.{key} = {json.dumps(value)} is not valid; allowed: a list of strings"]


def _variables(where: str, key: str, value: Any) -> tuple[dict, list[str]]:
    if isinstance(value, dict) and all(isinstance(item, str) for item in value.values()):
        return value, []
    return {}, [f"{where}.{key} = {json.dumps(value)} is not valid; allowed: an object of "
                "variable names to strings, e.g. {\"LOG_LEVEL\": \"info\"}"]


def _environment_problems(where: str, environment: dict, secrets: dict) -> list[str]:
    """Names both runtimes accept and the program does not set; secrets by ARN only."""
    problems = []
    for key, values in (("environment", environment), ("secrets", secrets)):
        for name in values:
            if not VARIABLE.match(name):
                problems.append(f"{where}.{key}: {name!r} is not a valid variable name; "
                                "allowed: a letter, then letters, digits or _ (2 or more "
                                "characters)")
            elif name.upper().startswith(RESERVED_PREFIXES):
                problems.append(f"{where}.{key}: {name!r} is not allowed; names starting with "
                                f"{', '.join(RESERVED_PREFIXES)} are set by the program or AWS")
    for name in sorted(set(environment) & set(secrets)):
        problems.append(f"{where}.environment and {where}.secrets both set {name!r}; allowed: "
                        "each variable in one of them")
    for name, value in sorted(environment.items()):
        if SECRET_LOOKING.search(name) and not SECRET_ARN.match(value):
            problems.append(f"{where}.environment.{name} holds a literal value under a secret's "
                            f"name; allowed: move it to {where}.secrets as the ARN of a Secrets "
                            "Manager secret or SSM parameter (config is plaintext)")
    for name, value in sorted(secrets.items()):
        if not COMPLETE_SECRET_ARN.match(value):
            problems.append(f"{where}.secrets.{name} = {json.dumps(value)} is not valid; "
                            "allowed: the ARN of a Secrets Manager secret "
                            "(complete: arn:aws:secretsmanager:<region>:<account>:secret:<name>-"
                            "<6 characters>) or an SSM "
                            "parameter (arn:aws:ssm:<region>:<account>:parameter/<name>)")
    return problems


def _route_problems(where: str, kind: Any, routes: list[str]) -> list[str]:
    problems = []
    if kind == "web" and not routes:
        problems.append(f"{where}.routes is empty; allowed for kind web: 1 to "
                        f"{MAX_ROUTES_PER_SERVICE} path patterns such as /api/* (or set kind "
                        "to internal or worker)")
    if kind in ("internal", "worker") and routes:
        problems.append(f"{where}.routes = {json.dumps(routes)} is not valid with kind "
                        f"{kind}; allowed: none (only web services take paths at the edge)")
    if len(routes) > MAX_ROUTES_PER_SERVICE:
        problems.append(f"{where}.routes has {len(routes)} paths; allowed: at most "
                        f"{MAX_ROUTES_PER_SERVICE} (an ALB condition holds three values)")
    for route in routes:
        if not ROUTE.match(route):
            problems.append(f"{where}.routes: {route!r} is not valid; allowed: a path pattern "
                            "starting with /, up to 128 characters, with * and ? as wildcards")
        elif _covers(ASSETS_PATH, route) or route == ASSETS_PATH:
            problems.append(f"{where}.routes: {route!r} is not valid; allowed: any path outside "
                            f"{ASSETS_PATH}, which CloudFront serves from the assets bucket")
    if len(set(routes)) != len(routes):
        problems.append(f"{where}.routes = {json.dumps(routes)} names a path twice")
    return problems


def _size_problems(where: str, v: Mapping[str, Any], flat: Mapping[str, Any]) -> list[str]:
    problems = []
    cpu, memory = v["cpu"], v["memory"]
    if _on_instance(flat):
        problems += on_instance.size_problems(where, cpu, memory, flat["serverInstanceType"])
    elif cpu not in FARGATE_MEMORY:
        problems.append(f"{where}.cpu = {cpu} is not valid; allowed: one of "
                        f"{', '.join(map(str, FARGATE_MEMORY))} (Fargate CPU units)")
    elif memory not in FARGATE_MEMORY[cpu]:
        problems.append(f"{where}.memory = {memory} is not valid with {where}.cpu = {cpu}; "
                        f"Fargate allows {', '.join(map(str, FARGATE_MEMORY[cpu]))} MiB")
    counts = (v["minTasks"], v["desiredTasks"], v["maxTasks"])
    if list(counts) != sorted(counts):
        problems.append(f"{where}.minTasks = {counts[0]}, desiredTasks = {counts[1]} and "
                        f"maxTasks = {counts[2]} are not valid together; allowed: minTasks ≤ "
                        "desiredTasks ≤ maxTasks")
    return problems


def _across_services(services: list[ServiceSettings]) -> list[str]:
    """Paths claimed twice, unknown or impossible dependencies, too many routes, and shadowing."""
    problems = []
    by_name = {service.name: service for service in services}
    owner: dict[str, str] = {}
    for service in services:
        for route in service.routes:
            if route in owner:
                problems.append(f"{KEY}.{service.name}.routes: {route!r} is also claimed by "
                                f"{KEY}.{owner[route]}.routes; allowed: each path in one "
                                "service only")
            owner.setdefault(route, service.name)
        for callee in service.depends_on:
            where = f"{KEY}.{service.name}.dependsOn"
            variable = callee_url_variable(callee)
            for key, values in (("environment", service.environment),
                                ("secrets", service.secrets)):
                if variable in dict(values):
                    problems.append(f"{KEY}.{service.name}.{key}.{variable} is set by the "
                                    f"program: the URL of {callee} (dependsOn); allowed: "
                                    "another name")
            if callee == service.name:
                problems.append(f"{where}: {callee!r} is the service itself; allowed: other "
                                "services")
            elif callee not in by_name:
                problems.append(f"{where}: {callee!r} is not a service; allowed: "
                                f"{', '.join(sorted(set(by_name) - {service.name})) or 'none'}")
            elif by_name[callee].kind == "worker":
                problems.append(f"{where}: {callee!r} is a worker, which listens to nobody; "
                                "allowed: web or internal services")
    if services and not owner:
        problems.append(f"{KEY}: no service takes a route, so CloudFront and the ALB would "
                        "forward nothing (the ALB and its origin would stand idle); allowed: at "
                        "least one web service with routes, e.g. "
                        f"{KEY}.<name>.routes = [\"/api/*\"]")
    if len(owner) > MAX_ROUTES:
        problems.append(f"{KEY}: {len(owner)} routes in all; allowed: at most {MAX_ROUTES} "
                        "(CloudFront's cache behaviors per distribution)")
    return problems or shadowing_problems(services)


# ---- the ALB's rule order ----

# https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RulePriorityPair.html:
# a rule priority is 1 to 50000, evaluated lowest first.
MAX_PRIORITY = 50_000
BAND = 1000
MAX_PREFIX = 40  # longer literal prefixes share the most specific band


def literal_prefix(route: str) -> str:
    """The part of a path pattern before its first wildcard."""
    return re.split(r"[*?]", route, maxsplit=1)[0]


def _covers(general: str, specific: str) -> bool:
    """Whether every request `specific` matches could also match `general`."""
    return general != specific and "*" in general and \
        literal_prefix(specific).startswith(literal_prefix(general))


def _band(service: ServiceSettings) -> int:
    """1 for the most specific routes, up to 41 for `/*`: by the least specific route."""
    shortest = min(len(literal_prefix(route)) for route in service.routes)
    return MAX_PREFIX + 1 - min(shortest, MAX_PREFIX)


def _slot(name: str) -> int:
    """A position within the band from the name alone, so no other service moves it."""
    return int.from_bytes(name.encode(), "big") % (BAND - 1) + 1 if name else 1


def rule_priorities(services: tuple[ServiceSettings, ...]) -> dict[str, int]:
    """Each web service's listener-rule priority: more specific paths first, the position in the
    band from the service's own name (a collision moves the later name by name order to the next
    free slot), never from the order services appear in the config."""
    taken: set[int] = set()
    priorities = {}
    for service in sorted((s for s in services if s.routed), key=lambda s: s.name):
        band, slot = _band(service), _slot(service.name)
        priority = band * BAND + slot
        while priority in taken:
            slot = slot % (BAND - 1) + 1
            priority = band * BAND + slot
        taken.add(priority)
        priorities[service.name] = priority
    return priorities


def shadowing_problems(services: list[ServiceSettings]) -> list[str]:
    """A service whose rule the ALB evaluates first must not take another's more specific path."""
    priorities = rule_priorities(tuple(services))
    ordered = sorted((s for s in services if s.routed), key=lambda s: priorities[s.name])
    problems = []
    for index, first in enumerate(ordered):
        for later in ordered[index + 1:]:
            for general in first.routes:
                for specific in later.routes:
                    if _covers(general, specific):
                        problems.append(
                            f"{KEY}.{first.name}.routes: {general!r} would take the requests of "
                            f"{KEY}.{later.name}.routes {specific!r} (the ALB evaluates "
                            f"{first.name}'s rule first, ordered by each service's least specific "
                            "path); allowed: move the general path to a service of its own")
    return problems
