"""The serverless tier's API: a regional REST API whose routes proxy to each function's alias
`live`, one stage with access logs (encrypted), X-Ray and throttling, reachable only through
CloudFront.

"Only through CloudFront": every method requires an API key, which only CloudFront knows and sends
as the `x-api-key` origin header (the key belongs to a throttled usage plan of this stage). A
REST API's resource policy cannot tell CloudFront's requests from anyone else's (CloudFront's
addresses are shared by all its customers), and a second, regional WAF checking a secret header
would cost a web ACL per stack for the same effect. The key is generated, kept secret in state,
and never an output.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.app.function import Function
from components.iam import service_role
from components.observability.logs_key import encrypted_log_group, log_group_path
from config.functions import method_paths

STAGE = "v1"
API_KEY_HEADER = "x-api-key"
# https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html: API Gateway
# writes access and execution logs with the account's CloudWatch role (the managed policy
# AmazonAPIGatewayPushToCloudWatchLogs), set once per region in its account settings.
PUSH_TO_CLOUDWATCH = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
# https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime", "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath", "status": "$context.status",
    "protocol": "$context.protocol", "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integration.error", "xrayTraceId": "$context.xrayTraceId"},
    separators=(",", ":"))


@dataclass(frozen=True)
class ApiGatewayArgs:
    name_prefix: str
    region: str
    functions: Mapping[str, Function]  # by config name: the routed ones
    routes: Mapping[str, Sequence[str]]  # config name → its routes (/api/*, /*, /health)
    rate_limit: int
    burst_limit: int
    log_retention_days: int
    logs_key_arn: pulumi.Input[str]


class ApiGateway(pulumi.ComponentResource):
    def __init__(self, name: str, args: ApiGatewayArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:api:ApiGateway", name, None, opts)
        self._name = name
        child = pulumi.ResourceOptions(parent=self)
        self.api = aws.apigateway.RestApi(
            f"{name}-api", name=f"{args.name_prefix}-api",
            description=f"{args.name_prefix}: the functions' routes, behind CloudFront",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(
                types="REGIONAL"),
            api_key_source="HEADER", opts=child)
        self._resources: dict[str, pulumi.Input[str]] = {"/": self.api.root_resource_id}
        self._surface: list[dict] = []  # what each method and integration serves, for redeploys
        integrations = [integration for config_name, routes in sorted(args.routes.items())
                        for route in routes
                        for integration in self._route(route, args.functions[config_name])]
        for config_name in sorted(args.routes):
            self._allow_invoke(config_name, args.functions[config_name])
        deployment = aws.apigateway.Deployment(
            f"{name}-deployment", rest_api=self.api.id,
            description="the routes below; a new deployment when they change",
            # A deployment is a snapshot: an integration or method updated in place is not served
            # until the API is redeployed (API Gateway Developer Guide, "Updates to REST APIs
            # that require redeployment"), so the triggers hash what each method serves too.
            triggers={"routes": _fingerprint(args.routes), "surface": surface_fingerprint(
                pulumi.Output.json_dumps(self._surface))},
            opts=pulumi.ResourceOptions(parent=self, depends_on=integrations))
        self.stage = self._stage(args, deployment)
        self.api_key = self._api_key(args)
        self.name = self.api.name
        self.stage_name = self.stage.stage_name
        self.domain_name = pulumi.Output.concat(self.api.id, ".execute-api.", args.region,
                                                ".amazonaws.com")
        self.origin_path = f"/{STAGE}"
        self.url = self.stage.invoke_url
        self.register_outputs({"apiId": self.api.id, "stageName": self.stage_name,
                               "invokeUrl": self.url})

    def _resource(self, path: str) -> pulumi.Input[str]:
        """The resource of `path` (/api/{proxy+}), its parents made first, each made once."""
        if path not in self._resources:
            parent, _, part = path.rpartition("/")
            self._resources[path] = aws.apigateway.Resource(
                f"{self._name}{path}", rest_api=self.api.id,
                parent_id=self._resource(parent or "/"), path_part=part,
                opts=pulumi.ResourceOptions(parent=self)).id
        return self._resources[path]

    def _route(self, route: str, function: Function) -> list[aws.apigateway.Integration]:
        """ANY on each path of the route, proxied to the function's alias; a key is required."""
        integrations = []
        for path in method_paths(route):
            child = pulumi.ResourceOptions(parent=self)
            method = aws.apigateway.Method(
                f"{self._name}{path}-ANY", rest_api=self.api.id,
                resource_id=self._resource(path), http_method="ANY", authorization="NONE",
                api_key_required=True, opts=child)
            integrations.append(aws.apigateway.Integration(
                f"{self._name}{path}-ANY-integration", rest_api=self.api.id,
                resource_id=method.resource_id, http_method=method.http_method,
                type="AWS_PROXY", integration_http_method="POST", uri=function.alias.invoke_arn,
                opts=child))
            self._surface.append(method_surface(path, method, integrations[-1]))
        return integrations

    def _allow_invoke(self, config_name: str, function: Function) -> None:
        """This API's stage, and nothing else, may invoke the function's alias."""
        aws.lambda_.Permission(
            f"{self._name}-invokes-{config_name}", action="lambda:InvokeFunction",
            function=function.function.name, qualifier=function.alias.name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(self.api.execution_arn, f"/{STAGE}/*/*"),
            opts=pulumi.ResourceOptions(parent=self))

    def _stage(self, args: ApiGatewayArgs, deployment: aws.apigateway.Deployment
               ) -> aws.apigateway.Stage:
        account = self._logging_role()
        access_logs = encrypted_log_group(
            f"{self._name}-access-logs", log_group_path(args.name_prefix, "api-access"),
            args.log_retention_days, args.logs_key_arn, self)
        stage = aws.apigateway.Stage(
            f"{self._name}-stage", rest_api=self.api.id, deployment=deployment.id,
            stage_name=STAGE, xray_tracing_enabled=True,
            access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
                destination_arn=access_logs.arn, format=ACCESS_LOG_FORMAT),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[account]))
        # https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-execution-logging.html:
        # with a logging level API Gateway writes API-Gateway-Execution-Logs_{rest-api-id}/{stage}
        # and creates that group itself if missing (never expiring, unencrypted, left behind on
        # teardown): made here first, kept and encrypted like every other group.
        execution_logs = encrypted_log_group(
            f"{self._name}-execution-logs",
            pulumi.Output.concat("API-Gateway-Execution-Logs_", self.api.id, "/", STAGE),
            args.log_retention_days, args.logs_key_arn, self)
        aws.apigateway.MethodSettings(
            f"{self._name}-method-settings", rest_api=self.api.id, stage_name=stage.stage_name,
            method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(
                metrics_enabled=True, logging_level="ERROR", data_trace_enabled=False,
                throttling_rate_limit=args.rate_limit, throttling_burst_limit=args.burst_limit),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[execution_logs]))
        return stage

    def _logging_role(self) -> aws.apigateway.Account:
        """The region's API Gateway account settings name the role that writes its logs. They
        are one per account and region, shared with every other stack there: a destroyed stack
        leaves them, and the role they name, in place."""
        # pulumi-aws 7 (terraform-provider-aws v6) resets the account's cloudwatchRoleArn when an
        # Account is destroyed (hashicorp/terraform-provider-aws#42226), which stops the logs of
        # every other API in the region; a deleted role does the same (aws/aws-cdk#12769).
        role = service_role(f"{self._name}-logging-role", "apigateway.amazonaws.com", self,
                            retain_on_delete=True)
        attached = aws.iam.RolePolicyAttachment(
            f"{self._name}-logging-role-policy", role=role.name, policy_arn=PUSH_TO_CLOUDWATCH,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True))
        return aws.apigateway.Account(
            f"{self._name}-account", cloudwatch_role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attached],
                                        retain_on_delete=True))

    def _api_key(self, args: ApiGatewayArgs) -> pulumi.Output[str]:
        """The key CloudFront sends; its usage plan throttles the stage as a whole too."""
        child = pulumi.ResourceOptions(parent=self)
        value = random.RandomPassword(f"{self._name}-key-value", length=40, special=False,
                                      opts=child).result
        key = aws.apigateway.ApiKey(f"{self._name}-key", name=f"{args.name_prefix}-cloudfront",
                                    description="Sent by CloudFront only, as x-api-key",
                                    value=value, enabled=True, opts=child)
        plan = aws.apigateway.UsagePlan(
            f"{self._name}-usage-plan", name=f"{args.name_prefix}-cloudfront",
            api_stages=[aws.apigateway.UsagePlanApiStageArgs(api_id=self.api.id,
                                                             stage=self.stage.stage_name)],
            throttle_settings=aws.apigateway.UsagePlanThrottleSettingsArgs(
                rate_limit=args.rate_limit, burst_limit=args.burst_limit), opts=child)
        aws.apigateway.UsagePlanKey(f"{self._name}-usage-plan-key", key_id=key.id,
                                    key_type="API_KEY", usage_plan_id=plan.id, opts=child)
        return pulumi.Output.secret(value)


def method_surface(path: str, method: aws.apigateway.Method,
                   integration: aws.apigateway.Integration) -> dict:
    """What one method serves: a change to any of it needs a new deployment."""
    return {"path": path, "httpMethod": method.http_method,
            "authorization": method.authorization, "apiKeyRequired": method.api_key_required,
            "type": integration.type, "integrationHttpMethod": integration.integration_http_method,
            "uri": integration.uri}


def surface_fingerprint(surface: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.from_input(surface).apply(
        lambda text: hashlib.sha256(text.encode()).hexdigest())


def _fingerprint(routes: Mapping[str, Sequence[str]]) -> str:
    return hashlib.sha256(json.dumps({name: sorted(paths) for name, paths in routes.items()},
                                     sort_keys=True).encode()).hexdigest()
