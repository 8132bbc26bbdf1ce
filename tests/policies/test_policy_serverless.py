"""The serverless tier's policies: each fires on a broken resource and passes its good twin, with
the cases where the line between them is fine (narrowed grants, references in the environment,
throttling from a usage plan, the stage another API's settings name)."""
import datetime
from pathlib import Path

import pytest
from policy_kit import UNKNOWN as U
from policy_kit import (api_stage, deployment_group, dynamodb_table, fires, function_log_group, lambda_function,
                        method_settings, passes, rds_proxy, res)

from policies import _aws as aws
from policies import api_gateway, codedeploy, dynamodb, lambda_functions
from policies import rds_proxy as rds_proxy_policies
from policies.offline import evaluate
from policies.pack_config import load_pack_config
from preview.plan import Plan

API_ARN = "arn:aws:execute-api:ap-northeast-2:123456789012:api-1/*/*"


def permission(**props):
    return res(aws.LAMBDA_PERMISSION, {"action": "lambda:InvokeFunction", "function": "api", **props})


@pytest.mark.parametrize("props, says", [
    ({"principal": "*"}, "principal is '*'"),
    ({"principal": "apigateway.amazonaws.com"}, "without sourceArn or sourceAccount"),
    ({"principal": "s3.amazonaws.com", "principalOrgId": "o-1"}, "s3.amazonaws.com"),
    ({"principal": "*", "action": "lambda:InvokeFunctionUrl", "functionUrlAuthType": "NONE",
      "principalOrgId": "o-1"}, "function URL"),
])
def test_an_open_invoke_grant_is_refused(props, says):
    fires("lambda-permission-not-public", permission(**props), says=says)


@pytest.mark.parametrize("props", [
    {"principal": "apigateway.amazonaws.com", "sourceArn": API_ARN},
    {"principal": "events.amazonaws.com", "sourceAccount": "123456789012"},
    {"principal": "*", "principalOrgId": "o-abc"},
    {"principal": "123456789012"},
    {"principal": "apigateway.amazonaws.com", "sourceArn": U},  # an API created in the same update
    {"principal": U},
])
def test_a_narrowed_or_named_grant_passes(props):
    passes("lambda-permission-not-public", permission(**props))


def test_function_urls_require_iam():
    fires("lambda-function-url-auth", res(aws.LAMBDA_FUNCTION_URL, {"authorizationType": "NONE"}))
    passes("lambda-function-url-auth", res(aws.LAMBDA_FUNCTION_URL, {"authorizationType": "AWS_IAM"}))


def test_tracing_is_advisory_and_active_passes():
    [found] = fires("lambda-tracing-active", res(aws.LAMBDA_FUNCTION, lambda_function(tracingConfig=None)),
                    says="unset")
    assert not found.mandatory
    passes("lambda-tracing-active", res(aws.LAMBDA_FUNCTION, lambda_function()))


# ---- the log group ----

def test_a_function_without_its_log_group_is_refused():
    function = res(aws.LAMBDA_FUNCTION, lambda_function())
    other = res(aws.LOG_GROUP, function_log_group("someone-else"))
    fires("lambda-log-group-retention", function, other, on=[function], says="/aws/lambda/webstack-test-api")
    passes("lambda-log-group-retention", function, res(aws.LOG_GROUP, function_log_group()))


def test_the_group_is_found_by_dependency_or_custom_name_and_needs_retention():
    function = res(aws.LAMBDA_FUNCTION, lambda_function(name=U))
    named_after = res(aws.LOG_GROUP, function_log_group(name=U, retentionInDays=None), deps={"name": [function]})
    fires("lambda-log-group-retention", function, named_after, on=[function], says="sets no retentionInDays")
    custom = res(aws.LAMBDA_FUNCTION, lambda_function(loggingConfig={"logFormat": "JSON", "logGroup": "/app/api"}))
    passes("lambda-log-group-retention", custom, res(aws.LOG_GROUP, function_log_group(name="/app/api")))
    fires("lambda-log-group-retention", custom, res(aws.LOG_GROUP, function_log_group()), says="/app/api")


def test_a_function_whose_group_cannot_be_named_yet_is_not_judged():
    """An unknown function name, or a group whose name is not known yet, proves nothing."""
    passes("lambda-log-group-retention", res(aws.LAMBDA_FUNCTION, lambda_function(name=U)))
    passes("lambda-log-group-retention", res(aws.LAMBDA_FUNCTION, lambda_function()),
           res(aws.LOG_GROUP, function_log_group(name=U)))


# ---- secrets and runtimes ----

@pytest.mark.parametrize("variables, says", [
    ({"DB_PASSWORD": "hunter2"}, "DB_PASSWORD"),
    ({"STRIPE_API_KEY": "sk_live_1"}, "STRIPE_API_KEY"),
    ({"GREETING": "AKIAABCDEFGHIJKLMNOP"}, "access key id"),
])
def test_a_secret_in_the_environment_is_refused(variables, says):
    fires("lambda-no-plaintext-secrets", res(aws.LAMBDA_FUNCTION, lambda_function(
        environment={"variables": variables})), says=says)


def test_references_and_values_not_known_yet_pass():
    variables = {"DB_SECRET_ARN": "arn:aws:secretsmanager:ap-northeast-2:1:secret:db",
                 "DB_PASSWORD": "arn:aws:secretsmanager:ap-northeast-2:1:secret:db",
                 "API_TOKEN": "/webstack/prod/api-token", "SESSION_SECRET": U, "TABLE_NAME": "todos"}
    passes("lambda-no-plaintext-secrets", res(aws.LAMBDA_FUNCTION, lambda_function(
        environment={"variables": variables})))


def test_a_deprecated_runtime_is_refused_and_its_date_decides(monkeypatch):
    fires("lambda-supported-runtime", res(aws.LAMBDA_FUNCTION, lambda_function(runtime="python3.8")),
          says="since 2024-10-14")
    for runtime in ("python3.13", "nodejs24.x", None):  # supported until 2029, not listed yet, an image
        passes("lambda-supported-runtime", res(aws.LAMBDA_FUNCTION, lambda_function(runtime=runtime)))
    monkeypatch.setattr(lambda_functions, "today", lambda: datetime.date(2029, 7, 1))
    fires("lambda-supported-runtime", res(aws.LAMBDA_FUNCTION, lambda_function(runtime="python3.13")))


# ---- API Gateway ----

def test_stages_log_access_and_the_xray_advice():
    fires("apigateway-access-logging", res(aws.API_STAGE, api_stage(accessLogSettings=None)),
          says="destinationArn and format")
    fires("apigateway-access-logging", res(aws.API_STAGE, api_stage(
        accessLogSettings={"destinationArn": "arn:aws:logs:r:1:log-group:api"})), says="format")
    passes("apigateway-access-logging", res(aws.API_STAGE, api_stage()))
    [advice] = fires("apigateway-xray-tracing", res(aws.API_STAGE, api_stage(xrayTracingEnabled=False)))
    assert not advice.mandatory
    passes("apigateway-xray-tracing", res(aws.API_STAGE, api_stage()))


def stage(name="live", api="api-1"):
    return res(aws.API_STAGE, api_stage(stageName=name, restApi=api))


def test_a_stage_without_throttling_is_refused():
    live = stage()
    fires("apigateway-throttling", live, on=[live])
    unthrottled = res(aws.API_METHOD_SETTINGS, method_settings(settings={"throttlingRateLimit": -1,
                                                                         "throttlingBurstLimit": -1}))
    fires("apigateway-throttling", live, unthrottled, on=[live])
    passes("apigateway-throttling", live, res(aws.API_METHOD_SETTINGS, method_settings()))


def test_settings_of_another_api_or_stage_do_not_throttle():
    live, other_api = stage(), stage(api="api-2")
    settings = res(aws.API_METHOD_SETTINGS, method_settings())  # api-1, live
    fires("apigateway-throttling", live, other_api, settings, on=[other_api])


def test_settings_found_through_dependencies_throttle_their_own_api_s_stage():
    """A first run knows no ids: the settings name the stage and API through their outputs."""
    api, other = (res("aws:apigateway/restApi:RestApi", {"name": name}) for name in ("api", "other"))
    live = res(aws.API_STAGE, api_stage(restApi=U), deps={"restApi": [api]})
    settings = res(aws.API_METHOD_SETTINGS, method_settings(stageName=U, restApi=U),
                   deps={"stageName": [live], "restApi": [api]})
    passes("apigateway-throttling", api, live, settings)
    elsewhere = res(aws.API_METHOD_SETTINGS, method_settings(stageName=U, restApi=U),
                    deps={"stageName": [live], "restApi": [other]})
    fires("apigateway-throttling", api, other, live, elsewhere, on=[live])


def test_a_throttling_usage_plan_covers_its_stages():
    live = stage()
    plan = res(aws.API_USAGE_PLAN, {"apiStages": [{"apiId": "api-1", "stage": "live"}],
                                    "throttleSettings": {"rateLimit": 50, "burstLimit": 20}})
    passes("apigateway-throttling", live, plan)
    no_limits = res(aws.API_USAGE_PLAN, {"apiStages": [{"apiId": "api-1", "stage": "live"}]})
    fires("apigateway-throttling", live, no_limits, on=[live])


def test_settings_whose_stage_is_unknown_prove_nothing():
    passes("apigateway-throttling", stage(), res(aws.API_METHOD_SETTINGS, method_settings(stageName=U)))


@pytest.mark.parametrize("policy, ok", [("TLS_1_0", False), (None, False), ("TLS_1_2", True),
                                        ("SecurityPolicy_TLS13_1_2_2021_06", True), (U, True)])
def test_custom_domains_speak_tls_1_2_or_later(policy, ok):
    domain = res(aws.API_DOMAIN_NAME, {"domainName": "api.example.com", "securityPolicy": policy})
    (passes if ok else fires)("apigateway-domain-tls12", domain)


# ---- DynamoDB ----

def test_tables_and_replicas_name_a_customer_key():
    table = dynamodb_table(serverSideEncryption={"enabled": True})
    fires("dynamodb-customer-managed-key", res(aws.DYNAMODB_TABLE, table), says="serverSideEncryption.kmsKeyArn")
    fires("dynamodb-customer-managed-key", res(aws.DYNAMODB_TABLE, dynamodb_table(replicas=[
        {"regionName": "ap-northeast-1"}])), says="replicas[0]")
    fires("dynamodb-customer-managed-key", res(aws.DYNAMODB_TABLE_REPLICA, {"globalTableArn": "arn"}))
    passes("dynamodb-customer-managed-key", res(aws.DYNAMODB_TABLE, dynamodb_table()))
    passes("dynamodb-customer-managed-key", res(aws.DYNAMODB_TABLE, dynamodb_table(
        serverSideEncryption={"enabled": True, "kmsKeyArn": U})))


def test_prod_makes_table_deletion_protection_mandatory_and_dev_advises():
    """How the pack knows prod: the stack's policy config raises deletion-protection-enabled."""
    table = res(aws.DYNAMODB_TABLE, dynamodb_table(deletionProtectionEnabled=False), protect=True)
    levels = {stack: [v.level for v in evaluate(Plan(stack, [table]), load_pack_config(stack))
                      if v.policy == "deletion-protection-enabled"] for stack in ("dev", "prod")}
    assert levels == {"dev": ["advisory"], "prod": ["mandatory"]}


# ---- RDS Proxy ----

def test_proxies_require_tls():
    fires("rds-proxy-requires-tls", res(aws.RDS_PROXY, rds_proxy(requireTls=None)))
    passes("rds-proxy-requires-tls", res(aws.RDS_PROXY, rds_proxy()))


@pytest.mark.parametrize("changes, says", [
    ({"auths": [{"authScheme": "SECRETS", "iamAuth": "DISABLED"}]}, "auths[0].iamAuth is DISABLED"),
    ({"auths": [{"authScheme": "SECRETS"}]}, "unset"),
    ({"auths": None}, "neither"),
    ({"auths": None, "defaultAuthScheme": "NONE"}, "neither"),
])
def test_proxies_require_iam_authentication(changes, says):
    fires("rds-proxy-iam-auth", res(aws.RDS_PROXY, rds_proxy(**changes)), says=says)


def test_end_to_end_iam_or_required_iam_passes():
    passes("rds-proxy-iam-auth", res(aws.RDS_PROXY, rds_proxy()))
    passes("rds-proxy-iam-auth", res(aws.RDS_PROXY, rds_proxy(auths=None, defaultAuthScheme="IAM_AUTH")))


# ---- CodeDeploy ----

@pytest.mark.parametrize("changes, says", [
    ({"autoRollbackConfiguration": None}, "autoRollbackConfiguration.enabled"),
    ({"autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}}, "DEPLOYMENT_STOP_ON_ALARM"),
    ({"alarmConfiguration": {"enabled": True, "alarms": []}}, "alarms is empty"),
    ({"alarmConfiguration": None}, "alarmConfiguration.enabled"),
])
def test_deployment_groups_roll_back_on_failure_and_alarm(changes, says):
    fires("codedeploy-auto-rollback", res(aws.CODEDEPLOY_DEPLOYMENT_GROUP, deployment_group(**changes)), says=says)


def test_a_group_with_both_events_and_an_alarm_passes():
    passes("codedeploy-auto-rollback", res(aws.CODEDEPLOY_DEPLOYMENT_GROUP, deployment_group()))
    passes("codedeploy-auto-rollback", res(aws.CODEDEPLOY_DEPLOYMENT_GROUP, deployment_group(
        alarmConfiguration={"enabled": True, "alarms": U})))


def test_the_coverage_table_names_every_serverless_policy():
    readme = (Path(__file__).resolve().parents[2] / "policies" / "README.md").read_text(encoding="utf-8")
    for module in (lambda_functions, api_gateway, dynamodb, rds_proxy_policies, codedeploy):
        for policy in module.POLICIES:
            assert f"| `{policy.name}`" in readme, policy.name
