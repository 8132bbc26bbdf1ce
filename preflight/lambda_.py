"""Lambda: memory and timeout ranges, function and alias names, the environment's size and
variable names, and reserved concurrency against the account's unreserved minimum."""
from __future__ import annotations

import json
import re
from typing import Any

from preflight.model import WARNING, cites, found, known, name_problems, of_types, physical_name
from preview.plan import Plan

# The API model behind every AWS SDK, read in the installed botocore 1.43.127 (its shapes' ranges,
# patterns and documentation); the file is lambda/2015-03-31/service-2.json there.
BOTOCORE_LAMBDA = "https://github.com/boto/botocore/blob/develop/botocore/data/lambda/2015-03-31/service-2.json"
FUNCTION = "aws:lambda/function:Function"
ALIAS = "aws:lambda/alias:Alias"
# Lambda Managed Instances (capacityProviderConfig) allow more: 32,768 MB and, for asynchronous
# invocations, 5,400 s (botocore lambda 2015-03-31 MemorySize and Timeout shapes and docs).
MEMORY_MB = (128, 10_240)
MANAGED_INSTANCES_MEMORY_MB = (128, 32_768)
TIMEOUT_S = (1, 900)
MANAGED_INSTANCES_TIMEOUT_S = (1, 5_400)
FUNCTION_NAME = r"[a-zA-Z0-9_-]+"
ALIAS_NAME = r"(?!^[0-9]+$)[a-zA-Z0-9_-]+"
VARIABLE_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]+")
ENVIRONMENT_BYTES = 4 * 1024
ACCOUNT_CONCURRENCY = 1_000  # the default regional quota ("Concurrent executions", Lambda quotas)
UNRESERVED_MINIMUM = 100


def _number(value: Any):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _out_of_range(rule, plan: Plan, key: str, unit: str, bounds: tuple[int, int],
                  managed_bounds: tuple[int, int]) -> list:
    """A finding for each function whose `key` lies outside its range (a wider one on Lambda
    Managed Instances, i.e. with capacityProviderConfig)."""
    findings = []
    for function in plan.of_type(FUNCTION):
        lowest, highest = managed_bounds if function.inputs.get("capacityProviderConfig") else bounds
        value = _number(function.inputs.get(key))
        if value is not None and not lowest <= value <= highest:
            findings.append(found(rule, function, f"{key} {value:g} {unit}; allowed: {lowest} to {highest:,}"))
    return findings


# The Lambda quotas page: "a single function can use up to 10,240 MB of memory"; the minimum, 128,
# is botocore's MemorySize shape (lambda 2015-03-31).
@cites("https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html")
def function_memory(plan: Plan) -> list:
    """memorySize from 128 to 10,240 MB (32,768 on Lambda Managed Instances)."""
    return _out_of_range(function_memory, plan, "memorySize", "MB", MEMORY_MB, MANAGED_INSTANCES_MEMORY_MB)


# CreateFunction's Timeout: "The default is 3 seconds, and the maximum allowed value is 900 seconds"
# (5,400 on Lambda Managed Instances), minimum 1 (botocore lambda 2015-03-31, Timeout shape).
@cites(BOTOCORE_LAMBDA)
def function_timeout(plan: Plan) -> list:
    """timeout from 1 to 900 seconds (5,400 on Lambda Managed Instances)."""
    return _out_of_range(function_timeout, plan, "timeout", "s", TIMEOUT_S, MANAGED_INSTANCES_TIMEOUT_S)


# CreateFunction's FunctionName: "If you specify only the function name, it is limited to 64
# characters in length"; pattern [a-zA-Z0-9-_]+ (botocore lambda 2015-03-31).
@cites(BOTOCORE_LAMBDA)
def function_names(plan: Plan) -> list:
    """1 to 64 letters, digits, hyphens or underscores (auto-names count Pulumi's 8 characters)."""
    return [found(function_names, function, problem)
            for function in plan.of_type(FUNCTION)
            if (name := physical_name(function, "name", None)) is not None
            for problem in name_problems(name, most=64, pattern=FUNCTION_NAME, what="function name")]


# CreateAlias's Name: 1 to 128 characters, pattern (?!^[0-9]+$)([a-zA-Z0-9-_]+) (botocore lambda
# 2015-03-31, Alias shape): a name of digits only would read as a version.
@cites(BOTOCORE_LAMBDA)
def alias_names(plan: Plan) -> list:
    """1 to 128 letters, digits, hyphens or underscores, not digits only."""
    return [found(alias_names, alias, problem)
            for alias in plan.of_type(ALIAS)
            if isinstance(name := alias.inputs.get("name"), str) and known(name)
            for problem in name_problems(name, most=128, pattern=ALIAS_NAME, what="alias name")]


def _variables(function) -> dict:
    variables = (function.inputs.get("environment") or {}).get("variables")
    return variables if isinstance(variables, dict) else {}


# The error AWS returns, with the string it measured (the variables as compact JSON): "Lambda was
# unable to configure your environment variables because the environment variables you have
# provided exceeded the 4KB limit. String measured: {...}".
@cites("https://github.com/github-aws-runners/terraform-aws-github-runner/issues/3594")
def environment_size(plan: Plan) -> list:
    """The variables, as the JSON object Lambda measures, take at most 4 KB (values not known yet
    are left out, so a finding is certain; passing is not)."""
    findings = []
    for function in plan.of_type(FUNCTION):
        variables = {k: v for k, v in _variables(function).items() if known(v)}
        size = len(json.dumps(variables, separators=(",", ":"), ensure_ascii=False).encode())
        if size > ENVIRONMENT_BYTES:
            findings.append(found(environment_size, function, f"environment variables take {size:,} "
                                  f"bytes; allowed: {ENVIRONMENT_BYTES:,}"))
    return findings


# EnvironmentVariableName: pattern [a-zA-Z]([a-zA-Z0-9_])+ (botocore lambda 2015-03-31).
@cites(BOTOCORE_LAMBDA)
def environment_variable_names(plan: Plan) -> list:
    """A letter, then letters, digits or underscores (two characters at least)."""
    return [found(environment_variable_names, function, f"environment variable {name!r} does not match "
                  f"{VARIABLE_NAME.pattern}")
            for function in plan.of_type(FUNCTION) for name in _variables(function)
            if not VARIABLE_NAME.fullmatch(str(name))]


def reserved(functions) -> list[tuple[Any, int]]:
    """(function, its reservation) for each function that reserves concurrency (-1: none)."""
    return [(f, n) for f in functions
            if (n := _number(f.inputs.get("reservedConcurrentExecutions"))) is not None and n >= 0]


# PutFunctionConcurrency: "You can reserve concurrency for as many functions as you like, as long
# as you leave at least 100 simultaneous executions unreserved" (botocore's copy of the page);
# the default regional quota is 1,000 (Lambda quotas page).
@cites(BOTOCORE_LAMBDA)
def reserved_concurrency(plan: Plan) -> list:
    """Reservations leave at least 100 of the default 1,000 unreserved; a reservation of 0
    throttles every invocation (a warning)."""
    reservations = reserved(of_types(plan, FUNCTION))
    findings = [found(reserved_concurrency, f, "reservedConcurrentExecutions 0 throttles every invocation",
                      severity=WARNING) for f, n in reservations if n == 0]
    total = sum(n for _, n in reservations)
    if total > ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM:
        findings += [found(reserved_concurrency, f, f"the stack reserves {total:,} concurrent executions; "
                           f"with the default quota of {ACCOUNT_CONCURRENCY:,} at most "
                           f"{ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM:,} may be reserved")
                     for f, n in reservations if n > 0]
    return findings


def _setting_problems(inputs: dict) -> list[str]:
    problems = []
    description, handler = inputs.get("description"), inputs.get("handler")
    if isinstance(description, str) and known(description) and len(description) > 256:
        problems.append(f"description has {len(description)} characters; allowed: at most 256")
    if isinstance(handler, str) and known(handler) and (len(handler) > 128 or re.search(r"\s", handler)):
        problems.append(f"handler {handler!r}: allowed: at most 128 characters, no whitespace")
    architectures = inputs.get("architectures")
    if isinstance(architectures, list) and len(architectures) != 1:
        problems.append(f"architectures lists {len(architectures)}; allowed: exactly one (x86_64 or arm64)")
    vpc = inputs.get("vpcConfig") or {}
    for key, most in (("subnetIds", 16), ("securityGroupIds", 5)):
        if isinstance(vpc.get(key), list) and len(vpc[key]) > most:
            problems.append(f"vpcConfig.{key} lists {len(vpc[key])}; allowed: at most {most}")
    return problems


# CreateFunction's Description (≤ 256), Handler (≤ 128, no whitespace), Architectures (exactly one),
# VpcConfig SubnetIds (≤ 16) and SecurityGroupIds (≤ 5) shapes (botocore lambda 2015-03-31).
@cites(BOTOCORE_LAMBDA)
def function_settings(plan: Plan) -> list:
    """Description, handler, architectures and VPC lists within CreateFunction's shapes."""
    return [found(function_settings, function, problem)
            for function in plan.of_type(FUNCTION) for problem in _setting_problems(function.inputs)]


RULES = [function_memory, function_timeout, function_names, alias_names, environment_size,
         environment_variable_names, reserved_concurrency, function_settings]
