"""Alerts: an alarm topic in the stack's region and one in us-east-1 (CloudFront's alarm), each
encrypted with its own key that CloudWatch may use; e-mail and optional Slack delivery by config."""
import json

import pytest

from config.keys import ConfigError
from preview.engine import run_preview
from tests.conftest import STACKS
from tests.support import named

TOPIC = "aws:sns/topic:Topic"
KEY = "aws:kms/key:Key"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
SLACK = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
CHATBOT_API_REGIONS = {"us-east-2", "us-west-2", "eu-west-1", "ap-southeast-1"}
EMAILS = ["oncall@example.com", "lead@example.org"]
SLACK_IDS = {"slackTeamId": "T07EA123LEP", "slackChannelId": "C07EZ1ABC23"}


@pytest.fixture(scope="module")
def delivered_plan():
    """dev with two alarm e-mail addresses and a Slack channel."""
    return run_preview("dev", overrides={"alarmEmails": json.dumps(EMAILS), **SLACK_IDS})


def region_of(plan, resource) -> str:
    return plan.by_urn(resource.provider_urn).inputs["region"]


def topics(plan) -> dict:
    return {region_of(plan, t): t for t in plan.of_type(TOPIC)}


def key_of(plan, topic):
    [key] = [k for k in plan.of_type(KEY) if k.outputs["arn"] == topic.inputs["kmsMasterKeyId"]]
    return key


@pytest.mark.parametrize("stack", STACKS)
def test_there_is_an_alarm_topic_in_the_stacks_region_and_in_us_east_1(plan_of, stack):
    found = topics(plan_of(stack))
    assert set(found) == {"ap-northeast-2", "us-east-1"}
    assert {t.inputs["name"] for t in found.values()} == {f"webstack-{stack}-alarms"}


@pytest.mark.parametrize("stack", STACKS)
def test_the_alarm_topic_output_is_the_regional_topic(plan_of, stack):
    plan = plan_of(stack)
    assert plan.outputs["alarmTopicArn"] == topics(plan)["ap-northeast-2"].outputs["arn"]
    assert plan.outputs["alarmTopicArn"].startswith("arn:aws:sns:ap-northeast-2:")


@pytest.mark.parametrize("stack", STACKS)
def test_each_topic_is_encrypted_with_its_own_rotated_key_of_its_region(plan_of, stack):
    plan = plan_of(stack)
    keys = []
    for region, topic in topics(plan).items():
        key = key_of(plan, topic)  # a customer-managed key of the plan, not alias/aws/sns
        assert region_of(plan, key) == region
        assert key.inputs["enableKeyRotation"] is True
        keys.append(key.urn)
    assert len(set(keys)) == 2


@pytest.mark.parametrize("stack", STACKS)
def test_cloudwatch_may_use_each_key_for_this_accounts_topic_only(plan_of, stack):
    plan = plan_of(stack)
    for topic in topics(plan).values():
        policy = json.loads(key_of(plan, topic).inputs["policy"])
        statements = {s["Sid"]: s for s in policy["Statement"]}
        cloudwatch = statements["CloudWatchAlarmsPublish"]
        assert cloudwatch["Effect"] == "Allow"
        assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        assert set(cloudwatch["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
        assert cloudwatch["Condition"]["StringEquals"] == {
            "aws:SourceAccount": "123456789012",
            "kms:EncryptionContext:aws:sns:topicArn": topic.outputs["arn"]}
        account = statements["AccountAdministers"]
        assert account["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
        # and AWS Budgets, which alerts this topic on real spend (components/observability/budget.py);
        # the stack region's topic also takes AWS Backup's notifications
        backup = {"BackupNotificationsPublish"} if topic.name == "alerts-topic" else set()
        assert set(statements) == {"CloudWatchAlarmsPublish", "BudgetsPublish",
                                   "AccountAdministers", *backup}


@pytest.mark.parametrize("stack", STACKS)
def test_without_addresses_or_slack_nothing_is_subscribed(plan_of, stack):
    plan = plan_of(stack)
    assert plan.of_type(SUBSCRIPTION) == []
    assert plan.of_type(SLACK) == []


def test_each_address_subscribes_to_both_topics_by_email(delivered_plan):
    found = topics(delivered_plan)
    subscriptions = {(s.inputs["topic"], s.inputs["endpoint"], s.inputs["protocol"])
                     for s in delivered_plan.of_type(SUBSCRIPTION)}
    assert subscriptions == {(topic.outputs["arn"], address, "email")
                             for topic in found.values() for address in EMAILS}


def test_a_subscription_is_named_by_its_address_so_others_survive_a_removal(delivered_plan):
    fewer = run_preview("dev", overrides={"alarmEmails": json.dumps(EMAILS[1:])})
    before = {s.urn for s in delivered_plan.of_type(SUBSCRIPTION)
              if s.inputs["endpoint"] == EMAILS[1]}
    after = {s.urn for s in fewer.of_type(SUBSCRIPTION)}
    assert before == after and len(after) == 2


def test_slack_gets_both_topics_through_a_chatbot_channel(delivered_plan):
    slack = delivered_plan.one(SLACK).inputs
    assert (slack["slackTeamId"], slack["slackChannelId"]) == (
        SLACK_IDS["slackTeamId"], SLACK_IDS["slackChannelId"])
    assert sorted(slack["snsTopicArns"]) == sorted(
        t.outputs["arn"] for t in topics(delivered_plan).values())
    # The Chatbot API answers in a few regions only; its configuration serves every region.
    assert slack["region"] in CHATBOT_API_REGIONS
    assert slack["guardrailPolicyArns"] == ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]


def test_chatbots_role_may_only_read_cloudwatch(delivered_plan):
    slack = delivered_plan.one(SLACK).inputs
    [role] = [r for r in delivered_plan.of_type("aws:iam/role:Role")
              if r.outputs["arn"] == slack["iamRoleArn"]]
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "chatbot.amazonaws.com"}
    policy = named(delivered_plan, "aws:iam/rolePolicy:RolePolicy",
                   "alerts-chatbot-read-cloudwatch")
    assert policy.inputs["role"] == role.id
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    assert all(action.startswith("cloudwatch:") for action in statement["Action"])
    assert not any(action.split(":")[1].startswith(("Put", "Set", "Delete"))
                   for action in statement["Action"])


def test_slack_needs_both_ids():
    for given in SLACK_IDS:
        registered = []
        with pytest.raises(ConfigError) as caught:
            run_preview("dev", overrides={given: SLACK_IDS[given]}, registrations=registered)
        missing = next(key for key in SLACK_IDS if key != given)
        assert f"webstack:{given} = {SLACK_IDS[given]!r} needs webstack:{missing} as well" in \
            str(caught.value)
        assert registered == []


@pytest.mark.parametrize("key, value, allowed", [
    ("alarmEmails", '["oncall"]', "e-mail addresses"),
    ("alarmEmails", '["oncall@example.com", "ONCALL@example.com"]', "distinct e-mail addresses"),
    ("alarmEmails", "oncall@example.com", "JSON list"),
    ("slackTeamId", "t07-ea", "a Slack workspace id"),
    ("slackChannelId", "#alarms", "a Slack channel id"),
])
def test_bad_delivery_settings_are_refused_naming_key_value_and_what_is_allowed(key, value,
                                                                               allowed):
    others = {k: v for k, v in SLACK_IDS.items() if k != key} if key in SLACK_IDS else {}
    with pytest.raises(ConfigError) as caught:
        run_preview("dev", overrides={key: value, **others})
    assert f"webstack:{key} = {value!r} is not valid; allowed: " in str(caught.value)
    assert allowed in str(caught.value)


def test_a_stack_in_us_east_1_has_a_single_alarm_topic_and_key():
    plan = run_preview("dev", overrides={"aws:region": "us-east-1"})
    assert len(plan.of_type("aws:sns/topic:Topic")) == 1
    aliases = [a.inputs["name"] for a in plan.of_type("aws:kms/alias:Alias")]
    assert len(aliases) == len(set(aliases))


@pytest.mark.parametrize("stack", STACKS)
def test_a_failed_backup_notifies_the_alert_topic(plan_of, stack):
    """Issue 9: a failed AWS Backup job notified nobody. The vault reports every job's end
    (its State says FAILED) and failed copies to the stack region's topic, whose policy and key
    let AWS Backup publish for this account only."""
    plan = plan_of(stack)
    topic = named(plan, "aws:sns/topic:Topic", "alerts-topic")
    notifications = plan.one("aws:backup/vaultNotifications:VaultNotifications").inputs
    assert notifications["snsTopicArn"] == topic.outputs["arn"]
    assert notifications["backupVaultName"] == plan.one("aws:backup/vault:Vault").outputs["name"]
    assert set(notifications["backupVaultEvents"]) == {"BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"}
    policy = json.loads(plan.one("aws:sns/topicPolicy:TopicPolicy").inputs["policy"])
    backup = {s["Sid"]: s for s in policy["Statement"]}["BackupNotificationsPublish"]
    assert (backup["Principal"], backup["Action"]) == ({"Service": "backup.amazonaws.com"},
                                                       "SNS:Publish")
    assert backup["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
