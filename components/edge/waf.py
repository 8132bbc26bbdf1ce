"""The WAFv2 web ACL in front of CloudFront: a per-IP rate limit and AWS's managed rule groups.

A CLOUDFRONT-scoped web ACL can only be created in us-east-1, so the caller hands in a provider
for that region.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

RATE_WINDOW_SECONDS = 300  # the seed's "2000 requests per IP per 5 minutes"
# Evaluated in this order after the rate limit: priority = position + 1.
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)


# Rules counted (logged in metrics), not blocking: the common set's 8 KB body limit would refuse
# the API's larger JSON and upload requests.
COUNTED_RULES = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}


# https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html: the
# destination's name must start with aws-waf-logs-; a CloudFront web ACL logs in us-east-1.
LOG_GROUP_PREFIX = "aws-waf-logs-"
# Credentials and sessions stay out of the logs (header names in lower case, as WAF matches them).
REDACTED_HEADERS = ("authorization", "cookie")
# Only the requests a rule blocked or counted: what tuning the rules needs, at a fraction of the
# volume of every request.
LOGGED_ACTIONS = ("BLOCK", "COUNT")


@dataclass(frozen=True)
class WafLoggingArgs:
    retention_days: int
    key_arn: pulumi.Input[str]  # a logs key in us-east-1, where the log group lives


@dataclass(frozen=True)
class WafArgs:
    name_prefix: str
    rate_limit: int  # requests per IP per 5 minutes
    us_east_1: aws.Provider
    logging: Optional[WafLoggingArgs] = None  # None: no request logs


class Waf(pulumi.ComponentResource):
    def __init__(self, name: str, args: WafArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:waf:Waf", name, None, opts)
        rules = [rate_limit_rule(args.rate_limit)] + [
            managed_rule(group, priority) for priority, group in enumerate(MANAGED_RULE_GROUPS, 1)]
        self.web_acl = aws.wafv2.WebAcl(
            f"{name}-web-acl", name=f"{args.name_prefix}-edge", scope="CLOUDFRONT",
            description=f"{args.name_prefix}: rate limit and AWS managed rules for CloudFront",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow={}),
            rules=rules, visibility_config=visibility(f"{args.name_prefix}-edge"),
            opts=pulumi.ResourceOptions(parent=self, provider=args.us_east_1))
        self.arn = self.web_acl.arn
        self.log_group_name = (self._log_requests(name, args) if args.logging
                               else pulumi.Output.from_input(""))
        self.register_outputs({"webAclArn": self.arn, "logGroupName": self.log_group_name})

    def _log_requests(self, name: str, args: WafArgs) -> pulumi.Output[str]:
        """Blocked and counted requests, to an encrypted log group kept as long as the others."""
        in_us_east_1 = pulumi.ResourceOptions(parent=self, provider=args.us_east_1)
        group = aws.cloudwatch.LogGroup(
            f"{name}-log-group", name=f"{LOG_GROUP_PREFIX}{args.name_prefix}",
            retention_in_days=args.logging.retention_days, kms_key_id=args.logging.key_arn,
            opts=in_us_east_1)
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging", resource_arn=self.web_acl.arn, log_destination_configs=[group.arn],
            redacted_fields=[aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(
                    name=header)) for header in REDACTED_HEADERS],
            logging_filter=aws.wafv2.WebAclLoggingConfigurationLoggingFilterArgs(
                default_behavior="DROP", filters=[
                    aws.wafv2.WebAclLoggingConfigurationLoggingFilterFilterArgs(
                        behavior="KEEP", requirement="MEETS_ANY", conditions=[
                            aws.wafv2.WebAclLoggingConfigurationLoggingFilterFilterConditionArgs(
                                action_condition=aws.wafv2.WebAclLoggingConfigurationLoggingFilterFilterConditionActionConditionArgs(
                                    action=action)) for action in LOGGED_ACTIONS])]),
            opts=in_us_east_1)
        return group.name


def visibility(metric_name: str) -> aws.wafv2.WebAclVisibilityConfigArgs:
    return aws.wafv2.WebAclVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True)


def rate_limit_rule(limit: int) -> aws.wafv2.WebAclRuleArgs:
    return aws.wafv2.WebAclRuleArgs(
        name="rate-limit-per-ip", priority=0,
        action=aws.wafv2.WebAclRuleActionArgs(block={}),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                limit=limit, aggregate_key_type="IP", evaluation_window_sec=RATE_WINDOW_SECONDS)),
        visibility_config=visibility("rate-limit-per-ip"))


def managed_rule(group: str, priority: int) -> aws.wafv2.WebAclRuleArgs:
    """An AWS managed rule group, its own actions (block) kept but for COUNTED_RULES."""
    return aws.wafv2.WebAclRuleArgs(
        name=group, priority=priority,
        override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none={}),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                vendor_name="AWS", name=group,
                rule_action_overrides=[
                    aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs(
                        name=rule, action_to_use=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs(
                            count={}))
                    for rule in COUNTED_RULES.get(group, ())] or None)),
        visibility_config=visibility(group))
