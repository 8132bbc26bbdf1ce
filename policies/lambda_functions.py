"""Lambda: who may invoke a function, its function URL, tracing, its log group's retention, secrets
in its environment, and its runtime."""
from __future__ import annotations

import datetime
from typing import Any, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies import _aws as aws
from policies._policy import ADVISORY, applies_to, resource_policy, settings, stack_policy
from policies._props import UNKNOWN, as_int, is_map, known, peek, present
from policies._refs import dependency_urns
from policies.containers import ACCESS_KEY_ID, SECRET_NAMES_SCHEMA, looks_like_secret_name

# ---- invoke permissions and function URLs ----

# Conditions that tie a grant to one source: without them a service principal lets any account's
# resource of that service invoke the function ("confused deputy"), and "*" lets anyone.
NARROWING = ("sourceArn", "sourceAccount", "principalOrgId")


def _public_grant(props: Any) -> Optional[str]:
    principal = known(props, "principal")
    if not isinstance(principal, str):
        return None  # unknown, or a malformed value AWS refuses itself
    narrowed = [key for key in NARROWING if present(known(props, key))]  # a value not known yet is set
    if principal == "*":
        if known(props, "functionUrlAuthType") == "NONE":
            return "grants '*' invocation through a function URL with functionUrlAuthType NONE"
        return None if narrowed else "principal is '*' without sourceArn, sourceAccount or principalOrgId"
    if principal.endswith(".amazonaws.com") and not (set(narrowed) & {"sourceArn", "sourceAccount"}):
        return f"service principal {principal} without sourceArn or sourceAccount"
    return None


@applies_to(aws.LAMBDA_PERMISSION)
def lambda_permission_not_public(args: ResourceValidationArgs, report: ReportViolation) -> None:
    problem = _public_grant(args.props)
    if problem:
        report(problem)


@applies_to(aws.LAMBDA_FUNCTION_URL)
def lambda_function_url_auth(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if known(args.props, "authorizationType") == "NONE":
        report("authorizationType is NONE: anyone who finds the URL can invoke the function")


# ---- tracing ----

@applies_to(aws.LAMBDA_FUNCTION)
def lambda_tracing_active(args: ResourceValidationArgs, report: ReportViolation) -> None:
    mode = known(args.props, "tracingConfig", "mode")
    if mode is not UNKNOWN and mode != "Active":
        report(f"tracingConfig.mode is {mode if isinstance(mode, str) else 'unset (PassThrough)'}")


# ---- the function's log group ----

def expected_log_group(function: Any) -> Any:
    """The log group the function writes to: loggingConfig.logGroup, else /aws/lambda/<name>;
    UNKNOWN when that name is not known (a name not known yet, or one Pulumi will generate)."""
    custom = known(function.props, "loggingConfig", "logGroup")
    if custom is UNKNOWN or present(custom):
        return custom if isinstance(custom, str) or custom is UNKNOWN else UNKNOWN
    name = known(function.props, "name")
    return f"/aws/lambda/{name}" if isinstance(name, str) and name else UNKNOWN


def _log_groups_of(function: Any, groups: list, expected: Any) -> list:
    """Groups named after the function (their name comes from it), or that the function names
    (its loggingConfig comes from them), or whose known name is the expected one."""
    by_dependency = [g for g in groups if function.urn in dependency_urns(g, "name")
                     or g.urn in dependency_urns(function, "loggingConfig")]
    by_name = [g for g in groups if expected is not UNKNOWN and known(g.props, "name") == expected]
    return by_dependency or by_name


def lambda_log_group_retention(args: StackValidationArgs, report: ReportViolation) -> None:
    """Lambda creates /aws/lambda/<function> on first invocation, with no expiry, when the stack does
    not; so each function's group must be in the plan, with retentionInDays set."""
    groups = [r for r in args.resources if r.resource_type == aws.LOG_GROUP]
    names_unknown = any(known(g.props, "name") is UNKNOWN for g in groups)
    for function in (r for r in args.resources if r.resource_type == aws.LAMBDA_FUNCTION):
        expected = expected_log_group(function)
        found = _log_groups_of(function, groups, expected)
        for group in found:
            days = known(group.props, "retentionInDays")
            if days is not UNKNOWN and (as_int(days) or 0) <= 0:
                report(f"its log group {group.name} sets no retentionInDays: logs never expire", function.urn)
        if not found and expected is not UNKNOWN and not names_unknown:
            report(f"no aws.cloudwatch.LogGroup named {expected} in the stack: Lambda creates it on the "
                   "first invocation, without retention or encryption", function.urn)


# ---- secrets in the environment ----

# Values that point at a secret rather than hold one: an ARN (Secrets Manager, SSM, KMS) or an SSM
# parameter name, which the function reads at start-up.
REFERENCE_PREFIXES = ("arn:", "/")


@applies_to(aws.LAMBDA_FUNCTION)
def lambda_no_plaintext_secrets(args: ResourceValidationArgs, report: ReportViolation) -> None:
    variables = known(args.props, "environment", "variables")
    if not is_map(variables):
        return
    patterns = [str(p).upper() for p in settings(args, SECRET_NAMES_SCHEMA)["secretNames"]]
    for name in [str(key) for key in variables]:
        value = peek(lambda name=name: variables[name])
        if not isinstance(value, str) or not value:
            continue  # not known yet (an ARN computed in this update, say), or empty
        if ACCESS_KEY_ID.search(value):
            report(f"environment.variables {name} holds an AWS access key id")
        elif looks_like_secret_name(name.upper(), patterns) and not value.startswith(REFERENCE_PREFIXES):
            report(f"environment.variables {name} looks like a secret in plain text")


# ---- runtimes ----

# When each Lambda-managed runtime is (or was) deprecated: Lambda stops patching it, then blocks
# creating and updating functions on it. The dates of the AWS table "Deprecated runtimes" / "Supported
# runtimes" (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), as transcribed in
# tflint-ruleset-aws rules/aws_lambda_function_deprecated_runtime.go (read 2026-12-01); a runtime
# not listed (nodejs24.x, python3.14, java25, ...) has no date yet.
DEPRECATION_DATES = {runtime: datetime.date.fromisoformat(day) for runtime, day in {
    "nodejs22.x": "2027-04-30", "nodejs20.x": "2026-04-30", "nodejs18.x": "2025-09-01",
    "nodejs16.x": "2024-06-12", "nodejs14.x": "2023-12-04", "nodejs12.x": "2023-03-31",
    "nodejs10.x": "2021-07-30", "nodejs8.10": "2020-03-06", "nodejs6.10": "2019-08-12",
    "nodejs4.3": "2020-03-05", "nodejs4.3-edge": "2020-03-05", "nodejs": "2016-10-31",
    "python3.13": "2029-06-30", "python3.12": "2028-10-31", "python3.11": "2026-06-30",
    "python3.10": "2026-06-30", "python3.9": "2025-12-15", "python3.8": "2024-10-14",
    "python3.7": "2023-12-04", "python3.6": "2022-07-18", "python2.7": "2021-07-15",
    "java21": "2029-06-30", "java17": "2026-06-30", "java11": "2026-06-30", "java8.al2": "2026-06-30",
    "java8": "2024-01-08", "dotnet8": "2026-11-10", "dotnet7": "2024-05-14", "dotnet6": "2024-11-12",
    "dotnet5.0": "2022-05-10", "dotnetcore3.1": "2023-04-03", "dotnetcore2.1": "2022-01-05",
    "dotnetcore2.0": "2019-05-30", "dotnetcore1.0": "2019-07-27", "ruby3.3": "2027-03-31",
    "ruby3.2": "2026-03-31", "ruby2.7": "2023-11-27", "ruby2.5": "2021-07-30", "go1.x": "2024-01-08",
    "provided.al2023": "2029-06-30", "provided.al2": "2026-06-30", "provided": "2024-01-08",
}.items()}


def today() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


@applies_to(aws.LAMBDA_FUNCTION)
def lambda_supported_runtime(args: ResourceValidationArgs, report: ReportViolation) -> None:
    runtime = known(args.props, "runtime")
    deprecated = DEPRECATION_DATES.get(runtime) if isinstance(runtime, str) else None
    if deprecated is not None and deprecated <= today():
        report(f"runtime {runtime} has been deprecated since {deprecated.isoformat()}")


POLICIES = [
    resource_policy(
        "lambda-permission-not-public",
        "Lambda invoke permissions must name who may invoke: no principal '*' (unless "
        "principal_org_id, source_arn or source_account narrows it), and a service principal "
        "(apigateway.amazonaws.com, s3.amazonaws.com, ...) always with source_arn (the API's "
        "execution ARN, the bucket's ARN) or source_account.",
        lambda_permission_not_public),
    resource_policy(
        "lambda-function-url-auth",
        "Function URLs must require IAM: authorization_type='AWS_IAM' (put a public endpoint "
        "behind API Gateway or CloudFront with origin access control instead of 'NONE').",
        lambda_function_url_auth),
    resource_policy(
        "lambda-tracing-active",
        "Lambda functions should trace with X-Ray: tracing_config={'mode': 'Active'} (the "
        "function's role needs xray:PutTraceSegments, e.g. AWSXRayDaemonWriteAccess).",
        lambda_tracing_active, level=ADVISORY, severity=Severity.MEDIUM),
    stack_policy(
        "lambda-log-group-retention",
        "Each function's log group (/aws/lambda/<function name>, or logging_config.log_group) "
        "must be created by the stack with retention_in_days (and a kms_key_id), before the "
        "function: otherwise Lambda creates it on first use and keeps the logs forever.",
        lambda_log_group_retention, severity=Severity.MEDIUM),
    resource_policy(
        "lambda-no-plaintext-secrets",
        "Secrets must not sit in a function's environment variables (readable by anyone allowed "
        "lambda:GetFunctionConfiguration): store them in Secrets Manager or SSM SecureString and "
        "pass the ARN (e.g. DB_SECRET_ARN), which the function reads at start-up.",
        lambda_no_plaintext_secrets, config=SECRET_NAMES_SCHEMA),
    resource_policy(
        "lambda-supported-runtime",
        "Lambda functions must run on a runtime AWS still supports: move a deprecated runtime "
        "(python3.9, nodejs18.x, ...) to a current one (python3.13, nodejs22.x, ...); Lambda "
        "stops patching it and then blocks creating and updating functions on it.",
        lambda_supported_runtime),
]
