"""Values AWS would refuse at `pulumi up` are refused here first, one problem per bad value, naming
the key, the value and what is allowed; the values next to them that AWS takes still pass."""
import pytest

from config.keys import ConfigError, parse_settings

REGION = "ap-northeast-2"


def settings(region: str = REGION, **raw):
    return parse_settings({"tier": "mvp", **raw}, stack="dev", region=region)


def problems(region: str = REGION, **raw) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        settings(region, **raw)
    return caught.value.problems


# key, a value AWS (or the service behind the key) refuses, words of what the message allows
REFUSED = [
    # instance classes and node types: real catalogs, not a pattern
    ("dbInstanceClass", "db.t3.nano", "db.t3.micro, db.t3.small"),
    ("dbInstanceClass", "db.r5.micro", "db.r5.large"),
    ("dbInstanceClass", "db.m5.metal", "db.m5.24xlarge"),
    ("dbInstanceClass", "db.x9.large", "a family of t3"),
    ("cacheNodeType", "cache.t3.nano", "cache.t3.micro, cache.t3.small, cache.t3.medium"),
    ("cacheNodeType", "cache.t3.large", "cache.t3.medium"),
    ("cacheNodeType", "cache.m5.8xlarge", "cache.m5.12xlarge"),
    ("serverInstanceType", "t3.metal", "t3.2xlarge"),
    ("serverInstanceType", "m5.nano", "m5.large"),
    ("serverInstanceType", "c7g.small", "c7g.medium"),
    # engine versions offered for new instances
    ("dbEngineVersion", "12", "from 13 to 17"),
    ("dbEngineVersion", "9.6", "from 13 to 17"),
    ("dbEngineVersion", "16.x", "major.minor"),
    ("cacheEngineVersion", "5.0.6", "6.0, 6.2, 6.x, 7.0, 7.1"),
    ("cacheEngineVersion", "4.0.10", "6.0 or later"),
    ("cacheEngineVersion", "7", "7.0, 7.1"),
    # the VPC in a private range
    ("vpcCidr", "224.0.0.0/16", "inside a private range"),  # multicast
    ("vpcCidr", "127.0.0.0/16", "inside a private range"),  # loopback
    ("vpcCidr", "8.8.0.0/16", "inside a private range"),  # someone else's
    ("vpcCidr", "169.254.0.0/16", "inside a private range"),  # link-local
    # duplicates in list keys
    ("adminCidrs", '["203.0.113.7/32", "203.0.113.7/32"]', "distinct IPv4 CIDRs"),
    ("alarmEmails", '["ops@example.com", "ops@example.com"]', "distinct e-mail addresses"),
    # reserved PostgreSQL and RDS names
    ("dbUsername", "rds_superuser", "PostgreSQL's and RDS's own"),
    ("dbUsername", "pg_admin", "not starting with pg_"),
    ("dbUsername", "rdsadmin", "PostgreSQL's and RDS's own"),
    ("dbUsername", "a_master_user_name_too_long", "up to 15 letters"),
    ("dbName", "template0", "PostgreSQL's and RDS's own"),
    ("dbName", "template1", "PostgreSQL's and RDS's own"),
    ("dbName", "pg_app", "not starting with pg_"),
    # image references against the distribution reference grammar
    ("appImage", "nginx:", "an image reference"),
    ("appImage", "nginx@sha256:bad", "an image reference"),
    ("appImage", "nginx@sha256:" + "a" * 63, "@sha256:<64 hex>"),
    ("appImage", "Nginx:stable", "lower-case path"),
    ("appImage", "nginx:-stable", "an image reference"),
    ("appImage", "registry.example.com//app", "an image reference"),
    # e-mail addresses SNS would not deliver to, Slack ids of the wrong form
    ("alarmEmails", '["on call@example.com"]', "e-mail addresses"),
    ("alarmEmails", '["ops@example"]', "e-mail addresses"),
    ("alarmEmails", '["ops@exa mple.com"]', "e-mail addresses"),
    ("alarmEmails", '["élise@example.com"]', "ASCII"),
    ("alarmEmails", '["a..b@example.com"]', "e-mail addresses"),
    ("slackChannelId", "alarms", "not its #name"),
    ("slackChannelId", "#alarms", "not its #name"),
    ("slackChannelId", "c07ez1abc23", "C07EZ1ABC23"),
    ("slackTeamId", "C07EZ1ABC23", "the T… id"),
    ("slackTeamId", "t07ea123lep", "the T… id"),
    ("slackTeamId", "T07", "the T… id"),
    # alarm thresholds
    ("alarmThresholds", '{"rdsConnections": Infinity}', "not rdsConnections: inf"),
    ("alarmThresholds", '{"rdsConnections": NaN}', "not rdsConnections: nan"),
    ("alarmThresholds", '{"rdsConnections": 0}', "not rdsConnections: 0"),
    ("alarmThresholds", '{"ec2StatusCheckFailed": 0}', "not ec2StatusCheckFailed: 0"),
    ("alarmThresholds", '{"rdsCpuPercent": 0}', "not rdsCpuPercent: 0"),
    ("alarmThresholds", '{"rdsCpuPercent": 100.5}', "not rdsCpuPercent: 100.5"),
    ("alarmThresholds", '{"rdsConnections": 100, "rdsConnections": 200}', "given twice"),
    # regions
    ("drRegion", "AP-NORTHEAST-1", "did you mean ap-northeast-1?"),
    ("drRegion", "ap-northeast-9", "a commercial AWS region"),
    ("drRegion", "us-gov-west-1", "a commercial AWS region"),
    ("drRegion", REGION, "a region other than the stack's aws:region"),
    # integers are ASCII digits, not whatever int() takes
    ("appPort", "8_080", "an integer"),
    ("appPort", "٨٠", "an integer"),
]


@pytest.mark.parametrize("key, value, allowed", REFUSED)
def test_a_value_aws_refuses_is_one_problem_naming_key_value_and_what_is_allowed(key, value,
                                                                                 allowed):
    [problem] = problems(**{key: value})
    assert problem.startswith(f"webstack:{key} = {value!r} is not valid; allowed: ")
    assert allowed in problem


# the neighbours of the refused values, which AWS takes
ACCEPTED = [
    ("dbInstanceClass", "db.t3.micro"), ("dbInstanceClass", "db.r5.large"),
    ("dbInstanceClass", "db.m6i.32xlarge"), ("dbInstanceClass", "db.t4g.2xlarge"),
    ("cacheNodeType", "cache.t3.medium"), ("cacheNodeType", "cache.m5.12xlarge"),
    ("cacheNodeType", "cache.r7g.16xlarge"), ("serverInstanceType", "t3.nano"),
    ("serverInstanceType", "m5.metal"), ("serverInstanceType", "m7i.metal-24xl"),
    ("dbEngineVersion", "13"), ("dbEngineVersion", "17"), ("dbEngineVersion", "16.4"),
    ("cacheEngineVersion", "6.x"), ("cacheEngineVersion", "7.1"),
    ("vpcCidr", "172.16.0.0/16"), ("vpcCidr", "192.168.0.0/20"), ("vpcCidr", "100.64.0.0/16"),
    ("adminCidrs", '["203.0.113.7/32", "198.51.100.0/24"]'),
    ("dbUsername", "app_admin"), ("dbUsername", "a" * 16), ("dbName", "shop_db"),
    ("appImage", "nginx"), ("appImage", "localhost:5000/team/app:v1.2.3"),
    ("appImage", "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/app@sha256:" + "a" * 64),
    ("appImage", "ghcr.io/org/my-app__x.y:Release_1"),
    ("alarmEmails", '["ops+alarms@example.co.kr", "o\'neil@example.com"]'),
    ("alarmThresholds", '{"redisEvictions": 0, "rdsCpuPercent": 100, "rdsConnections": 0.5}'),
    ("drRegion", "ap-northeast-1"), ("azCount", "4"),
]


@pytest.mark.parametrize("key, value", ACCEPTED)
def test_a_value_aws_takes_is_accepted(key, value):
    settings(**{key: value})


def test_slack_ids_of_the_right_form_are_accepted():
    slack = settings(slackTeamId="T07EA123LEP", slackChannelId="G07EZ1ABC23").monitoring.slack
    assert (slack.team_id, slack.channel_id) == ("T07EA123LEP", "G07EZ1ABC23")


@pytest.mark.parametrize("region, allowed", [
    ("AP-NORTHEAST-2", "did you mean ap-northeast-2?"),
    ("ap-northeast-9", "a commercial AWS region"),
    ("Seoul", "a commercial AWS region"),
    ("", "a commercial AWS region"),
])
def test_aws_region_is_a_known_region_in_its_own_case(region, allowed):
    [problem] = problems(region=region)
    assert problem.startswith(f"aws:region = {region!r} is not valid; allowed: ") and allowed in problem


def test_az_count_is_checked_against_the_stack_regions_zones():
    assert settings(region="us-east-1", azCount="6").network.az_count == 6
    [problem] = problems(region="us-west-1", azCount="3")
    assert "at most 2, the availability zones of us-west-1 (us-west-1a, us-west-1b)" in problem


@pytest.mark.parametrize("tier, foreign, applicable", [
    ("mvp", "ecsCpuPercent", "ec2StatusCheckFailed, ec2CpuPercent, rdsCpuPercent"),
    ("scaled", "ec2CpuPercent", "alb5xxCount, alb5xxRatePercent, targetResponseTimeP95Ms"),
])
def test_a_threshold_for_an_alarm_the_tier_lacks_is_refused_naming_those_that_apply(
        tier, foreign, applicable):
    [problem] = problems(tier=tier, alarmThresholds=f'{{"{foreign}": 50}}')
    assert problem.startswith(f"webstack:alarmThresholds sets {foreign}, which the {tier} tier "
                              "has no alarm for; allowed with webstack:tier = ")
    assert applicable in problem


def test_a_cross_key_rule_is_not_reported_when_one_of_its_keys_is_itself_refused():
    # slackChannelId is given but malformed: "slackTeamId needs slackChannelId" would mislead.
    [problem] = problems(slackTeamId="T07EA123LEP", slackChannelId="#alarms")
    assert problem.startswith("webstack:slackChannelId = '#alarms' is not valid")


def test_a_list_key_s_example_matches_the_key():
    [emails] = problems(alarmEmails="oncall@example.com")
    [cidrs] = problems(adminCidrs="203.0.113.7/32")
    assert 'e.g. ["oncall@example.com"]' in emails and "203.0.113" not in emails
    assert 'e.g. ["203.0.113.7/32"]' in cidrs
