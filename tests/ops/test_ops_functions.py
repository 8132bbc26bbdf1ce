"""`python -m ops status` on a serverless stack, against the moto server: each function's `live`
version and its deployment group's newest CodeDeploy deployment; a deployment that ended badly
is a problem naming its reason."""
import io
import json
import re
import zipfile

from conftest import REGION, client, outputs_for
from ops.__main__ import main
from ops.status import deployment_state

APPLICATION = "webstack-prod-functions"
FUNCTIONS = {"api": "webstack-prod-api", "jobs": "webstack-prod-jobs"}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def build_functions() -> None:
    """api: live on version 1 with a deployment to version 2 started; jobs: no deployment yet."""
    role = client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]
    }))["Role"]["Arn"]
    lambda_client, codedeploy = client("lambda"), client("codedeploy")
    codedeploy.create_application(applicationName=APPLICATION, computePlatform="Lambda")
    for name in FUNCTIONS.values():
        lambda_client.create_function(FunctionName=name, Runtime="python3.13", Role=role,
                                      Handler="index.handler", Code={"ZipFile": _zip()},
                                      Publish=True)
        lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        codedeploy.create_deployment_group(
            applicationName=APPLICATION, deploymentGroupName=name, serviceRoleArn=role,
            deploymentConfigName="CodeDeployDefault.LambdaCanary10Percent30Minutes",
            deploymentStyle={"deploymentType": "BLUE_GREEN",
                             "deploymentOption": "WITH_TRAFFIC_CONTROL"})
    codedeploy.create_deployment(
        applicationName=APPLICATION, deploymentGroupName=FUNCTIONS["api"],
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": "{}"}})


def test_status_shows_each_functions_live_version_and_newest_deployment(write_outputs, capsys):
    build_functions()
    outputs = write_outputs(outputs_for(
        tier="serverless", clusterName=None, serviceName=None, alarmTopicArn=None,
        functionNames=json.dumps(FUNCTIONS), deploymentGroupNames=json.dumps(FUNCTIONS),
        deploymentApplication=APPLICATION))
    assert main(["status", "--stack", "prod", "--outputs", outputs, "--json"]) == 0
    lines = {line["subject"]: line for line in json.loads(capsys.readouterr().out)["lines"]}
    api, jobs = lines["function webstack-prod-api"], lines["function webstack-prod-jobs"]
    assert api["state"] == "ok"
    assert re.fullmatch(r"live → version 1; deployment \S+ created", api["detail"])
    assert jobs == {"subject": "function webstack-prod-jobs", "state": "ok",
                    "detail": "live → version 1; no deployment yet"}


def test_a_deployment_rolled_back_on_an_alarm_is_a_problem_with_its_reason():
    stopped = {"deploymentId": "d-ABC", "status": "Stopped", "rollbackInfo": {
        "rollbackMessage": "Alarm webstack-prod-api-lambda-error-rate fired"}}
    assert deployment_state(stopped) == (
        False, "deployment d-ABC stopped: Alarm webstack-prod-api-lambda-error-rate fired")
    assert deployment_state({"deploymentId": "d-1", "status": "InProgress"}) == (
        True, "deployment d-1 inprogress")
    assert deployment_state({"deploymentId": "d-2", "status": "Failed"})[0] is False
