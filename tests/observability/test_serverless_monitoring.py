"""Serverless alarms and dashboard rows (Lambda through its alias, API Gateway, DynamoDB) with the
seeds' thresholds, the rollback alarms CodeDeploy watches by name, and no database or cache rows
for a stack without them. The components run alone under the preview's mocks."""
import json

import pulumi
import pulumi_aws as aws
import pytest

import preflight

from components.observability.alarms import Alarms, AlarmsArgs, function_rollback_alarm_names
from components.observability.dashboard import Dashboard, DashboardArgs
from components.observability.monitored import ApiIds, MonitoredResources, WatchedFunction
from config.keys import ConfigError, parse_settings
from config.rules import ALARM_THRESHOLDS
from tests.components_under_mocks import components_plan

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
PREFIX = "webstack-prod"
GT, GE = "GreaterThanThreshold", "GreaterThanOrEqualToThreshold"
FUNCTIONS = ("api", "worker")
API = {"ApiName": "webstack-prod-api", "Stage": "live"}


def watched(functions=FUNCTIONS, api=True, tables=("webstack-prod-todos",)):
    return MonitoredResources(
        "E123EXAMPLE",
        functions=[WatchedFunction(name, f"webstack-prod-{name}", "live") for name in functions],
        api=ApiIds(API["ApiName"], API["Stage"]) if api else None, table_names=list(tables))


def monitoring_plan(make_resources, thresholds=ALARM_THRESHOLDS):
    """`make_resources` runs inside the mocked program: outputs need its event loop."""
    def build():
        resources = make_resources()
        us_east_1 = aws.Provider("us-east-1", region="us-east-1")
        alarms = Alarms("alarms", AlarmsArgs(PREFIX, thresholds, resources, "arn:topic",
                                             "arn:topic-us-east-1", us_east_1))
        dashboard = Dashboard("dashboard", DashboardArgs(
            PREFIX, "ap-northeast-2", resources, [alarm.arn for alarm in alarms.regional_alarms]))
        return {"url": dashboard.url}
    return components_plan(build)[0]


@pytest.fixture(scope="module")
def plan():
    # One table's name known (a plain string), one only as an output (by position).
    return monitoring_plan(lambda: watched(tables=(
        "webstack-prod-todos", pulumi.Output.from_input("webstack-prod-history"))))


def alarms(plan) -> dict:
    return {a.inputs["name"].removeprefix(f"{PREFIX}-"): a.inputs for a in plan.of_type(ALARM)}


def rule(alarm) -> tuple:
    return (alarm["comparisonOperator"], alarm["threshold"], alarm["evaluationPeriods"],
            alarm["datapointsToAlarm"], alarm["treatMissingData"])


def queries(alarm) -> dict:
    return {q["id"]: q for q in alarm["metricQueries"]}


def test_api_5xx_count_is_at_least_one_over_five_minutes(plan):
    """Seed 000: 5XXError, threshold 1, 5 evaluation periods."""
    alarm = alarms(plan)["api-5xx-count"]
    assert rule(alarm) == (GE, 1, 5, 5, "notBreaching")
    assert (alarm["namespace"], alarm["metricName"], alarm["statistic"], alarm["period"]) == (
        "AWS/ApiGateway", "5XXError", "Sum", 60)
    assert alarm["dimensions"] == API


def test_api_latency_is_above_1000_ms_over_three_minutes(plan):
    """Seed 000: Latency, threshold 1000, 3 evaluation periods (API Gateway reports ms)."""
    alarm = alarms(plan)["api-latency-p95"]
    assert rule(alarm) == (GT, 1000, 3, 3, "notBreaching")
    assert (alarm["metricName"], alarm["extendedStatistic"], alarm["dimensions"]) == (
        "Latency", "p95", API)


def test_api_5xx_rate_above_ten_percent_is_a_rollback_alarm(plan):
    """Seed 003: roll back when API Gateway's 5XX rate exceeds 10 %."""
    alarm = alarms(plan)["api-5xx-rate"]
    assert rule(alarm) == (GT, 10, 3, 3, "notBreaching")
    found = queries(alarm)
    assert found["result"]["expression"] == "100 * FILL(errors, 0) / requests"
    assert [(found[q]["metric"]["metricName"], found[q]["metric"]["dimensions"]) for q in
            ("errors", "requests")] == [("5XXError", API), ("Count", API)]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_lambda_errors_above_five_percent_on_the_alias(plan, function):
    """Seed 003: roll back when a function's error rate exceeds 5 %, measured on the alias
    API Gateway invokes (FunctionName and Resource <function>:live)."""
    alarm = alarms(plan)[f"{function}-lambda-error-rate"]
    assert rule(alarm) == (GT, 5, 3, 3, "notBreaching")
    found = queries(alarm)
    assert found["result"]["expression"] == "100 * FILL(errors, 0) / invocations"
    alias = {"FunctionName": f"webstack-prod-{function}",
             "Resource": f"webstack-prod-{function}:live"}
    for query_id, metric in (("errors", "Errors"), ("invocations", "Invocations")):
        assert found[query_id]["metric"] == {"namespace": "AWS/Lambda", "metricName": metric,
                                             "dimensions": alias, "stat": "Sum", "period": 60}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_has_throttle_and_duration_alarms(plan, function):
    found = alarms(plan)
    throttles, duration = found[f"{function}-lambda-throttles"], found[f"{function}-lambda-duration-p95"]
    assert rule(throttles) == (GE, 1, 3, 3, "notBreaching")
    assert (throttles["metricName"], throttles["statistic"]) == ("Throttles", "Sum")
    assert rule(duration) == (GT, 1000, 3, 3, "notBreaching")
    assert (duration["metricName"], duration["extendedStatistic"]) == ("Duration", "p95")
    assert duration["dimensions"]["Resource"] == f"webstack-prod-{function}:live"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_rollback_alarm_names_are_alarms_that_exist(plan, function):
    names = function_rollback_alarm_names(PREFIX, function)
    assert names == [f"{PREFIX}-{function}-lambda-error-rate", f"{PREFIX}-api-5xx-rate"]
    assert set(names) <= {a.inputs["name"] for a in plan.of_type(ALARM)}


def test_dynamodb_throttles_and_system_errors_per_table(plan):
    found = alarms(plan)
    for label, table in (("todos", "webstack-prod-todos"), ("table-2", "webstack-prod-history")):
        throttles = found[f"dynamodb-{label}-throttles"]
        assert rule(throttles) == (GE, 1, 3, 3, "notBreaching")
        assert {q["metric"]["metricName"]: q["metric"]["dimensions"]
                for q in throttles["metricQueries"] if "metric" in q} == {
            "ReadThrottleEvents": {"TableName": table}, "WriteThrottleEvents": {"TableName": table}}
        errors = found[f"dynamodb-{label}-system-errors"]
        assert rule(errors) == (GE, 1, 1, 1, "notBreaching")
        metrics = [q["metric"] for q in errors["metricQueries"] if "metric" in q]
        # CloudWatch: an alarm's math reads at most 10 metrics.
        assert len(metrics) == 10
        assert {m["metricName"] for m in metrics} == {"SystemErrors"}
        assert {m["dimensions"]["TableName"] for m in metrics} == {table}
        assert {"GetItem", "PutItem", "Query"} <= {m["dimensions"]["Operation"] for m in metrics}


def test_without_a_database_or_cache_there_are_no_alarms_or_rows_for_them(plan):
    assert not [label for label in alarms(plan) if label.startswith(("postgres", "redis"))]
    titles = [w["properties"].get("title", "") for w in json.loads(
        plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])["widgets"]]
    assert not [t for t in titles if t.startswith(("PostgreSQL", "Redis"))]
    assert {"API: requests", "API: errors", "API: latency (ms)", "api: duration (ms)",
            "worker: invocations, errors, throttles", "DynamoDB: throttle events",
            "DynamoDB: system errors"} <= set(titles)


def test_the_dashboard_graphs_the_alias_the_api_and_each_table(plan):
    widgets = json.loads(plan.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])[
        "widgets"]
    rows = [row for w in widgets if w["type"] == "metric" for row in w["properties"]["metrics"]]
    lambda_rows = [row for row in rows if row[0] == "AWS/Lambda"]
    assert lambda_rows and all(row[2:6] == ["FunctionName", row[3], "Resource", f"{row[3]}:live"]
                               for row in lambda_rows)
    assert {row[3] for row in rows if row[0] == "AWS/DynamoDB"} == {"webstack-prod-todos",
                                                                    "webstack-prod-history"}
    assert all(row[2:6] == ["ApiName", API["ApiName"], "Stage", "live"]
               for row in rows if row[0] == "AWS/ApiGateway")
    alarm_widget = next(w for w in widgets if w["type"] == "alarm")
    assert len(alarm_widget["properties"]["alarms"]) == len(plan.of_type(ALARM)) - 1  # CloudFront's


def test_thresholds_come_from_config():
    overridden = {**ALARM_THRESHOLDS, "lambdaErrorRatePercent": 2, "api5xxRatePercent": 4,
                  "apiLatencyP95Ms": 700}
    found = alarms(monitoring_plan(lambda: watched(functions=("api",), tables=()), overridden))
    assert found["api-lambda-error-rate"]["threshold"] == 2
    assert found["api-5xx-rate"]["threshold"] == 4
    assert found["api-latency-p95"]["threshold"] == 700


def test_functions_without_the_api_cannot_have_their_rollback_alarms():
    with pytest.raises(ValueError, match="rollback alarms include the API's 5XX rate"):
        monitoring_plan(lambda: watched(api=False))


@pytest.mark.parametrize("raw, allowed", [
    ('{"api5xxRatePercent": 120}', "percentages ≤ 100"),
    ('{"lambdaThrottles": 0}', "finite numbers > 0"),
    ('{"dynamodbThrottles": 2}', "which the mvp tier has no alarm for"),
])
def test_serverless_thresholds_are_checked_like_the_others(raw, allowed):
    with pytest.raises(ConfigError, match=allowed):
        parse_settings({"tier": "mvp", "alarmThresholds": raw}, stack="dev",
                       region="ap-northeast-2")


def test_the_alarms_pass_preflight(plan):
    assert preflight.errors(preflight.check(plan)) == []
