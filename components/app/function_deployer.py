"""The deployer: a small Lambda function `pulumi up` invokes once per newly published version of a
function (function_rollout.py), which asks CodeDeploy to shift the function's alias from the
version it serves to the new one. CodeDeploy then runs the canary or linear shift and rolls back
on failure or alarm; nothing here moves traffic itself.

Runs on Lambda's Python runtime, which includes boto3; it imports nothing from the program.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

import boto3


def appspec(function_name: str, alias: str, current_version: str, target_version: str) -> str:
    """The AppSpec of a Lambda deployment (CodeDeploy User Guide, "AppSpec 'resources' section
    for AWS Lambda deployments": name, alias, current version and target version)."""
    return json.dumps({"version": 0.0, "Resources": [{function_name: {
        "Type": "AWS::Lambda::Function",
        "Properties": {"Name": function_name, "Alias": alias,
                       "CurrentVersion": current_version, "TargetVersion": target_version}}}]},
        sort_keys=True)


def deploy(event: dict, lambda_client: Any, codedeploy_client: Any) -> dict:
    """Starts the deployment from the alias's current version to `targetVersion`; nothing when
    the alias already serves it (the first run, which creates the alias on that version)."""
    function, alias = event["functionName"], event["alias"]
    target = str(event["targetVersion"])
    current = lambda_client.get_alias(FunctionName=function, Name=alias)["FunctionVersion"]
    if current == target:
        return {"status": "unchanged", "version": current}
    content = appspec(function, alias, current, target)
    response = codedeploy_client.create_deployment(
        applicationName=event["applicationName"],
        deploymentGroupName=event["deploymentGroupName"],
        revision={"revisionType": "AppSpecContent",
                  "appSpecContent": {"content": content,
                                     "sha256": hashlib.sha256(content.encode()).hexdigest()}},
        description=f"pulumi up: {function}:{alias} from version {current} to {target}")
    return {"status": "started", "deploymentId": response["deploymentId"],
            "currentVersion": current, "targetVersion": target}


def handler(event: dict, _context: Any) -> dict:
    return deploy(event, boto3.client("lambda"), boto3.client("codedeploy"))
