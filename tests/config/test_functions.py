"""webstack:services in the serverless tier: Lambda functions, each problem naming
webstack:services.<name>.<key> before any resource; container keys refused there, function keys
elsewhere."""
import json

import pytest

from config.functions import method_paths
from config.keys import ConfigError, parse_settings
from tests.support import refused_before_any_resource

REGION = "ap-northeast-2"
ZIP = "s3://willbook-artifacts/api/api-0001.zip"
IMAGE = f"123456789012.dkr.ecr.{REGION}.amazonaws.com/jobs:2026-12-01"


def serverless(functions: dict, **keys):
    return parse_settings({"tier": "serverless", "services": json.dumps(functions), **keys},
                          stack="prod", region=REGION)


def problems(functions: dict, tier: str = "serverless", **keys) -> list[str]:
    with pytest.raises(ConfigError) as refused:
        parse_settings({"tier": tier, "services": json.dumps(functions), **keys}, stack="prod",
                       region=REGION)
    return refused.value.problems


def test_functions_take_the_flat_lambda_keys_unless_they_set_their_own():
    settings = serverless({"api": {"routes": ["/api/*"], "code": ZIP},
                           "jobs": {"kind": "worker", "code": IMAGE, "async": True, "memory": 4096,
                                    "timeout": 900, "reservedConcurrency": 5}},
                          lambdaMemoryMb="2048", lambdaRuntime="python3.13", sqlDatabase="false")
    api, jobs = settings.serverless.functions
    assert (api.memory, api.timeout, api.runtime, api.handler, api.s3_location) == (
        2048, 29, "python3.13", "index.handler", ("willbook-artifacts", "api/api-0001.zip"))
    # An image brings its own runtime and entry point.
    assert (jobs.image, jobs.runtime, jobs.handler, jobs.memory, jobs.timeout) == (True, None, None, 4096, 900)
    assert (jobs.is_async, jobs.reserved_concurrency, jobs.routed) == (True, 5, False)
    assert settings.services == () and settings.serverless.in_vpc  # Redis stays on
    assert settings.serverless.deployment_config == "CodeDeployDefault.LambdaCanary10Percent30Minutes"


def test_container_keys_are_refused_for_a_function_and_function_keys_for_a_container():
    found = problems({"api": {"routes": ["/api/*"], "code": ZIP, "cpu": 256, "minTasks": 2}})
    assert [p.split(" is ")[0] for p in found] == ["webstack:services.api.cpu",
                                                  "webstack:services.api.minTasks"]
    assert all("container key" in p for p in found)
    [found] = problems({"api": {"routes": ["/api/*"], "timeout": 10}}, tier="scaled")
    assert found.startswith("webstack:services.api.timeout is a function key")


@pytest.mark.parametrize("spec, key, allowed", [
    ({"memory": 64}, "memory", "128 to 10240"),
    ({"timeout": 30}, "timeout", "1 to 29"),  # API Gateway's limit on a routed function
    ({"reservedConcurrency": 0}, "reservedConcurrency", "1 to 900"),
    ({"code": "https://example.com/api.zip"}, "code", "s3://<bucket>/<key>"),
    ({"code": IMAGE.replace(REGION, "us-east-1")}, "code", f"an image in the stack's region {REGION}"),
    ({"code": IMAGE, "handler": "index.handler"}, "handler", "the image sets"),
    ({"runtime": "nodejs20.x"}, "runtime", "nodejs22.x"),
    ({"async": "yes"}, "async", "true"),
    ({"routes": ["/api/*/v1"]}, "routes", "literal segments"),
    ({"routes": ["/api/*", "/api"]}, "routes", "each path in one function only"),
    ({"environment": {"TABLE_TODOS": "x"}}, "environment", "the tables' names"),
])
def test_a_bad_function_key_is_refused_by_name(spec, key, allowed):
    [found] = problems({"api": {"routes": ["/api/*"], "code": ZIP, **spec}})
    assert found.startswith(f"webstack:services.api.{key}") and allowed in found, found


def test_a_function_named_like_the_programs_deployer_is_refused():
    # Both would be the Lambda function <prefix>-deployer: CreateFunction refuses the second.
    [found] = problems({"deployer": {"routes": ["/api/*"], "code": ZIP}})
    assert found.startswith("webstack:services.deployer: the name 'deployer'") and "any other" in found


def test_across_functions_a_path_has_one_owner_and_reserved_concurrency_fits_the_account():
    [found] = problems({"api": {"routes": ["/api/*"], "code": ZIP},
                        "web": {"routes": ["/api"], "code": ZIP}})
    assert found.startswith("webstack:services.web.routes: '/api' takes /api") and "api.routes '/api/*'" in found
    [found] = problems({"api": {"routes": ["/api/*"], "code": ZIP}, **{
        name: {"kind": "worker", "code": ZIP, "reservedConcurrency": 500} for name in ("a", "b")}})
    assert "adds up to 1000; allowed: at most 900" in found
    [found] = problems({"jobs": {"kind": "worker", "code": ZIP}})
    assert "no function has routes; allowed: at least one web function" in found


def test_the_serverless_tier_needs_functions_and_only_it_runs_without_a_data_store():
    [found] = problems({}, tier="serverless")
    assert "one or more functions" in found
    with pytest.raises(ConfigError) as refused:
        parse_settings({"tier": "scaled", "sqlDatabase": "false"}, stack="prod", region=REGION)
    assert refused.value.problems == ["webstack:sqlDatabase = false is not valid with "
                                      "webstack:tier = 'scaled'; allowed: true (only the "
                                      "serverless tier runs without it)"]


def test_a_function_name_longer_than_lambda_allows_is_refused():
    with pytest.raises(ConfigError) as refused:
        parse_settings({"tier": "serverless", "services": json.dumps(
            {"reports-exporter": {"routes": ["/reports/*"], "code": ZIP}})}, stack="s" * 39,
            region=REGION)
    [found] = refused.value.problems
    assert found.startswith("webstack:services.reports-exporter: the function name") and "is 65 characters" in found


def test_a_domain_is_refused_in_the_serverless_tier_rather_than_ignored():
    [found] = problems({"api": {"routes": ["/api/*"], "code": ZIP}}, domain="example.com",
                       hostedZoneId="Z0123456789ABCDEFGHIJ")
    assert found.startswith("webstack:domain = 'example.com' is not valid with webstack:tier = 'serverless'")


def test_dev_turned_serverless_has_containers_not_functions_and_registers_nothing():
    message = refused_before_any_resource("dev", {"tier": "serverless"})
    assert "webstack:services.api.cpu is a container key" in message
    assert "webstack:services.web.code is required" in message


def test_the_serverless_tier_requires_its_functions():
    with pytest.raises(ConfigError) as refused:
        parse_settings({"tier": "serverless"}, stack="prod", region=REGION)
    [found] = refused.value.problems
    assert found.startswith("webstack:services is required with webstack:tier = 'serverless'")


@pytest.mark.parametrize("route, paths", [
    ("/api/*", ["/api", "/api/{proxy+}"]), ("/*", ["/", "/{proxy+}"]),
    ("/v2/users/*", ["/v2/users", "/v2/users/{proxy+}"]), ("/health", ["/health"])])
def test_each_route_takes_api_gateway_methods_on_its_paths(route, paths):
    """{proxy+} does not match its parent, so `/api/*` needs `/api` too (API Gateway's greedy path
    variable)."""
    assert method_paths(route) == paths
