"""Budget: each stack's AWS Budgets cost budget, filtered on its Stack tag, alerting its alarm
topic at 80 % forecast and 100 % actual, with the topic and key grants AWS Budgets needs."""
import inspect
import json

import pulumi_aws as aws
import pytest

from components.observability.budget import BUDGET_NAME_MAX, budget_name
from policies.pack_config import load_pack_config
from tests.conftest import STACKS

BUDGET = "aws:budgets/budget:Budget"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
ACCOUNT = "123456789012"
# Valid values from the installed pulumi-aws (BudgetNotificationArgs / BudgetArgs docs) and the
# AWS Budgets API reference (API_budgets_Budget: TimeUnit, BudgetType).
OPERATORS, KINDS, THRESHOLDS = {"LESS_THAN", "EQUAL_TO", "GREATER_THAN"}, {"ACTUAL", "FORECASTED"}, {"PERCENTAGE", "ABSOLUTE_VALUE"}
TIME_UNITS = {"DAILY", "MONTHLY", "QUARTERLY", "ANNUALLY"}


def the_budget(plan):
    [budget] = plan.of_type(BUDGET)
    return budget


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_has_a_monthly_cost_budget_on_its_tag_at_its_policy_budget(stack, plan_of):
    budget = the_budget(plan_of(stack)).inputs
    limit = load_pack_config(stack)["monthly-budget"]["maxMonthlyUsd"]
    assert budget["name"] == f"webstack-{stack}-monthly"
    assert (budget["budgetType"], budget["timeUnit"], budget["limitUnit"]) == ("COST", "MONTHLY", "USD")
    assert float(budget["limitAmount"]) == limit
    assert budget["costFilters"] == [{"name": "TagKeyValue", "values": [f"user:Stack${stack}"]}]


@pytest.mark.parametrize("stack", STACKS)
def test_alerts_at_80_percent_forecast_and_100_percent_actual_go_to_the_alarm_topic(stack, plan_of):
    plan = plan_of(stack)
    notes = {(n["notificationType"], n["threshold"]): n for n in the_budget(plan).inputs["notifications"]}
    assert set(notes) == {("FORECASTED", 80), ("ACTUAL", 100)}
    for note in notes.values():
        assert note["subscriberSnsTopicArns"] == [plan.outputs["alarmTopicArn"]]
        assert note["comparisonOperator"] in OPERATORS and note["thresholdType"] == "PERCENTAGE"
        assert note["notificationType"] in KINDS and note["thresholdType"] in THRESHOLDS


def test_the_tag_the_budget_filters_on_is_a_default_tag_of_every_provider(plan_of):
    plan = plan_of("prod")
    for provider in plan.of_type("pulumi:providers:aws"):
        assert json.loads(provider.inputs["defaultTags"])["tags"]["Stack"] == "prod"


def test_budgets_may_publish_to_the_topic_for_this_account_only(plan_of):
    plan = plan_of("staging")
    [policy] = plan.of_type(TOPIC_POLICY)
    assert policy.inputs["arn"] == plan.outputs["alarmTopicArn"]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    budgets = statements["BudgetsPublish"]
    assert budgets["Principal"] == {"Service": "budgets.amazonaws.com"} and budgets["Action"] == "SNS:Publish"
    assert budgets["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                    "ArnLike": {"aws:SourceArn": f"arn:aws:budgets::{ACCOUNT}:*"}}
    # The policy replaces SNS's default one: the account and CloudWatch keep their rights.
    assert statements["AccountManages"]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert statements["CloudWatchAlarmsPublish"]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert all(s["Resource"] == plan.outputs["alarmTopicArn"] for s in statements.values())


def test_the_topics_key_lets_budgets_encrypt_for_that_topic_only(plan_of):
    plan = plan_of("prod")
    [topic] = [t for t in plan.of_type("aws:sns/topic:Topic") if t.outputs["arn"] == plan.outputs["alarmTopicArn"]]
    [key] = [k for k in plan.of_type("aws:kms/key:Key") if k.outputs["arn"] == topic.inputs["kmsMasterKeyId"]]
    [grant] = [s for s in json.loads(key.inputs["policy"])["Statement"] if s.get("Sid") == "BudgetsPublish"]
    assert grant["Principal"] == {"Service": "budgets.amazonaws.com"}
    assert set(grant["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert grant["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT,
                                                  "kms:EncryptionContext:aws:sns:topicArn": topic.outputs["arn"]}


@pytest.mark.parametrize("prefix", ["webstack-x" * 10, "web:stack", "web\\stack", "a/action/b"])
def test_budget_names_outside_the_api_limits_are_refused(prefix):
    with pytest.raises(ValueError, match="budget name"):
        budget_name(prefix)
    assert len(budget_name("w" * (BUDGET_NAME_MAX - len("-monthly")))) == BUDGET_NAME_MAX


def test_the_budget_properties_exist_in_the_installed_provider():
    params = inspect.signature(aws.budgets.BudgetArgs.__init__).parameters
    assert {"budget_type", "time_unit", "limit_amount", "limit_unit", "cost_filters", "notifications", "name"} <= set(params)
    from pulumi_aws.budgets import _inputs
    note = inspect.signature(_inputs.BudgetNotificationArgs.__init__).parameters
    assert {"comparison_operator", "notification_type", "threshold", "threshold_type",
            "subscriber_sns_topic_arns"} <= set(note)
    assert TIME_UNITS >= {"MONTHLY"}


def test_a_bad_budget_in_the_policy_config_fails_before_any_resource(tmp_path):
    import shutil
    from pathlib import Path

    from config.keys import ConfigError
    from preview.engine import run_preview
    root = Path(__file__).resolve().parents[2]
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "__main__.py"):
        shutil.copy(root / name, tmp_path)
    shutil.copytree(root / "components", tmp_path / "components")
    (tmp_path / "policies" / "config").mkdir(parents=True)
    (tmp_path / "policies" / "config" / "dev.json").write_text('{"monthly-budget": {"maxMonthlyUsd": -5}}')
    registered = []
    with pytest.raises(ConfigError, match=r"monthly-budget.maxMonthlyUsd = -5 in policies/config/dev.json"):
        run_preview("dev", project_dir=tmp_path, registrations=registered)
    assert registered == []
