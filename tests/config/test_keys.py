"""The config model: each class of bad value is refused with a message naming key, value, rule."""
import subprocess
import sys

import pytest

from config.keys import SETTINGS, ConfigError, parse_settings
from config.settings import ServerSettings
from preview.engine import REPO_ROOT, run_preview

VALID = {"tier": "mvp"}


def problems_for(**raw) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings({**VALID, **raw}, stack="dev", region="ap-northeast-2")
    return str(caught.value)


def test_defaults_build_a_complete_mvp_settings_object():
    settings = parse_settings(VALID, stack="dev", region="ap-northeast-2")
    assert settings.tier == "mvp"
    assert settings.name_prefix == "webstack-dev"
    assert settings.database.instance_class == "db.t3.micro"
    assert settings.database.backup_retention_days == 7
    assert settings.server.admin_cidrs == ()
    assert settings.protect_data is True


@pytest.mark.parametrize("key, value, allowed", [
    ("tier", "huge", "one of mvp, scaled"),
    ("vpcCidr", "10.0.0.300/16", "CIDR form"),
    ("vpcCidr", "10.0.0.1/16", "CIDR form"),  # host bits set
    ("vpcCidr", "10.0.0.0/8", "/16 to /22"),
    ("dbInstanceClass", "db.x9.large", "family of t3"),
    ("dbInstanceClass", "t3.micro", "'db.<family>.<size>'"),
    ("cacheNodeType", "cache.z1.large", "family of t3"),
    ("serverInstanceType", "q5.large", "family of t3"),
    ("dbBackupRetentionDays", "-1", "from 7 to 35"),
    ("dbBackupRetentionDays", "3", "from 7 to 35"),
    ("cacheSnapshotRetentionDays", "-2", "from 0 to 35"),
    ("logRetentionDays", "-30", "one of 1, 3, 5"),
    ("logRetentionDays", "10", "one of 1, 3, 5"),
    ("appPort", "70000", "from 1 to 65535"),
    ("appPort", "0", "from 1 to 65535"),
    ("azCount", "1", "from 2 to 6"),
    ("azCount", "two", "an integer"),
    ("dbMultiAz", "yes", "true or false"),
    ("adminCidrs", "203.0.113.7/32", "JSON list"),
    ("adminCidrs", '["0.0.0.0/0"]', "narrower than the whole internet"),
    ("adminCidrs", '["2001:db8::/32"]', "IPv4"),
    ("dbUsername", "postgres", "PostgreSQL's and RDS's own"),
    ("dbName", "1app", "a letter followed by"),
    ("appImage", "not an image", "an image reference"),
    ("natGateways", "0", "from 1 to 6"),
    ("taskCpu", "300", "one of 256, 512, 1024"),
    ("scalingCpuTarget", "100", "from 10 to 95"),
    ("dbReadReplicas", "6", "from 0 to 5"),
    ("domain", "Example.COM", "a DNS name"),
    ("domain", "https://example.com", "a DNS name"),
    ("hostedZoneId", "example.com", "a Route 53 zone id"),
    ("wafRateLimit", "5", "from 10 to 2000000000"),
    ("backupRetentionDays", "0", "from 1 to 3650"),
    ("drRegion", "Tokyo", "a commercial AWS region"),
    ("drRegion", "ap-northeast-2", "a region other than the stack's aws:region"),
])
def test_each_bad_value_names_its_key_value_and_what_is_allowed(key, value, allowed):
    message = problems_for(**{key: value})
    assert f"webstack:{key} = {value!r}" in message
    assert allowed in message


def test_the_scaled_settings_default_to_a_small_platform_without_a_domain():
    settings = parse_settings({"tier": "scaled"}, stack="staging", region="ap-northeast-2")
    assert (settings.service.cpu, settings.service.memory) == (512, 1024)
    assert (settings.service.min_tasks, settings.service.desired_tasks,
            settings.service.max_tasks) == (1, 1, 2)
    assert settings.network.nat_gateways == 1
    assert settings.edge.domain is None
    assert settings.edge.waf_rate_limit == 2000


def test_a_domain_names_its_api_origin():
    settings = parse_settings({"tier": "scaled", "domain": "shop.example.com",
                               "hostedZoneId": "Z0123456789ABC"},
                              stack="prod", region="ap-northeast-2")
    assert settings.edge.domain.api_origin == "origin.shop.example.com"


@pytest.mark.parametrize("raw, given, missing", [
    ({"domain": "example.com"}, "domain = 'example.com'", "hostedZoneId"),
    ({"hostedZoneId": "Z0123456789ABC"}, "hostedZoneId = 'Z0123456789ABC'", "domain"),
])
def test_a_domain_without_its_zone_or_a_zone_without_a_domain_is_refused(raw, given, missing):
    message = problems_for(**raw)
    assert f"webstack:{given} needs webstack:{missing} as well" in message


def test_a_missing_required_key_is_named():
    with pytest.raises(ConfigError) as caught:
        parse_settings({}, stack="dev", region="ap-northeast-2")
    assert "webstack:tier is required but not set" in str(caught.value)
    assert "mvp or scaled" in str(caught.value)


def test_a_missing_region_is_named():
    with pytest.raises(ConfigError, match="aws:region is required"):
        parse_settings(VALID, stack="dev", region=None)


def test_storage_ceiling_below_the_allocated_storage_is_refused():
    message = problems_for(dbAllocatedStorage="100", dbMaxAllocatedStorage="50")
    assert "webstack:dbMaxAllocatedStorage = 50" in message
    assert "webstack:dbAllocatedStorage = 100" in message
    assert "≥ 110" in message


def test_storage_autoscaling_may_be_off():
    settings = parse_settings({**VALID, "dbMaxAllocatedStorage": "0"}, stack="dev",
                              region="ap-northeast-2")
    assert settings.database.max_allocated_storage == 0


def test_every_problem_is_reported_at_once():
    message = problems_for(tier="x", appPort="-1", vpcCidr="nope")
    assert message.count("\n  - ") == 3


@pytest.mark.parametrize("instance_type, architecture", [
    ("t3.micro", "x86_64"), ("t4g.small", "arm64"), ("m7gd.large", "arm64"),
    ("c6i.xlarge", "x86_64"), ("m6a.large", "x86_64"),
])
def test_graviton_instance_types_run_on_arm64(instance_type, architecture):
    server = ServerSettings(instance_type, 20, ())
    assert server.architecture == architecture


def test_bad_config_registers_nothing_in_the_cloud():
    registered = []
    with pytest.raises(ConfigError, match="webstack:dbInstanceClass = 'db.x9.large'"):
        run_preview("dev", overrides={"dbInstanceClass": "db.x9.large"}, registrations=registered)
    assert registered == []


def test_zone_count_beyond_the_region_is_refused_before_any_aws_resource():
    registered = []
    with pytest.raises(ConfigError) as caught:
        run_preview("dev", overrides={"azCount": "5"}, registrations=registered)
    assert "webstack:azCount = 5" in str(caught.value)
    assert "ap-northeast-2a, ap-northeast-2b, ap-northeast-2c, ap-northeast-2d" in str(caught.value)
    # config/regions.py knows the region's zones: refused before even the provider.
    assert registered == []


def test_the_cli_prints_the_message_without_a_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "preview", "dev", "--set", "appPort=70000"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "webstack:appPort = '70000' is not valid; allowed: an integer from 1 to 65535" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_every_setting_has_a_description_and_a_type_pulumi_knows():
    for setting in SETTINGS:
        assert setting.description.strip(), setting.key
        assert setting.type in ("string", "integer", "boolean", "array", "object"), setting.key
