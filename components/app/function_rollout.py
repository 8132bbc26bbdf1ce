"""Traffic shifting between a function's versions with AWS's own mechanism: a CodeDeploy
application (compute platform Lambda) and, per function, a deployment group that shifts the alias
`live` by the stack's deployment configuration and rolls back on failure or on the function's
rollback alarms.

`pulumi up` publishes a new version (Function, publish=True) but never moves the alias itself
(ignore_changes on its version); instead an aws.lambda_.Invocation of the deployer function
(function_deployer.py), whose input and triggers carry the new version, asks CodeDeploy to shift
from the alias's current version to it. The Invocation runs again only when its triggers change,
i.e. on each new version (https://www.pulumi.com/registry/packages/aws/api-docs/lambda/invocation/:
"triggers — map of arbitrary keys and values that, when changed, will trigger a re-invocation";
the AppSpec: https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-resources.html).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.app.function import ALIAS, XRAY_ACTIONS, Function
from components.iam import service_role
from components.observability.logs_key import encrypted_log_group
from config.functions import DEPLOYER_FUNCTION

DEPLOYER_SOURCE = Path(__file__).resolve().parent / "function_deployer.py"
DEPLOYER_RUNTIME = "python3.13"  # includes boto3
ROLLBACK_EVENTS = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]


@dataclass(frozen=True)
class FunctionRolloutArgs:
    name_prefix: str
    region: str
    deployment_config: str  # e.g. CodeDeployDefault.LambdaCanary10Percent30Minutes
    log_retention_days: int
    logs_key_arn: pulumi.Input[str]


class FunctionRollout(pulumi.ComponentResource):
    """The stack's CodeDeploy application and deployer; `watch` adds one function."""

    def __init__(self, name: str, args: FunctionRolloutArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:function:FunctionRollout", name, None, opts)
        self._name, self._args = name, args
        child = pulumi.ResourceOptions(parent=self)
        self.application_name = f"{args.name_prefix}-functions"
        self.application = aws.codedeploy.Application(
            f"{name}-application", name=self.application_name, compute_platform="Lambda",
            opts=child)
        self.codedeploy_role = service_role(f"{name}-codedeploy-role", "codedeploy.amazonaws.com",
                                            self)
        self.deployer_name = f"{args.name_prefix}-{DEPLOYER_FUNCTION}"
        self.deployer_role = service_role(f"{name}-deployer-role", "lambda.amazonaws.com", self)
        self.deployer_logs = encrypted_log_group(
            f"{name}-deployer-logs", f"/aws/lambda/{self.deployer_name}", args.log_retention_days,
            args.logs_key_arn, self)
        # One policy for every function of the stack (their names share the prefix), so the roles
        # stay within IAM's 10,240 characters of inline policies per role however many functions
        # there are (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        functions = pulumi.Output.concat("arn:aws:lambda:", args.region, ":", account_id,
                                         ":function:", args.name_prefix, "-*")
        codedeploy_policy = aws.iam.RolePolicy(
            f"{name}-codedeploy-policy", role=self.codedeploy_role.id,
            policy=_codedeploy_policy(functions), opts=child)
        deployer_policy = aws.iam.RolePolicy(
            f"{name}-deployer-policy", role=self.deployer_role.id,
            policy=self._deployer_policy(account_id, functions), opts=child)
        self.deployer = aws.lambda_.Function(
            f"{name}-deployer", name=self.deployer_name, role=self.deployer_role.arn,
            runtime=DEPLOYER_RUNTIME, handler="function_deployer.handler",
            code=pulumi.AssetArchive({"function_deployer.py": pulumi.FileAsset(str(DEPLOYER_SOURCE))}),
            memory_size=128, timeout=30,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=self.deployer_logs.name),
            opts=pulumi.ResourceOptions(parent=self,
                                        depends_on=[self.deployer_logs, deployer_policy]))
        self._ready = [codedeploy_policy, deployer_policy]
        self.deployment_groups: dict[str, aws.codedeploy.DeploymentGroup] = {}
        self.register_outputs({"applicationName": self.application.name,
                               "deployerName": self.deployer.name})

    def watch(self, config_name: str, function: Function,
              rollback_alarm_names: Sequence[pulumi.Input[str]]) -> aws.lambda_.Invocation:
        """The function's deployment group, and the invocation that starts a deployment whenever
        `pulumi up` publishes a new version."""
        prefix, label = self._args.name_prefix, f"{self._name}-{config_name}"
        group_name = f"{prefix}-{config_name}"
        group = aws.codedeploy.DeploymentGroup(
            f"{label}-group", app_name=self.application.name, deployment_group_name=group_name,
            service_role_arn=self.codedeploy_role.arn,
            deployment_config_name=self._args.deployment_config,
            deployment_style=aws.codedeploy.DeploymentGroupDeploymentStyleArgs(
                deployment_option="WITH_TRAFFIC_CONTROL", deployment_type="BLUE_GREEN"),
            auto_rollback_configuration=aws.codedeploy.DeploymentGroupAutoRollbackConfigurationArgs(
                enabled=True,
                events=ROLLBACK_EVENTS if rollback_alarm_names else ROLLBACK_EVENTS[:1]),
            alarm_configuration=aws.codedeploy.DeploymentGroupAlarmConfigurationArgs(
                enabled=True, alarms=list(rollback_alarm_names))
            if rollback_alarm_names else None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=self._ready))
        self.deployment_groups[config_name] = group
        return aws.lambda_.Invocation(
            f"{label}-deployment", function_name=self.deployer.name,
            input=pulumi.Output.json_dumps({
                "applicationName": self.application.name, "deploymentGroupName": group_name,
                "functionName": function.function.name, "alias": ALIAS,
                "targetVersion": function.version}),
            triggers={"targetVersion": function.version},
            opts=pulumi.ResourceOptions(parent=self,
                                        depends_on=[group, self.deployer, function.alias]))

    def _deployer_policy(self, account_id: pulumi.Output[str],
                         functions: pulumi.Output[str]) -> pulumi.Output[str]:
        """Its logs and traces; read the stack's functions' aliases and start deployments of the
        stack's application: nothing else. CreateDeployment's resources:
        https://docs.aws.amazon.com/codedeploy/latest/userguide/auth-and-access-control-permissions-reference.html"""
        codedeploy = pulumi.Output.concat("arn:aws:codedeploy:", self._args.region, ":",
                                          account_id, ":")
        application = self.application_name
        return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "Logs", "Effect": "Allow",
             "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": pulumi.Output.concat(self.deployer_logs.arn, ":*")},
            {"Sid": "Traces", "Effect": "Allow", "Action": XRAY_ACTIONS, "Resource": "*"},
            {"Sid": "ReadAlias", "Effect": "Allow", "Action": "lambda:GetAlias",
             "Resource": functions},
            {"Sid": "Deploy", "Effect": "Allow", "Action": "codedeploy:CreateDeployment",
             "Resource": pulumi.Output.concat(codedeploy, "deploymentgroup:", application, "/*")},
            {"Sid": "Revision", "Effect": "Allow",
             "Action": ["codedeploy:RegisterApplicationRevision",
                        "codedeploy:GetApplicationRevision"],
             "Resource": pulumi.Output.concat(codedeploy, "application:", application)},
            {"Sid": "Config", "Effect": "Allow", "Action": "codedeploy:GetDeploymentConfig",
             "Resource": pulumi.Output.concat(codedeploy, "deploymentconfig:",
                                              self._args.deployment_config)}]})


def _codedeploy_policy(functions: pulumi.Input[str]) -> pulumi.Output[str]:
    """What CodeDeploy needs to shift the stack's functions' aliases and watch their alarms (the
    Lambda part of the managed AWSCodeDeployRoleForLambda, scoped to the stack's functions)."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ShiftAlias", "Effect": "Allow",
         "Action": ["lambda:GetAlias", "lambda:UpdateAlias",
                    "lambda:GetProvisionedConcurrencyConfig"],
         "Resource": functions},
        {"Sid": "WatchAlarms", "Effect": "Allow", "Action": "cloudwatch:DescribeAlarms",
         "Resource": "*"}]})
