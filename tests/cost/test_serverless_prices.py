"""The serverless tier's lines: Lambda priced from its memory and the usage assumptions, the
request-priced types with their quantities even where no price was read."""
import pytest

from cost import Resource, estimate
from cost.model import FREE, NOT_PRICED, PRICED
from cost.usage import usage_from

SEOUL, VIRGINIA = "ap-northeast-2", "us-east-1"
FUNCTION = "aws:lambda/function:Function"


def lines_of(*resources, usage=None, region=SEOUL):
    return {(line.resource, line.item): line for line in estimate(list(resources), region, usage).lines}


def test_an_x86_function_in_seoul_costs_its_requests_and_gb_seconds():
    usage = usage_from({"lambdaRequestsMillions": 3, "lambdaAverageDurationMs": 120})
    lines = lines_of(Resource(FUNCTION, "api", {"memorySize": 2048}), usage=usage)
    requests, duration = lines["api", "Lambda x86_64 requests"], lines["api", "Lambda x86_64 duration"]
    # By hand: 3 M × $0.20 = $0.60; 3e6 × 0.12 s × 2 GB = 720,000 GB-s × $0.0000166667 = $12.00.
    assert (requests.status, round(requests.monthly_usd, 2)) == (PRICED, 0.60)
    assert (duration.quantity, round(duration.monthly_usd, 2)) == (720_000, 12.00)
    assert "lambdaAverageDurationMs = 120" in duration.basis and "memorySize 2048 MB" in duration.basis


def test_lambda_s_default_memory_is_128_mb_and_arm_in_seoul_is_not_priced():
    lines = lines_of(Resource(FUNCTION, "small", {}), Resource(FUNCTION, "arm", {"architectures": ["arm64"]}))
    assert lines["small", "Lambda x86_64 duration"].quantity == 1e6 * 0.2 * 0.125
    arm = lines["arm", "Lambda arm64 duration"]
    assert arm.status == NOT_PRICED and "lambda.arm64.gb-second" in arm.source


def test_in_virginia_duration_is_priced_and_requests_are_not():
    lines = lines_of(Resource(FUNCTION, "arm", {"architectures": ["arm64"], "memorySize": 1024}), region=VIRGINIA)
    assert round(lines["arm", "Lambda arm64 duration"].monthly_usd, 4) == round(200_000 * 0.0000133334, 4)
    assert lines["arm", "Lambda arm64 requests"].status == NOT_PRICED


def test_rest_api_requests_and_on_demand_tables_carry_their_quantities_unpriced():
    usage = usage_from({"apiRequestsMillions": 4, "dynamodbReadMillions": 2, "dynamodbWriteMillions": 1.5,
                        "dynamodbStorageGb": 3})
    lines = lines_of(Resource("aws:apigateway/restApi:RestApi", "api", {}),
                     Resource("aws:dynamodb/table:Table", "todos", {"billingMode": "PAY_PER_REQUEST"}), usage=usage)
    expected = {("api", "API Gateway REST requests"): 4, ("todos", "DynamoDB on-demand reads"): 2,
                ("todos", "DynamoDB on-demand writes"): 1.5, ("todos", "DynamoDB storage"): 3}
    assert {key: lines[key].quantity for key in expected} == expected
    assert {lines[key].status for key in expected} == {NOT_PRICED}
    assert "apigateway.rest.requests" in lines["api", "API Gateway REST requests"].source


def test_a_provisioned_table_is_not_taken_for_an_on_demand_one():
    lines = lines_of(Resource("aws:dynamodb/table:Table", "old", {"readCapacity": 5, "writeCapacity": 5}))
    assert ("old", "DynamoDB provisioned capacity") in lines and ("old", "DynamoDB on-demand reads") not in lines


@pytest.mark.parametrize("type_token, inputs, status", [
    ("aws:rds/proxy:Proxy", {}, NOT_PRICED),
    ("aws:codedeploy/deploymentGroup:DeploymentGroup", {}, NOT_PRICED),
    ("aws:codedeploy/application:Application", {"computePlatform": "Lambda"}, FREE),
    ("aws:lambda/alias:Alias", {"name": "live"}, FREE),
    ("aws:apigateway/stage:Stage", {"stageName": "live"}, FREE),
    ("aws:apigateway/stage:Stage", {"stageName": "live", "cacheClusterEnabled": True}, NOT_PRICED),
])
def test_the_other_serverless_types_are_free_or_listed_not_priced(type_token, inputs, status):
    [line] = estimate([Resource(type_token, "r", inputs)], SEOUL).lines
    assert line.status == status and line.source
