"""`webstack:services` in the serverless tier: each entry is a Lambda function, checked before any
resource.

The same model as the scaled tier's services (name, kind, routes, environment, secrets) with the
function's own keys (memory, timeout, reservedConcurrency, code, runtime, handler, async); a
container's keys (image, port, cpu, tasks…) are refused here, as a function's are in the other
tiers. Every problem names `webstack:services.<name>.<key>`, the value and what is allowed.
"""
from __future__ import annotations

import json
import re
from typing import Any, Mapping, Optional

from config.services import (FUNCTION_ONLY, KEY, MAX_NAME, NAME, ServicesError, _as_object,
                             _environment_problems, _integer, _route_problems, _string_list,
                             _variables)
from config.named_objects import parse_each, unknown_key_problem
from config.settings import FunctionSettings

KINDS = ("web", "worker")  # web: routed from the API; worker: invoked asynchronously, no route
# Each key a function leaves out comes from its flat key.
DEFAULTS_FROM = {"memory": "lambdaMemoryMb", "timeout": "lambdaTimeoutSeconds",
                 "runtime": "lambdaRuntime", "handler": "lambdaHandler"}
FIELDS = ("memory", *FUNCTION_ONLY, "kind", "routes", "environment", "secrets")
CONTAINER_ONLY = ("image", "port", "cpu", "minTasks", "desiredTasks", "maxTasks", "cpuTarget",
                  "healthCheckPath", "dependsOn")
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html: memory 128 MB to
# 10,240 MB in 1-MB increments; timeout up to 900 seconds (15 minutes).
MEMORY_MB = (128, 10240)
TIMEOUT_SECONDS = (1, 900)
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html: a REST API's
# integration timeout is 50 ms to 29 s by default; a routed function running longer is cut off.
ROUTED_TIMEOUT_SECONDS = 29
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html: Lambda keeps 100 of
# the account's concurrency unreserved; a new account's quota is 1,000 concurrent executions.
MAX_RESERVED = 900
# Runtimes Lambda supports on 2026-12-01: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
# (deprecation dates as listed at https://endoflife.date/aws-lambda); runtimes already deprecated
# (nodejs20.x, python3.11, java17, dotnet8, provided.al2…) are refused.
RUNTIMES = ("nodejs24.x", "nodejs22.x", "python3.14", "python3.13", "python3.12", "java25",
            "java21", "dotnet10", "ruby3.4", "ruby3.3", "provided.al2023")
# https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html: Handler, up to 128
# characters matching [^\s]+.
HANDLER = re.compile(r"^[^\s]{1,128}$")


def handler_rule(value: Any) -> Optional[str]:
    """What a handler may be, or None when `value` is one."""
    if isinstance(value, str) and HANDLER.match(value):
        return None
    return "the entry point, e.g. index.handler (up to 128 characters, no white space)"
# s3://<bucket>/<key>: S3 bucket naming rules (3–63 lower-case letters, digits, dots, hyphens).
S3_CODE = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(\S{1,1024})$")
# A private ECR image, by tag or digest (Lambda runs images from Amazon ECR only:
# https://docs.aws.amazon.com/lambda/latest/dg/images-create.html).
ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/[a-z0-9][a-z0-9._/-]*"
                       r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$")
# API Gateway paths: literal segments, optionally ending in /* (the segment's {proxy+}).
API_ROUTE = re.compile(r"^(?:/[A-Za-z0-9._~-]+)*/\*$|^(?:/[A-Za-z0-9._~-]+)+$")
# The program's own function (components/app/function_rollout.py), <prefix>-deployer: a service of
# that name would be a second Lambda function of the same name, refused by CreateFunction at the
# first `pulumi up` (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html:
# ResourceConflictException, "The resource already exists").
DEPLOYER_FUNCTION = "deployer"
EXAMPLE = ('{"api": {"routes": ["/api/*"], "code": "s3://my-artifacts/api-1f2e3d.zip", '
           '"memory": 1024}}')


def parse_functions(raw: Any, flat: Mapping[str, Any], region: Optional[str]
                    ) -> tuple[FunctionSettings, ...]:
    """The functions sorted by name, or ServicesError listing every problem."""
    given = _as_object(raw)
    if not given:
        raise ServicesError([f"{KEY} = {json.dumps(given)} is not valid; allowed: one or more "
                             f"functions by name, e.g. {EXAMPLE}"])
    problems = [f"{KEY}.{DEPLOYER_FUNCTION}: the name {DEPLOYER_FUNCTION!r} is the program's own "
                "function (it starts CodeDeploy's deployments); allowed: any other name"
                for name in given if name == DEPLOYER_FUNCTION]
    functions, found = parse_each(
        {name: spec for name, spec in given.items() if name != DEPLOYER_FUNCTION},
        lambda name, spec: _function(name, spec, flat, region))
    problems += found
    if not problems:
        problems += _across_functions(functions)
    if problems:
        raise ServicesError(problems)
    return tuple(functions)


def _container_key_problem(where: str, key: str) -> str:
    return (f"{where}.{key} is a container key (tier mvp or scaled); allowed with "
            f"webstack:tier = 'serverless': {', '.join(FIELDS)}")


def _unknown_key_problems(where: str, spec: dict) -> list[str]:
    problems = []
    for key in spec:
        if key in CONTAINER_ONLY:
            problems.append(_container_key_problem(where, key))
        elif key not in FIELDS:
            problems.append(unknown_key_problem(where, key, FIELDS, "function"))
    return problems


def _function(name: str, spec: Any, flat: Mapping[str, Any], region: Optional[str]
              ) -> tuple[Optional[FunctionSettings], list[str]]:
    where = f"{KEY}.{name}"
    problems = []
    if not NAME.match(name):
        problems.append(f"{KEY}: the function name {name!r} is not valid; allowed: 1 to "
                        f"{MAX_NAME} lower-case letters, digits or hyphens, starting with a "
                        "letter and not ending with a hyphen")
    if not isinstance(spec, dict):
        return None, problems + [f"{where} = {json.dumps(spec)} is not valid; allowed: an object "
                                 f"with any of {', '.join(FIELDS)}"]
    problems += _unknown_key_problems(where, spec)
    values = {key: spec.get(key, flat[flat_key]) for key, flat_key in DEFAULTS_FROM.items()}
    kind = spec.get("kind", "web")
    problems += _size_problems(where, values["memory"], values["timeout"], kind,
                               spec.get("reservedConcurrency"))
    code = spec.get("code")
    problems += _code_problems(where, code, spec, values, region)
    is_async = spec.get("async", False)
    if not isinstance(is_async, bool):
        problems.append(f"{where}.async = {json.dumps(is_async)} is not valid; allowed: true "
                        "(invoked asynchronously: a dead-letter queue keeps failed events) or false")
    if kind not in KINDS:
        problems.append(f"{where}.kind = {json.dumps(kind)} is not valid; allowed: "
                        f"{', '.join(KINDS)} (web: routed from the API; worker: no route)")
    routes, found = _string_list(where, "routes", spec.get("routes", []))
    problems += found + _route_problems(where, kind, routes) + _api_route_problems(where, routes)
    environment, found = _variables(where, "environment", spec.get("environment", {}))
    problems += found
    secrets, found = _variables(where, "secrets", spec.get("secrets", {}))
    problems += found + _environment_problems(where, environment, secrets)
    problems += [f"{where}.{key}: {name!r} is not allowed; names starting with TABLE_ are the "
                 "tables' names, set by the program"
                 for key, names in (("environment", environment), ("secrets", secrets))
                 for name in names if name.upper().startswith("TABLE_")]
    if problems:
        return None, problems
    image = not code.startswith("s3://")
    return FunctionSettings(
        name=name, code=code, memory=values["memory"], timeout=values["timeout"],
        runtime=None if image else values["runtime"], handler=None if image else values["handler"],
        reserved_concurrency=spec.get("reservedConcurrency"), is_async=is_async, kind=kind,
        routes=tuple(routes), environment=tuple(sorted(environment.items())),
        secrets=tuple(sorted(secrets.items()))), []


def _size_problems(where: str, memory: Any, timeout: Any, kind: Any, reserved: Any) -> list[str]:
    problems = []
    for key, value, (low, high), unit in (("memory", memory, MEMORY_MB, "MB"),
                                          ("timeout", timeout, TIMEOUT_SECONDS, "seconds")):
        allowed = _integer(low, high)(value)
        if allowed:
            problems.append(f"{where}.{key} = {json.dumps(value)} is not valid; allowed: "
                            f"{allowed} ({unit}, Lambda's limits)")
    if kind == "web" and isinstance(timeout, int) and ROUTED_TIMEOUT_SECONDS < timeout <= 900:
        problems.append(f"{where}.timeout = {timeout} is not valid for a routed function; "
                        f"allowed: 1 to {ROUTED_TIMEOUT_SECONDS} (API Gateway ends a request "
                        f"after {ROUTED_TIMEOUT_SECONDS} s; make it a worker for longer work)")
    if reserved is not None:
        allowed = _integer(1, MAX_RESERVED)(reserved)
        if allowed:
            problems.append(f"{where}.reservedConcurrency = {json.dumps(reserved)} is not valid; "
                            f"allowed: {allowed} (Lambda keeps 100 of an account's default 1,000 "
                            "unreserved), or unset: the account's unreserved pool")
    return problems


def _code_problems(where: str, code: Any, spec: dict, values: dict,
                   region: Optional[str]) -> list[str]:
    if code is None:
        return [f"{where}.code is required; allowed: a zip in S3 (s3://<bucket>/<key>) or a "
                "private ECR image (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>)"]
    if not isinstance(code, str) or not (S3_CODE.match(code) or ECR_IMAGE.match(code)):
        return [f"{where}.code = {json.dumps(code)} is not valid; allowed: s3://<bucket>/<key> "
                "(a zip; a new key publishes a new version) or "
                "<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag> or …@sha256:<digest>"]
    image = ECR_IMAGE.match(code)
    if image:
        problems = [f"{where}.{key} is not valid with an image; allowed: unset (the image sets "
                    "its runtime and entry point)" for key in ("runtime", "handler") if key in spec]
        if region and image.group(1) != region:
            problems.append(f"{where}.code = {json.dumps(code)} is not valid; allowed: an image "
                            f"in the stack's region {region} (Lambda pulls from ECR in its own "
                            "region)")
        return problems
    problems = []
    if values["runtime"] not in RUNTIMES:
        problems.append(f"{where}.runtime = {json.dumps(values['runtime'])} is not valid; "
                        f"allowed: one of {', '.join(RUNTIMES)} (Lambda's supported runtimes)")
    allowed = handler_rule(values["handler"])
    if allowed:
        problems.append(f"{where}.handler = {json.dumps(values['handler'])} is not valid; "
                        f"allowed: {allowed}")
    return problems


def _api_route_problems(where: str, routes: list[str]) -> list[str]:
    return [f"{where}.routes: {route!r} is not valid; allowed: a path of literal segments "
            "(letters, digits, . _ ~ -), optionally ending in /* (everything below it), e.g. "
            "/api/* or /health (API Gateway resources have no other wildcards)"
            for route in routes if not API_ROUTE.match(route)]


PROXY = "{proxy+}"


def method_paths(route: str) -> list[str]:
    """The API Gateway resource paths a route takes a method on: `/api/*` → `/api` and
    `/api/{proxy+}` (the greedy path variable does not match the parent itself); `/*` → `/` and
    `/{proxy+}`; `/health` → `/health`."""
    if not route.endswith("/*"):
        return [route]
    parent = route[:-2]
    return [parent or "/", f"{parent}/{PROXY}"]


def _across_functions(functions: list[FunctionSettings]) -> list[str]:
    """A path claimed twice; more reserved concurrency than an account's default can give."""
    problems = []
    owner: dict[str, tuple[str, str]] = {}
    for function in functions:
        for route in function.routes:
            for path in method_paths(route):
                if path in owner:
                    name, other = owner[path]
                    problems.append(f"{KEY}.{function.name}.routes: {route!r} takes {path}, "
                                    f"which {KEY}.{name}.routes {other!r} takes too; allowed: "
                                    "each path in one function only")
                owner.setdefault(path, (function.name, route))
    if not any(function.routed for function in functions):
        problems.append(f"{KEY}: no function has routes; allowed: at least one web function "
                        "(the tier serves its API through CloudFront), e.g. "
                        '{"api": {"routes": ["/api/*"], …}}')
    reserved = sum(f.reserved_concurrency or 0 for f in functions)
    if reserved > MAX_RESERVED:
        problems.append(f"{KEY}: reservedConcurrency adds up to {reserved}; allowed: at most "
                        f"{MAX_RESERVED} across the functions (Lambda keeps 100 of an account's "
                        "default 1,000 unreserved)")
    return problems
