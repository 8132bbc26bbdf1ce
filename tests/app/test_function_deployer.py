"""The deployer `pulumi up` invokes per new version: against moto's Lambda and CodeDeploy, it
starts a deployment from the alias's version to the new one with a Lambda AppSpec, and nothing
when the alias already serves that version."""
import io
import json
import zipfile

import boto3
import pytest
from moto import mock_aws

from components.app.function_deployer import appspec, deploy

REGION = "ap-northeast-2"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


@pytest.fixture
def aws_with_two_versions():
    """A function with versions 1 and 2, its alias `live` on 1, and a Lambda deployment group."""
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}))
        lambda_client = boto3.client("lambda", region_name=REGION)
        lambda_client.create_function(FunctionName="webstack-prod-api", Runtime="python3.13",
                                      Role=role["Role"]["Arn"], Handler="index.handler",
                                      Code={"ZipFile": _zip()}, Publish=True)
        lambda_client.create_alias(FunctionName="webstack-prod-api", Name="live",
                                   FunctionVersion="1")
        lambda_client.update_function_code(FunctionName="webstack-prod-api", ZipFile=_zip(),
                                           Publish=True)
        codedeploy = boto3.client("codedeploy", region_name=REGION)
        codedeploy.create_application(applicationName="webstack-prod-functions",
                                      computePlatform="Lambda")
        codedeploy.create_deployment_group(
            applicationName="webstack-prod-functions", deploymentGroupName="webstack-prod-api",
            serviceRoleArn=role["Role"]["Arn"],
            deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent30Minutes",
            deploymentStyle={"deploymentType": "BLUE_GREEN",
                             "deploymentOption": "WITH_TRAFFIC_CONTROL"})
        yield lambda_client, codedeploy


def event(version: str) -> dict:
    return {"applicationName": "webstack-prod-functions",
            "deploymentGroupName": "webstack-prod-api", "functionName": "webstack-prod-api",
            "alias": "live", "targetVersion": version}


def test_a_new_version_starts_a_codedeploy_deployment_from_the_alias_version(aws_with_two_versions):
    lambda_client, codedeploy = aws_with_two_versions
    result = deploy(event("2"), lambda_client, codedeploy)
    assert result["status"] == "started"
    assert (result["currentVersion"], result["targetVersion"]) == ("1", "2")
    deployment = codedeploy.get_deployment(deploymentId=result["deploymentId"])["deploymentInfo"]
    assert deployment["deploymentGroupName"] == "webstack-prod-api"
    content = deployment["revision"]["appSpecContent"]["content"]
    [resource] = json.loads(content)["Resources"]
    assert resource["webstack-prod-api"] == {"Type": "AWS::Lambda::Function", "Properties": {
        "Name": "webstack-prod-api", "Alias": "live", "CurrentVersion": "1", "TargetVersion": "2"}}
    # The alias itself is CodeDeploy's to move: the deployer left it where it was.
    assert lambda_client.get_alias(FunctionName="webstack-prod-api", Name="live")["FunctionVersion"] == "1"


def test_the_version_the_alias_already_serves_starts_nothing(aws_with_two_versions):
    lambda_client, codedeploy = aws_with_two_versions
    assert deploy(event("1"), lambda_client, codedeploy) == {"status": "unchanged", "version": "1"}
    assert codedeploy.list_deployments()["deployments"] == []


def test_the_appspec_sha256_is_of_its_content():
    import hashlib
    recorded = {}

    class RecordingCodeDeploy:
        def create_deployment(self, **request):
            recorded.update(request)
            return {"deploymentId": "d-TEST"}

    class Alias:
        def get_alias(self, FunctionName, Name):
            return {"FunctionVersion": "4"}

    deploy(event("5"), Alias(), RecordingCodeDeploy())
    content = recorded["revision"]["appSpecContent"]
    assert content["content"] == appspec("webstack-prod-api", "live", "4", "5")
    assert content["sha256"] == hashlib.sha256(content["content"].encode()).hexdigest()
