"""API Gateway (REST): stages log their requests, are throttled and traced; custom domains speak
TLS 1.2 or later."""
from __future__ import annotations

from typing import Any, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies import _aws as aws
from policies._policy import ADVISORY, applies_to, resource_policy, stack_policy
from policies._props import UNKNOWN, as_int, is_true, known, known_elements, present
from policies._refs import dependency_urns, resolve


@applies_to(aws.API_STAGE)
def apigateway_access_logging(args: ResourceValidationArgs, report: ReportViolation) -> None:
    destination = known(args.props, "accessLogSettings", "destinationArn")
    log_format = known(args.props, "accessLogSettings", "format")
    missing = [key for key, value in (("destinationArn", destination), ("format", log_format))
               if value is not UNKNOWN and not present(value)]
    if missing:
        report(f"accessLogSettings.{' and '.join(missing)} not set")


@applies_to(aws.API_STAGE)
def apigateway_xray_tracing(args: ResourceValidationArgs, report: ReportViolation) -> None:
    enabled = known(args.props, "xrayTracingEnabled")
    if enabled is not UNKNOWN and not is_true(enabled):
        report("xrayTracingEnabled is not true")


# ---- throttling: a stage's method settings, or a usage plan over it ----

def _limits(value: Any, lowest: int) -> bool:
    """A throttling limit that limits: a number ≥ `lowest`; a value not known yet counts as set."""
    if value is UNKNOWN:
        return True
    number = as_int(value)
    return number is not None and number >= lowest


def _method_settings_throttle(settings: Any) -> bool:
    # The provider's -1 (its default) leaves the stage unthrottled.
    return all(_limits(known(settings.props, "settings", key), 0)
               for key in ("throttlingRateLimit", "throttlingBurstLimit"))


def _usage_plan_throttles(plan: Any) -> bool:
    # A usage plan's unset or 0 limits mean no throttling.
    return all(_limits(known(plan.props, "throttleSettings", key), 1) for key in ("rateLimit", "burstLimit"))


def _same_api(one: Any, other: Any) -> Optional[bool]:
    """Whether two resources name the same REST API; None when that cannot be told yet."""
    deps, other_deps = dependency_urns(one, "restApi"), dependency_urns(other, "restApi")
    if deps and other_deps:
        return bool(deps & other_deps)
    value, other_value = known(one.props, "restApi"), known(other.props, "restApi")
    if isinstance(value, str) and isinstance(other_value, str):
        return value == other_value
    return None


def _settings_cover(settings: Any, stage: Any, stages: list) -> Optional[bool]:
    targets = resolve(settings, "stageName", stages, keys=("stageName",))
    if targets is None:
        return None
    return _same_api(settings, stage) if stage.urn in {t.urn for t in targets} else False


def _plan_covers(plan: Any, stage: Any) -> Optional[bool]:
    if stage.urn in dependency_urns(plan, "apiStages"):
        return True
    name = known(stage.props, "stageName")
    undecided = False
    for api_stage in known_elements(plan.props, "apiStages"):
        stage_name, api_id = known(api_stage, "stage"), known(api_stage, "apiId")
        if UNKNOWN in (api_stage, stage_name, api_id, name):
            undecided = True
        elif stage_name == name and api_id == known(stage.props, "restApi"):
            return True
    return None if undecided else False


def apigateway_throttling(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = args.resources
    stages = [r for r in resources if r.resource_type == aws.API_STAGE]
    method_settings = [r for r in resources if r.resource_type == aws.API_METHOD_SETTINGS]
    plans = [r for r in resources if r.resource_type == aws.API_USAGE_PLAN]
    for stage in stages:
        verdicts = [_settings_cover(s, stage, stages) for s in method_settings if _method_settings_throttle(s)]
        verdicts += [_plan_covers(p, stage) for p in plans if _usage_plan_throttles(p)]
        if True in verdicts or None in verdicts:
            continue  # throttled, or a setting whose stage is not known yet may throttle it
        report("no aws.apigateway.MethodSettings with throttlingRateLimit and throttlingBurstLimit, "
               "nor a throttling usage plan, covers this stage", stage.urn)


# ---- custom domains ----

# The TLS 1.2+ policies: TLS_1_2 and the enhanced SecurityPolicy_TLS13_*/TLS12_* ones; TLS_1_0 is
# the one that admits TLS 1.0 and 1.1 (botocore apigateway SecurityPolicy enum, 2015-07-09 model).
TLS12_POLICY_PREFIXES = ("TLS_1_2", "SecurityPolicy_TLS13_", "SecurityPolicy_TLS12_")


@applies_to(aws.API_DOMAIN_NAME)
def apigateway_domain_tls12(args: ResourceValidationArgs, report: ReportViolation) -> None:
    policy = known(args.props, "securityPolicy")
    if policy is UNKNOWN:
        return
    if not present(policy):
        report("securityPolicy is not set; set TLS_1_2 explicitly")
    elif not (isinstance(policy, str) and policy.startswith(TLS12_POLICY_PREFIXES)):
        report(f"securityPolicy is {policy}, which admits TLS 1.0 and 1.1")


POLICIES = [
    resource_policy(
        "apigateway-access-logging",
        "API Gateway stages must write access logs: access_log_settings={'destination_arn': <a "
        "log group ARN with retention>, 'format': <a JSON format with $context.requestId, "
        "$context.identity.sourceIp, $context.status, ...>} (the account needs a CloudWatch role).",
        apigateway_access_logging, severity=Severity.MEDIUM),
    stack_policy(
        "apigateway-throttling",
        "Every API Gateway stage must be throttled: an aws.apigateway.MethodSettings on the stage "
        "(method_path '*/*') with settings throttling_rate_limit and throttling_burst_limit, or a "
        "usage plan with throttle_settings over the stage (its limits bind only requests with an "
        "API key).",
        apigateway_throttling, severity=Severity.MEDIUM),
    resource_policy(
        "apigateway-domain-tls12",
        "API Gateway custom domain names must refuse TLS 1.0 and 1.1: security_policy='TLS_1_2' "
        "(or an enhanced SecurityPolicy_TLS13_* policy).",
        apigateway_domain_tls12),
    resource_policy(
        "apigateway-xray-tracing",
        "API Gateway stages should trace requests with X-Ray, so a slow call can be followed into "
        "its Lambda function: xray_tracing_enabled=True.",
        apigateway_xray_tracing, level=ADVISORY, severity=Severity.LOW),
]
