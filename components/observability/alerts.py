"""Where alarms go: an SNS topic in each region alarms fire in, e-mail and optional Slack delivery.

An alarm may only notify a topic in its own region, and CloudFront's alarms live in us-east-1, so
there are two topics: the stack's and one in us-east-1. Each is encrypted with its own rotated
customer-managed key: CloudWatch cannot publish to a topic under the AWS-managed aws/sns key,
whose policy no one can extend to the CloudWatch service.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.iam import account_administers_key, service_role
from config.settings import MonitoringSettings, SlackSettings

US_EAST_1 = "us-east-1"
# The Chatbot API answers only in us-east-2, us-west-2, eu-west-1 and ap-southeast-1; a channel
# configuration made in one of them receives topics from every region.
CHATBOT_API_REGION = "us-east-2"
# What people in the Slack channel may do through Chatbot, whatever its role allows: read only.
CHATBOT_GUARDRAIL_POLICY = "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"


@dataclass(frozen=True)
class AlertsArgs:
    name_prefix: str
    region: str
    settings: MonitoringSettings
    us_east_1: aws.Provider


class Alerts(pulumi.ComponentResource):
    def __init__(self, name: str, args: AlertsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:monitoring:Alerts", name, None, opts)
        self._args = args
        self._account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        self.topic = self._topic(name, args.region, pulumi.ResourceOptions(parent=self),
                                 publishers=STACK_REGION_PUBLISHERS)
        # A stack in us-east-1 has one topic: a second of the same name would be the same topic.
        self.us_east_1_topic = self.topic if args.region == US_EAST_1 else self._topic(
            f"{name}-{US_EAST_1}", US_EAST_1,
            pulumi.ResourceOptions(parent=self, provider=args.us_east_1),
            publishers=CLOUDWATCH_AND_BUDGETS)
        self.topics = ([self.topic] if self.us_east_1_topic is self.topic
                       else [self.topic, self.us_east_1_topic])
        if args.settings.slack:
            self._slack(name, args.settings.slack)

        self.topic_arn = self.topic.arn
        self.us_east_1_topic_arn = self.us_east_1_topic.arn
        self.register_outputs({"topicArn": self.topic_arn,
                               "usEast1TopicArn": self.us_east_1_topic_arn})

    def _topic(self, name: str, region: str, opts: pulumi.ResourceOptions,
               publishers: dict[str, str]) -> aws.sns.Topic:
        topic_name = f"{self._args.name_prefix}-alarms"
        topic_arn = pulumi.Output.concat("arn:aws:sns:", region, ":", self._account_id, ":",
                                         topic_name)
        key = aws.kms.Key(
            f"{name}-key", description=f"{self._args.name_prefix} alarm notifications ({region})",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=key_policy(self._account_id, topic_arn, publishers), opts=opts)
        aws.kms.Alias(f"{name}-key-alias", name=f"alias/{topic_name}",
                      target_key_id=key.key_id, opts=opts)
        topic = aws.sns.Topic(f"{name}-topic", name=topic_name,
                              display_name=f"{self._args.name_prefix} alarms",
                              kms_master_key_id=key.arn, opts=opts)
        if publishers is STACK_REGION_PUBLISHERS:
            self.topic_policy = aws.sns.TopicPolicy(
                f"{name}-topic-policy", arn=topic.arn,
                policy=topic_policy(self._account_id, topic.arn), opts=opts)
        for address in self._args.settings.alarm_emails:
            # Named by the address, so removing one address leaves the others' subscriptions alone.
            aws.sns.TopicSubscription(f"{name}-email-{address}", topic=topic.arn, protocol="email",
                                      endpoint=address, opts=opts)
        return topic

    def _slack(self, name: str, slack: SlackSettings) -> None:
        """Chatbot posts both topics' messages in the channel; its role only reads CloudWatch."""
        child = pulumi.ResourceOptions(parent=self)
        role = service_role(f"{name}-chatbot-role", "chatbot.amazonaws.com", self)
        aws.iam.RolePolicy(f"{name}-chatbot-read-cloudwatch", role=role.id, policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "ReadAlarmsAndMetrics", "Effect": "Allow", "Resource": "*",
                           "Action": ["cloudwatch:Describe*", "cloudwatch:Get*",
                                      "cloudwatch:List*"]}]}), opts=child)
        aws.chatbot.SlackChannelConfiguration(
            f"{name}-slack", configuration_name=f"{self._args.name_prefix}-alarms",
            region=CHATBOT_API_REGION, iam_role_arn=role.arn,
            slack_team_id=slack.team_id, slack_channel_id=slack.channel_id,
            sns_topic_arns=[topic.arn for topic in self.topics],
            guardrail_policy_arns=[CHATBOT_GUARDRAIL_POLICY], logging_level="ERROR", opts=child)


# The services that publish to the alert topics, each needing the topic's key (SNS: "Enable
# compatibility between event sources from AWS services and encrypted topics"): CloudWatch alarms,
# AWS Budgets (components/observability/budget.py) and, in the stack's region, AWS Backup's vault
# notifications (Pulumi registry, aws.backup.VaultNotifications example: the topic policy must
# let backup.amazonaws.com publish).
CLOUDWATCH_AND_BUDGETS = {"CloudWatchAlarmsPublish": "cloudwatch.amazonaws.com",
                          "BudgetsPublish": "budgets.amazonaws.com"}
STACK_REGION_PUBLISHERS = {**CLOUDWATCH_AND_BUDGETS,
                           "BackupNotificationsPublish": "backup.amazonaws.com"}


def key_policy(account_id: pulumi.Input[str], topic_arn: pulumi.Input[str],
               publishers: dict[str, str]) -> pulumi.Output[str]:
    """The account administers the key; the publishers may use it for this account's topic only."""
    return pulumi.Output.json_dumps({
        "Version": "2012-10-17",
        "Statement": [
            account_administers_key(account_id),
            *({"Sid": sid, "Effect": "Allow", "Principal": {"Service": service},
               "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
               "Condition": {"StringEquals": {
                   "aws:SourceAccount": account_id,
                   "kms:EncryptionContext:aws:sns:topicArn": topic_arn}}}
              for sid, service in publishers.items()),
        ],
    })


def topic_policy(account_id: pulumi.Input[str], topic_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """The stack region's topic policy, the only one the topic has: the account manages it;
    CloudWatch alarms, this account's budgets and AWS Backup publish to it. It replaces SNS's
    default policy, so it restates the account's rights."""
    return pulumi.Output.json_dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AccountManages", "Effect": "Allow",
             "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account_id, ":root")},
             "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                        "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                        "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
             "Resource": topic_arn},
            {"Sid": "CloudWatchAlarmsPublish", "Effect": "Allow",
             "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "SNS:Publish",
             "Resource": topic_arn, "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}},
            # https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html
            {"Sid": "BudgetsPublish", "Effect": "Allow",
             "Principal": {"Service": "budgets.amazonaws.com"}, "Action": "SNS:Publish",
             "Resource": topic_arn,
             "Condition": {"StringEquals": {"aws:SourceAccount": account_id},
                           "ArnLike": {"aws:SourceArn": pulumi.Output.concat(
                               "arn:aws:budgets::", account_id, ":*")}}},
            {"Sid": "BackupNotificationsPublish", "Effect": "Allow",
             "Principal": {"Service": "backup.amazonaws.com"}, "Action": "SNS:Publish",
             "Resource": topic_arn, "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}},
        ],
    })
