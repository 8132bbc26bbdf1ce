"""One function alone under the preview's mocks: asynchronous invocation brings its encrypted
dead-letter queue, which only its role may send to; an image is deployed as an image."""
import json

from components.app.function import Function, FunctionArgs
from config.settings import FunctionSettings
from tests.components_under_mocks import components_plan

IMAGE = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/jobs@sha256:" + "a" * 64
LOGS_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/logs"


def test_an_async_image_function_gets_its_dead_letter_queue_and_runs_its_image():
    jobs = FunctionSettings(name="jobs", code=IMAGE, memory=1024, timeout=900, runtime=None,
                            handler=None, is_async=True, kind="worker",
                            secrets=(("API_TOKEN", "arn:aws:ssm:ap-northeast-2:123456789012:parameter/api"),))
    plan, _ = components_plan(lambda: Function("jobs", FunctionArgs(
        "webstack-prod", jobs, 30, LOGS_KEY)) and None)
    [queue] = plan.of_type("aws:sqs/queue:Queue")
    [function] = plan.of_type("aws:lambda/function:Function")
    assert queue.inputs["sqsManagedSseEnabled"] is True
    assert queue.inputs["messageRetentionSeconds"] == 1_209_600
    assert function.inputs["deadLetterConfig"] == {"targetArn": queue.outputs["arn"]}
    assert (function.inputs["packageType"], function.inputs["imageUri"]) == ("Image", IMAGE)
    assert "runtime" not in function.inputs and "handler" not in function.inputs
    # its secret by ARN under <NAME>_ARN, readable by its role; no VPC access outside the VPC
    assert function.inputs["environment"]["variables"] == {
        "API_TOKEN_ARN": "arn:aws:ssm:ap-northeast-2:123456789012:parameter/api"}
    [policy] = plan.of_type("aws:iam/rolePolicy:RolePolicy")
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert statements["DeadLetters"] == {"Sid": "DeadLetters", "Effect": "Allow",
                                         "Action": "sqs:SendMessage",
                                         "Resource": queue.outputs["arn"]}
    assert statements["Parameters"]["Resource"] == ["arn:aws:ssm:ap-northeast-2:123456789012:parameter/api"]
    assert "VpcAccess" not in statements and "Secrets" not in statements
