"""What a serverless plan must hold, checked on the seed examples' previews (tests/examples runs
these on WillBook's and Hanbit TODO's plans, so no extra preview is made for them)."""
import hashlib
import json

from preview.plan import Plan

FUNCTION = "aws:lambda/function:Function"
ALIAS = "aws:lambda/alias:Alias"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
INVOCATION = "aws:lambda/invocation:Invocation"
METHOD = "aws:apigateway/method:Method"
INTEGRATION = "aws:apigateway/integration:Integration"
RESOURCE = "aws:apigateway/resource:Resource"
PERMISSION = "aws:lambda/permission:Permission"
STAGE = "aws:apigateway/stage:Stage"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def app_function(plan: Plan, name: str = "api"):
    [function] = [f for f in plan.of_type(FUNCTION) if f.inputs["name"] == f"webstack-{plan.stack}-{name}"]
    return function


def policy_of(plan: Plan, role_name: str) -> dict:
    [policy] = [p for p in plan.of_type(ROLE_POLICY) if p.name == role_name]
    return json.loads(policy.inputs["policy"])


def function_is_published_traced_and_logged_first(plan: Plan, memory: int):
    function = app_function(plan)
    inputs = function.inputs
    assert (inputs["publish"], inputs["tracingConfig"], inputs["memorySize"], inputs["timeout"]) == (
        True, {"mode": "Active"}, memory, 29)
    [log_group] = [g for g in plan.of_type(LOG_GROUP)
                   if g.inputs["name"] == f"/aws/lambda/webstack-{plan.stack}-api"]
    assert inputs["loggingConfig"]["logGroup"] == log_group.inputs["name"]
    assert log_group.urn in function.dependencies  # made before the function
    [logs_key] = [k for k in plan.of_type("aws:kms/key:Key") if k.name == "logs-key"]
    assert log_group.inputs["kmsKeyId"] == logs_key.outputs["arn"]
    assert log_group.inputs["retentionInDays"] == 30
    statements = {s["Sid"]: s for s in policy_of(plan, "api-policy")["Statement"]}
    assert statements["Logs"]["Resource"] == log_group.outputs["arn"] + ":*"
    assert statements["Traces"]["Action"] == ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    return function, statements


def alias_live_is_left_to_codedeploy(plan: Plan):
    [alias] = plan.of_type(ALIAS)
    assert (alias.inputs["name"], alias.inputs["functionVersion"]) == ("live", "1")
    assert "functionVersion" in alias.ignore_changes and "routingConfig" in alias.ignore_changes
    return alias


def codedeploy_shifts_each_new_version(plan: Plan, config: str):
    [group] = plan.of_type(GROUP)
    assert group.inputs["deploymentConfigName"] == config
    assert group.inputs["deploymentStyle"] == {"deploymentOption": "WITH_TRAFFIC_CONTROL",
                                               "deploymentType": "BLUE_GREEN"}
    assert group.inputs["autoRollbackConfiguration"] == {
        "enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}
    # Seed 003's rollback conditions, by the names of alarms the stack has: the alias's Lambda
    # error rate (> 5 %) and the API's 5XX rate (> 10 %).
    alarms = {a.inputs["name"]: a for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    watched = group.inputs["alarmConfiguration"]
    assert watched["enabled"] is True and watched["alarms"] == [
        f"webstack-{plan.stack}-api-lambda-error-rate", f"webstack-{plan.stack}-api-5xx-rate"]
    assert [alarms[name].inputs["threshold"] for name in watched["alarms"]] == [5, 10]
    [invocation] = plan.of_type(INVOCATION)
    request = json.loads(invocation.inputs["input"])
    function = app_function(plan)
    assert request == {"applicationName": f"webstack-{plan.stack}-functions",
                       "deploymentGroupName": group.inputs["deploymentGroupName"],
                       "functionName": function.inputs["name"], "alias": "live",
                       "targetVersion": function.outputs["version"]}
    # A new version changes the triggers, which re-runs the invocation; it waits for the group.
    assert invocation.inputs["triggers"] == {"targetVersion": function.outputs["version"]}
    assert group.urn in invocation.dependencies
    # The deployer may start deployments of this stack's application only, and read its
    # functions' aliases; CodeDeploy may move those aliases only.
    deployer = {s["Sid"]: s["Resource"] for s in policy_of(plan, "rollout-deployer-policy")["Statement"]}
    application = f"webstack-{plan.stack}-functions"
    assert deployer["Deploy"] == f"arn:aws:codedeploy:ap-northeast-2:123456789012:deploymentgroup:{application}/*"
    functions = f"arn:aws:lambda:ap-northeast-2:123456789012:function:webstack-{plan.stack}-*"
    assert deployer["ReadAlias"] == functions
    shifts = {s["Sid"]: s for s in policy_of(plan, "rollout-codedeploy-policy")["Statement"]}
    assert shifts["ShiftAlias"]["Resource"] == functions and "lambda:UpdateAlias" in shifts["ShiftAlias"]["Action"]


def api_proxies_routes_to_the_alias_behind_a_key(plan: Plan, alias):
    paths = sorted(r.inputs["pathPart"] for r in plan.of_type(RESOURCE))
    assert paths == ["api", "{proxy+}"]  # /api/* → /api and /api/{proxy+}
    methods = plan.of_type(METHOD)
    assert len(methods) == 2 and all(m.inputs["apiKeyRequired"] is True and
                                      m.inputs["httpMethod"] == "ANY" for m in methods)
    assert {(i.inputs["type"], i.inputs["integrationHttpMethod"], i.inputs["uri"])
            for i in plan.of_type(INTEGRATION)} == {("AWS_PROXY", "POST", alias.outputs["invokeArn"])}
    [permission] = plan.of_type(PERMISSION)
    api = plan.one("aws:apigateway/restApi:RestApi")
    assert api.inputs["endpointConfiguration"]["types"] == "REGIONAL"
    assert (permission.inputs["qualifier"], permission.inputs["principal"]) == ("live", "apigateway.amazonaws.com")
    assert permission.inputs["sourceArn"] == api.outputs["executionArn"] + "/v1/*/*"
    stage = plan.one(STAGE)
    assert stage.inputs["xrayTracingEnabled"] is True and stage.inputs["accessLogSettings"]["destinationArn"]
    settings = plan.one("aws:apigateway/methodSettings:MethodSettings").inputs["settings"]
    assert settings["throttlingRateLimit"] > 0 and settings["throttlingBurstLimit"] > 0
    return api


def cloudfront_is_the_only_way_in(plan: Plan, api):
    distribution = plan.one(DISTRIBUTION)
    [origin] = [o for o in distribution.inputs["origins"] if o["originId"] == "api"]
    assert origin["domainName"] == f"{api.id}.execute-api.ap-northeast-2.amazonaws.com"
    assert origin["originPath"] == "/v1"
    assert origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert origin["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]
    [header] = origin["customHeaders"]
    key = plan.one("aws:apigateway/apiKey:ApiKey")
    assert header["name"] == "x-api-key" and header["value"] == key.inputs["value"]
    assert "origins" in distribution.secret_inputs and "value" in key.secret_inputs
    # /api too: API Gateway has a method there, and /api/* does not match it.
    assert [b["pathPattern"] for b in distribution.inputs["orderedCacheBehaviors"]] == [
        "/api/*", "/api"]
    assert distribution.inputs["webAclId"].startswith("arn:aws:wafv2:us-east-1:")
    plan_stage = plan.one("aws:apigateway/usagePlan:UsagePlan").inputs
    assert plan_stage["throttleSettings"]["rateLimit"] > 0
    assert key.inputs["value"] not in json.dumps(plan.outputs)  # the key is no output


def api_redeploys_on_change_and_keeps_its_logs(plan: Plan, api):
    """The deployment's triggers hash what every method serves (a method or integration updated
    in place is served only after a redeploy); the execution log group is the program's, made
    before logging is turned on; the region's shared logging settings survive a teardown."""
    deployment = plan.one("aws:apigateway/deployment:Deployment")
    integrations = {i.name: i for i in plan.of_type(INTEGRATION)}
    surface = []
    for method in plan.of_type(METHOD):
        integration = integrations[f"{method.name}-integration"]
        surface.append({"path": method.name[len("api"):-len("-ANY")],
                        "httpMethod": method.inputs["httpMethod"],
                        "authorization": method.inputs["authorization"],
                        "apiKeyRequired": method.inputs["apiKeyRequired"],
                        "type": integration.inputs["type"],
                        "integrationHttpMethod": integration.inputs["integrationHttpMethod"],
                        "uri": integration.inputs["uri"]})
    assert deployment.inputs["triggers"]["surface"] == hashlib.sha256(
        json.dumps(surface).encode()).hexdigest()
    [execution_logs] = [g for g in plan.of_type(LOG_GROUP) if g.inputs["name"] ==
                        f"API-Gateway-Execution-Logs_{api.id}/v1"]
    assert execution_logs.inputs["retentionInDays"] == 30 and execution_logs.inputs["kmsKeyId"]
    settings = plan.one("aws:apigateway/methodSettings:MethodSettings")
    assert execution_logs.urn in settings.dependencies
    account = plan.one("aws:apigateway/account:Account")
    [role] = [r for r in plan.of_type("aws:iam/role:Role") if r.name == "api-logging-role"]
    [attached] = [a for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                  if a.name == "api-logging-role-policy"]
    assert account.retain_on_delete and role.retain_on_delete and attached.retain_on_delete


def serverless_plan(plan: Plan, memory: int, config: str):
    function, statements = function_is_published_traced_and_logged_first(plan, memory)
    alias = alias_live_is_left_to_codedeploy(plan)
    codedeploy_shifts_each_new_version(plan, config)
    api = api_proxies_routes_to_the_alias_behind_a_key(plan, alias)
    cloudfront_is_the_only_way_in(plan, api)
    api_redeploys_on_change_and_keeps_its_logs(plan, api)
    return function, statements
