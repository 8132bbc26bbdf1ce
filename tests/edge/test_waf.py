"""The WAF in front of CloudFront: a per-IP rate limit and AWS's managed rule groups, in us-east-1."""
import pytest

from preview.engine import run_preview

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
SCALED = ["staging", "prod"]
MANAGED_GROUPS = {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet",
                  "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"}


@pytest.fixture(scope="module")
def lower_limit_plan():
    return run_preview("staging", overrides={"wafRateLimit": "500"})


def rules_by_name(plan) -> dict:
    return {rule["name"]: rule for rule in plan.one(WEB_ACL).inputs["rules"]}


@pytest.mark.parametrize("stack", SCALED)
def test_the_web_acl_is_cloudfront_scoped_and_made_in_us_east_1(plan_of, stack):
    # AWS accepts a CLOUDFRONT-scoped web ACL only through the us-east-1 endpoint.
    plan = plan_of(stack)
    acl = plan.one(WEB_ACL)
    assert acl.inputs["scope"] == "CLOUDFRONT"
    assert plan.by_urn(acl.provider_urn).inputs["region"] == "us-east-1"


@pytest.mark.parametrize("stack", SCALED)
def test_requests_are_allowed_unless_a_rule_blocks_them(plan_of, stack):
    assert plan_of(stack).one(WEB_ACL).inputs["defaultAction"] == {"allow": {}}


@pytest.mark.parametrize("stack", SCALED)
def test_one_ip_is_blocked_beyond_2000_requests_in_5_minutes(plan_of, stack):
    rule = rules_by_name(plan_of(stack))["rate-limit-per-ip"]
    assert rule["action"] == {"block": {}}
    assert rule["statement"]["rateBasedStatement"] == {
        "limit": 2000, "aggregateKeyType": "IP", "evaluationWindowSec": 300}


def test_the_rate_limit_follows_config(lower_limit_plan):
    statement = rules_by_name(lower_limit_plan)["rate-limit-per-ip"]["statement"]
    assert statement["rateBasedStatement"]["limit"] == 500


@pytest.mark.parametrize("stack", SCALED)
def test_the_rate_limit_is_evaluated_first(plan_of, stack):
    rules = plan_of(stack).one(WEB_ACL).inputs["rules"]
    first = min(rules, key=lambda rule: rule["priority"])
    assert first["name"] == "rate-limit-per-ip"


@pytest.mark.parametrize("stack", SCALED)
def test_the_four_aws_managed_groups_apply_with_their_own_block_actions(plan_of, stack):
    rules = rules_by_name(plan_of(stack))
    managed = {name: rule for name, rule in rules.items() if "managedRuleGroupStatement" in rule["statement"]}
    assert set(managed) == MANAGED_GROUPS
    for name, rule in managed.items():
        statement = rule["statement"]["managedRuleGroupStatement"]
        assert (statement["vendorName"], statement["name"]) == ("AWS", name)
        # "count" here would turn a group into monitoring only.
        assert rule["overrideAction"] == {"none": {}}
        counted = [o["name"] for o in statement.get("ruleActionOverrides", [])
                   if o["actionToUse"] == {"count": {}}]
        assert counted == (["SizeRestrictions_BODY"] if name == "AWSManagedRulesCommonRuleSet"
                           else []), name
        assert len(statement.get("ruleActionOverrides", [])) == len(counted)


@pytest.mark.parametrize("stack", SCALED)
def test_rule_priorities_are_unique(plan_of, stack):
    priorities = [rule["priority"] for rule in plan_of(stack).one(WEB_ACL).inputs["rules"]]
    assert len(priorities) == len(set(priorities)) == 5


@pytest.mark.parametrize("stack", SCALED)
def test_metrics_and_sampled_requests_are_on_for_the_acl_and_every_rule(plan_of, stack):
    acl = plan_of(stack).one(WEB_ACL).inputs
    configs = [acl["visibilityConfig"]] + [rule["visibilityConfig"] for rule in acl["rules"]]
    assert all(c["cloudwatchMetricsEnabled"] and c["sampledRequestsEnabled"] for c in configs)
    assert len({c["metricName"] for c in configs}) == len(configs)


@pytest.mark.parametrize("stack", SCALED)
def test_cloudfront_is_protected_by_it(plan_of, stack):
    plan = plan_of(stack)
    arn = plan.one(WEB_ACL).outputs["arn"]
    assert plan.one("aws:cloudfront/distribution:Distribution").inputs["webAclId"] == arn
    assert plan.outputs["webAclArn"] == arn


def test_the_mvp_has_no_waf(dev_plan):
    assert not dev_plan.of_type(WEB_ACL)


LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def waf_log_group(plan):
    [group] = [g for g in plan.of_type(LOG_GROUP) if g.name == "waf-log-group"]
    return group


@pytest.mark.parametrize("stack", SCALED)
def test_blocked_and_counted_requests_are_logged_in_us_east_1_encrypted_there(plan_of, stack):
    plan = plan_of(stack)
    logging, group = plan.one(LOGGING), waf_log_group(plan)
    assert logging.inputs["resourceArn"] == plan.one(WEB_ACL).outputs["arn"]
    assert logging.inputs["logDestinationConfigs"] == [group.outputs["arn"]]
    assert group.inputs["name"] == f"aws-waf-logs-webstack-{stack}"
    key = next(k for k in plan.of_type("aws:kms/key:Key") if k.outputs["arn"] == group.inputs["kmsKeyId"])
    for resource in (logging, group, key):
        assert plan.by_urn(resource.provider_urn).inputs["region"] == "us-east-1"
    assert '"logs.us-east-1.amazonaws.com"' in key.inputs["policy"]
    assert group.inputs["retentionInDays"] == {"staging": 30, "prod": 90}[stack]


def test_only_blocked_or_counted_requests_are_kept_and_credentials_are_redacted(plan_of):
    inputs = plan_of("prod").one(LOGGING).inputs
    assert inputs["loggingFilter"] == {
        "defaultBehavior": "DROP",
        "filters": [{"behavior": "KEEP", "requirement": "MEETS_ANY", "conditions": [
            {"actionCondition": {"action": "BLOCK"}}, {"actionCondition": {"action": "COUNT"}}]}]}
    assert inputs["redactedFields"] == [{"singleHeader": {"name": "authorization"}},
                                        {"singleHeader": {"name": "cookie"}}]
