"""API Gateway (REST): stage names, integration timeouts, and Lambda functions that outlive the
integration that waits for them."""
from __future__ import annotations

from typing import Any, Optional

from preflight.model import WARNING, cites, found, known, name_problems, whole_number
from preview.plan import Plan, PlannedResource

STAGE = "aws:apigateway/stage:Stage"
INTEGRATION = "aws:apigateway/integration:Integration"
FUNCTION = "aws:lambda/function:Function"
ALIAS = "aws:lambda/alias:Alias"
# The API model behind every AWS SDK, read in the installed botocore 1.43.127
# (apigateway/2015-07-09/service-2.json there): CreateStage's stageName and PutIntegration's
# timeoutInMillis documentation.
BOTOCORE_APIGATEWAY = ("https://github.com/boto/botocore/blob/develop/botocore/data/apigateway/2015-07-09/"
                       "service-2.json")
STAGE_NAME = r"[A-Za-z0-9_-]+"
TIMEOUT_MS = (50, 29_000)  # "Custom timeout between 50 and 29,000 milliseconds. The default ... 29 seconds."
SYNCHRONOUS = ("AWS_PROXY", "AWS")
INVOCATION_TYPE = "integration.request.header.X-Amz-Invocation-Type"  # 'Event': Lambda answers at once


# "Stage names can only contain alphanumeric characters, hyphens, and underscores. Maximum length
# is 128 characters."
@cites(BOTOCORE_APIGATEWAY)
def stage_names(plan: Plan) -> list:
    """1 to 128 letters, digits, hyphens or underscores."""
    return [found(stage_names, stage, problem)
            for stage in plan.of_type(STAGE)
            if isinstance(name := stage.inputs.get("stageName"), str) and known(name)
            for problem in name_problems(name, most=128, pattern=STAGE_NAME, what="stageName")]


def _timeout_ms(integration: PlannedResource) -> Optional[int]:
    value = integration.inputs.get("timeoutMilliseconds")
    return whole_number(value)


# "You can increase the default value to longer than 29 seconds for Regional or private APIs only"
# (with a quota increase): above 29,000 is a warning, below 50 an error.
@cites(BOTOCORE_APIGATEWAY)
def integration_timeouts(plan: Plan) -> list:
    """timeoutMilliseconds from 50 to 29,000; more needs a quota increase (Regional and private
    APIs only)."""
    findings = []
    for integration in plan.of_type(INTEGRATION):
        timeout = _timeout_ms(integration)
        if timeout is not None and timeout < TIMEOUT_MS[0]:
            findings.append(found(integration_timeouts, integration,
                                  f"timeoutMilliseconds {timeout}; allowed: {TIMEOUT_MS[0]} to {TIMEOUT_MS[1]:,}"))
        elif timeout is not None and timeout > TIMEOUT_MS[1]:
            findings.append(found(integration_timeouts, integration,
                                  f"timeoutMilliseconds {timeout:,} needs a raised integration timeout quota "
                                  "(Regional and private APIs only)", severity=WARNING))
    return findings


def _invoked_functions(plan: Plan, integration: PlannedResource) -> list[PlannedResource]:
    """The functions whose ARN (or an alias's) flows into the integration's uri, or whose name the
    known uri carries (…:function:<name>[:alias]/invocations)."""
    sources = set(integration.property_dependencies.get("uri", ()))
    functions = plan.of_type(FUNCTION)
    via_alias = {urn for alias in plan.of_type(ALIAS) if alias.urn in sources
                 for urn in alias.property_dependencies.get("functionName", ())}
    uri = integration.inputs.get("uri")
    return [f for f in functions if f.urn in sources or f.urn in via_alias
            or (isinstance(uri, str) and known(uri) and isinstance(name := f.inputs.get("name"), str)
                and f":function:{name}" in uri)]


@cites(BOTOCORE_APIGATEWAY)
def functions_outlive_their_integration(plan: Plan) -> list:
    """A function API Gateway invokes synchronously (AWS_PROXY/AWS, not the asynchronous
    X-Amz-Invocation-Type 'Event') with a timeout beyond the
    integration's: the client gets 504 at the integration's limit while the function runs on,
    and is billed, to its own. AWS accepts it: a warning."""
    findings = []
    for integration in plan.of_type(INTEGRATION):
        parameters = integration.inputs.get("requestParameters") or {}
        if integration.inputs.get("type") not in SYNCHRONOUS or parameters.get(INVOCATION_TYPE) == "'Event'":
            continue
        limit_s = (_timeout_ms(integration) or TIMEOUT_MS[1]) / 1000
        for function in _invoked_functions(plan, integration):
            timeout: Any = function.inputs.get("timeout")
            if isinstance(timeout, (int, float)) and timeout > limit_s:
                findings.append(found(functions_outlive_their_integration, function,
                                      f"timeout {timeout} s, but integration {integration.name} gives up after "
                                      f"{limit_s:g} s", severity=WARNING))
    return findings


RULES = [stage_names, integration_timeouts, functions_outlive_their_integration]
