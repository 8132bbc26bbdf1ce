"""Lambda, API Gateway, CodeDeploy and RDS Proxy preflight rules, each shown firing on a broken plan
and quiet on a good one."""
import pytest

import preflight
from preflight import apigateway, codedeploy, lambda_, quotas, rds
from preflight.model import UNKNOWN
from tests.preflight.broken import plan, resource


def function(name="fn", **inputs):
    return resource(lambda_.FUNCTION, name, {"name": f"webstack-prod-{name}", "memorySize": 1024, "timeout": 10,
                                             **inputs})


def names(findings):
    return sorted(f.resource for f in findings)


def test_memory_and_timeout_stay_in_lambda_s_ranges():
    broken = plan(function("small", memorySize=64), function("big", memorySize=10_241),
                  function("slow", timeout=901), function("zero", timeout=0), function("fine"),
                  function("managed", memorySize=16_384, timeout=3_600, capacityProviderConfig={"arn": "cp"}))
    assert names(lambda_.function_memory(broken)) == ["big", "small"]
    assert names(lambda_.function_timeout(broken)) == ["slow", "zero"]


def test_function_names_are_64_characters_of_lambda_s_set():
    long = resource(lambda_.FUNCTION, "long", {"name": "f" * 65})
    dotted = resource(lambda_.FUNCTION, "dotted", {"name": "webstack.prod.api"})
    autonamed = resource(lambda_.FUNCTION, "a" * 57, {})  # 57 + Pulumi's 8 = 65
    fine = resource(lambda_.FUNCTION, "fine", {"name": "f" * 64})
    unknown = resource(lambda_.FUNCTION, "unknown", {"name": UNKNOWN})
    assert names(lambda_.function_names(plan(long, dotted, autonamed, fine, unknown))) == ["a" * 57, "dotted", "long"]


@pytest.mark.parametrize("name, ok", [("live", True), ("blue_2-green", True), ("42", False), ("", False),
                                      ("a" * 129, False), ("live.v2", False), ("v1", True)])
def test_alias_names(name, ok):
    findings = lambda_.alias_names(plan(resource(lambda_.ALIAS, "alias", {"name": name, "functionName": "f"})))
    assert (findings == []) is ok


def test_the_environment_fits_in_4_kb_as_lambda_measures_it():
    # {"BIG":"x…x"} is 10 bytes of JSON around the value.
    at_limit = function("at", environment={"variables": {"BIG": "x" * 4086}})
    over = function("over", environment={"variables": {"BIG": "x" * 4087}})
    unknown = function("unknown", environment={"variables": {"BIG": UNKNOWN * 200}})
    assert names(lambda_.environment_size(plan(at_limit, over, unknown))) == ["over"]


def test_environment_variable_names():
    broken = function("bad", environment={"variables": {"1ST": "a", "DB-HOST": "b", "X": "c", "OK_1": "d"}})
    assert sorted(f.message.split("'")[1] for f in lambda_.environment_variable_names(plan(broken))) == [
        "1ST", "DB-HOST", "X"]


def test_description_handler_architectures_and_vpc_lists():
    broken = function("bad", description="d" * 257, handler="app handler", architectures=["x86_64", "arm64"],
                      vpcConfig={"subnetIds": [f"subnet-{i}" for i in range(17)], "securityGroupIds": ["sg"] * 6})
    fine = function("fine", description="d" * 256, handler="app.handler", architectures=["arm64"],
                    vpcConfig={"subnetIds": ["subnet-1"] * 16, "securityGroupIds": ["sg"] * 5})
    findings = lambda_.function_settings(plan(broken, fine))
    assert names(findings) == ["bad"] * 5


def test_reservations_leave_100_of_the_default_1000_unreserved():
    fits = plan(function("a", reservedConcurrentExecutions=500), function("b", reservedConcurrentExecutions=400),
                function("c", reservedConcurrentExecutions=-1))
    assert lambda_.reserved_concurrency(fits) == []
    over = plan(function("a", reservedConcurrentExecutions=500), function("b", reservedConcurrentExecutions=401))
    assert names(lambda_.reserved_concurrency(over)) == ["a", "b"]
    [zero] = lambda_.reserved_concurrency(plan(function("z", reservedConcurrentExecutions=0)))
    assert zero.severity == "warning"


def test_reservations_of_all_stacks_in_one_region_share_the_account():
    def stack(name, count):
        return plan(function("api", reservedConcurrentExecutions=count), stack=name)
    [finding] = quotas.reserved_concurrency_per_region([stack("dev", 100), stack("staging", 300), stack("prod", 600)])
    assert "1,000 concurrent executions reserved in ap-northeast-2" in finding.message
    assert quotas.reserved_concurrency_per_region([stack("dev", 100), stack("prod", 800)]) == []


# ---- API Gateway ----

def test_stage_names():
    broken = plan(resource(apigateway.STAGE, "dotted", {"stageName": "v1.0"}),
                  resource(apigateway.STAGE, "long", {"stageName": "s" * 129}),
                  resource(apigateway.STAGE, "fine", {"stageName": "live_v1-a"}))
    assert names(apigateway.stage_names(broken)) == ["dotted", "long"]


def integration(name="get-todos", sources=(), **inputs):
    return resource(apigateway.INTEGRATION, name, {"type": "AWS_PROXY", "httpMethod": "GET",
                                                   "integrationHttpMethod": "POST", **inputs},
                    property_dependencies={"uri": tuple(s.urn for s in sources)})


def test_integration_timeouts_between_50_ms_and_29_s():
    findings = apigateway.integration_timeouts(plan(integration("short", timeoutMilliseconds=49),
                                                    integration("long", timeoutMilliseconds=60_000),
                                                    integration("fine", timeoutMilliseconds=29_000)))
    assert {(f.resource, f.severity) for f in findings} == {("short", "error"), ("long", "warning")}


def test_a_function_that_outlives_its_synchronous_integration_is_a_warning():
    slow = function("slow", timeout=60)
    alias = resource(lambda_.ALIAS, "slow-live", {"name": "live", "functionName": UNKNOWN},
                     property_dependencies={"functionName": (slow.urn,)})
    via_alias = integration(uri=UNKNOWN, sources=[alias])
    [finding] = apigateway.functions_outlive_their_integration(plan(slow, alias, via_alias))
    assert (finding.resource, finding.severity) == ("slow", "warning") and "29 s" in finding.message
    by_name = integration(uri="arn:aws:apigateway:ap-northeast-2:lambda:path/2015-03-31/functions/"
                              "arn:aws:lambda:ap-northeast-2:1:function:webstack-prod-slow:live/invocations",
                          timeoutMilliseconds=90_000)
    assert apigateway.functions_outlive_their_integration(plan(slow, by_name)) == []  # 60 s < 90 s
    quick = function("quick", timeout=10)
    assert apigateway.functions_outlive_their_integration(plan(quick, integration(uri=UNKNOWN, sources=[quick]))) == []
    mock = integration(type="MOCK", uri=UNKNOWN, sources=[slow])
    asynchronous = integration(type="AWS", uri=UNKNOWN, sources=[slow],
                               requestParameters={apigateway.INVOCATION_TYPE: "'Event'"})
    assert apigateway.functions_outlive_their_integration(plan(slow, mock, asynchronous)) == []


# ---- CodeDeploy ----

def lambda_app(name="api"):
    return resource(codedeploy.APPLICATION, f"{name}-app", {"name": f"webstack-prod-{name}", "computePlatform": "Lambda"})


def group(config, app, **inputs):
    return resource(codedeploy.DEPLOYMENT_GROUP, "api-group", {
        "appName": app.inputs["name"], "deploymentGroupName": "live", "deploymentConfigName": config, **inputs},
        property_dependencies={"appName": (app.urn,)})


@pytest.mark.parametrize("config", codedeploy.LAMBDA_CONFIGS)
def test_every_predefined_lambda_config_passes(config):
    app = lambda_app()
    assert codedeploy.lambda_deployment_configs(plan(app, group(config, app))) == []


@pytest.mark.parametrize("config", ["CodeDeployDefault.OneAtATime", "CodeDeployDefault.ECSCanary10Percent5Minutes",
                                    "CodeDeployDefault.LambdaCanary10Percent20Minutes", None])
def test_a_config_that_is_not_lambda_s_is_refused(config):
    app = lambda_app()
    [finding] = codedeploy.lambda_deployment_configs(plan(app, group(config, app)))
    assert "not a Lambda config" in finding.message


def test_a_custom_lambda_config_of_the_plan_passes_and_ec2_groups_are_not_judged():
    app = lambda_app()
    custom = resource(codedeploy.DEPLOYMENT_CONFIG, "canary-5", {"deploymentConfigName": "webstack-canary-5",
                                                                  "computePlatform": "Lambda"})
    assert codedeploy.lambda_deployment_configs(plan(app, custom, group("webstack-canary-5", app))) == []
    server = resource(codedeploy.APPLICATION, "web-app", {"name": "web", "computePlatform": "Server"})
    assert codedeploy.lambda_deployment_configs(plan(server, group("CodeDeployDefault.OneAtATime", server))) == []


def test_group_names_and_alarm_count():
    app = lambda_app()
    broken = group("CodeDeployDefault.LambdaAllAtOnce", app, deploymentGroupName="live group",
                   alarmConfiguration={"enabled": True, "alarms": [f"alarm-{i}" for i in range(11)]})
    assert len(codedeploy.deployment_group_names(plan(app, broken))) == 1
    assert len(codedeploy.deployment_group_alarms(plan(app, broken))) == 1
    fine = group("CodeDeployDefault.LambdaAllAtOnce", app, alarmConfiguration={"alarms": ["a"] * 10})
    assert codedeploy.deployment_group_names(plan(app, fine)) == codedeploy.deployment_group_alarms(plan(app, fine)) == []


# ---- RDS Proxy ----

@pytest.mark.parametrize("name, ok", [("webstack-prod-db", True), ("1proxy", False), ("db--proxy", False),
                                      ("proxy-", False), ("p" * 64, False), ("db_proxy", False)])
def test_proxy_names(name, ok):
    assert (rds.proxy_names(plan(resource(rds.PROXY, "proxy", {"name": name}))) == []) is ok


def test_a_whole_serverless_plan_written_right_passes_every_rule():
    """Function, alias, API stage and integration, rollout and proxy as the tier writes them."""
    fn = function("api", timeout=25, reservedConcurrentExecutions=50, architectures=["arm64"],
                  environment={"variables": {"TABLE_NAME": "todos"}})
    alias = resource(lambda_.ALIAS, "api-live", {"name": "live", "functionName": UNKNOWN},
                     property_dependencies={"functionName": (fn.urn,)})
    stage = resource(apigateway.STAGE, "api-stage", {"stageName": "live"})
    route = integration(uri=UNKNOWN, sources=[alias])
    app = lambda_app()
    rollout = group("CodeDeployDefault.LambdaCanary10Percent30Minutes", app,
                    alarmConfiguration={"enabled": True, "alarms": ["webstack-prod-api-errors"]})
    proxy = resource(rds.PROXY, "db-proxy", {"name": "webstack-prod-db", "requireTls": True,
                                              "vpcSubnetIds": ["subnet-a", "subnet-b"]})
    findings = preflight.check(plan(fn, alias, stage, route, app, rollout, proxy))
    assert findings == []
