"""Generated wrong values for every declared key: each is refused in one problem naming its key,
and through the whole program before a single resource is registered."""
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from config.catalogs import EC2_INSTANCE_TYPES, ELASTICACHE_NODE_TYPES, RDS_POSTGRES_CLASSES
from config.keys import SETTINGS, ConfigError, parse_settings
from config.rules import FARGATE_MEMORY, LOG_RETENTION_DAYS
from preview.engine import run_preview
from tests.support import refused_before_any_resource

words = st.text(alphabet="abcxyz-_ #", min_size=1, max_size=8).filter(lambda s: s.strip())


def outside(low: int, high: int):
    return st.one_of(st.integers(low - 1000, low - 1), st.integers(high + 1, high + 1000), words)


def unsold(prefix: str, catalog: dict):
    """A family we know with a size AWS does not sell in it, or a family that does not exist."""
    sizes = ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "9xlarge",
             "24xlarge", "metal")
    wrong_size = st.sampled_from(sorted(f"{prefix}{f}.{s}" for f in catalog for s in sizes
                                        if s not in catalog[f]))
    return st.one_of(wrong_size, st.builds(lambda s: f"{prefix}q9.{s}", st.sampled_from(sizes)),
                     words)


def json_list(items):
    return items.map(json.dumps)


bad_email = st.sampled_from(["a b@example.com", "ops@example", "@example.com", "ops@",
                             "a..b@example.com", "ops@-example.com", "ops@exa_mple.com"])
WRONG = {
    "tier": words,
    "vpcCidr": st.one_of(st.builds("{}.0.0.0/16".format, st.sampled_from([1, 8, 11, 99, 127, 224,
                                                                         240])),
                         st.builds("10.0.0.0/{}".format, st.sampled_from([8, 12, 15, 23, 28])),
                         words),
    "azCount": st.one_of(st.integers(-10, 1), st.integers(5, 100), words),  # Seoul has 4 zones
    "serverInstanceType": unsold("", EC2_INSTANCE_TYPES),
    "serverRootVolumeGb": outside(8, 16384),
    "adminCidrs": st.one_of(words, st.just('["0.0.0.0/0"]'), st.just("[1, 2]"),
                            st.just('["203.0.113.7/32", "203.0.113.7/32"]')),
    "appImage": st.sampled_from(["nginx:", "nginx@sha256:bad", "Nginx", "nginx:-x", "a//b",
                                 "nginx@sha256:" + "0" * 63, "nginx stable", "-nginx"]),
    "appPort": outside(1, 65535),
    "dbInstanceClass": unsold("db.", RDS_POSTGRES_CLASSES),
    "dbEngineVersion": st.one_of(st.integers(1, 12).map(str), st.integers(18, 99).map(str),
                                 st.just("16.x"), words),
    "dbAllocatedStorage": outside(20, 65536),
    "dbMaxAllocatedStorage": st.one_of(st.integers(-100, -1), st.integers(1, 21),
                                       st.integers(65537, 10**6)),
    "dbBackupRetentionDays": outside(7, 35),
    "dbName": st.sampled_from(["template0", "template1", "rdsadmin", "pg_app", "1app", "a-b"]),
    "dbUsername": st.sampled_from(["rds_superuser", "postgres", "pg_x", "rdsadmin", "9lives",
                                   "x" * 17]),
    "dbMultiAz": words.filter(lambda s: s.strip().lower() not in ("true", "false")),
    "cacheNodeType": unsold("cache.", ELASTICACHE_NODE_TYPES),
    "cacheEngineVersion": st.sampled_from(["5.0.6", "4.0.10", "3.2.10", "7", "7.2", "6", "redis"]),
    "cacheNodes": outside(1, 6),
    "cacheSnapshotRetentionDays": outside(0, 35),
    "cdnPriceClass": words,
    "logRetentionDays": st.integers(-10, 4000).filter(lambda d: d not in LOG_RETENTION_DAYS),
    "alarmEmails": st.one_of(json_list(st.lists(bad_email, min_size=1, max_size=2)),
                             st.just('["ops@example.com", "OPS@example.com"]'), words),
    "slackTeamId": st.sampled_from(["t07ea123lep", "C07EZ1ABC23", "T07", "T07-EA123", "workspace"]),
    "slackChannelId": st.sampled_from(["#alarms", "alarms", "c07ez1abc23", "D07EZ1ABC23", "C07"]),
    "alarmThresholds": st.one_of(
        st.sampled_from(['{"rdsConnections": NaN}', '{"rdsConnections": Infinity}',
                         '{"rdsConnections": -Infinity}', '{"ecsCpuPercent": 50}',
                         '{"rdsConnections": 1, "rdsConnections": 2}', "[150]", "x"]),
        st.builds(lambda name, n: json.dumps({name: n}),
                  st.sampled_from(["rdsCpuPercent", "redisMemoryPercent", "ec2CpuPercent"]),
                  st.one_of(st.just(0), st.floats(100.001, 1e6), st.floats(-1e6, -0.001)))),
    "natGateways": outside(1, 6),
    "taskCpu": st.integers(-10, 20000).filter(lambda c: c not in FARGATE_MEMORY),
    "taskMemory": st.one_of(st.integers(-100, 511), st.integers(4097, 10**6)),  # 512 CPU: 1-4 GiB
    "minTasks": outside(1, 1000),
    "desiredTasks": outside(1, 1000),
    "maxTasks": outside(1, 1000),
    "scalingCpuTarget": outside(10, 95),
    "dbReadReplicas": outside(0, 5),
    "domain": st.sampled_from(["Example.COM", "https://example.com", "example", "-x.example.com"]),
    "hostedZoneId": st.sampled_from(["example.com", "z0123", "ZABC", "Z 123"]),
    "wafRateLimit": st.one_of(st.integers(-100, 9), words),
    "backupRetentionDays": outside(1, 3650),
    "drRegion": st.sampled_from(["ap-northeast-2", "AP-NORTHEAST-1", "tokyo", "us-gov-west-1",
                                 "eu-west-9", "cn-north-1"]),
    "deploymentStrategy": st.one_of(words, st.sampled_from(["canary", "linear", "blue_green"])),
    "canaryPercent": st.one_of(st.floats(-100, 0.099).map(str), st.floats(100.01, 1e4).map(str),
                               st.sampled_from(["nan", "inf", "five"])),
    "canaryBakeMinutes": outside(0, 1440),
    "linearStepPercent": st.one_of(st.floats(-100, 2.99).map(str), st.floats(100.01, 1e4).map(str),
                                   st.sampled_from(["nan", "-inf"])),
    "linearBakeMinutes": outside(0, 1440),
    "rolloutBakeMinutes": outside(0, 1440),
    "lambdaMemoryMb": outside(128, 10240),
    "lambdaTimeoutSeconds": outside(1, 900),
    "lambdaRuntime": st.one_of(words, st.sampled_from(["nodejs20.x", "python3.9", "go1.x"])),
    "lambdaHandler": st.sampled_from(["index handler", "x" * 129, " "]),
    "lambdaDeploymentConfig": st.one_of(words, st.sampled_from([
        "CodeDeployDefault.AllAtOnce", "CodeDeployDefault.ECSCanary10Percent5Minutes",
        "LambdaCanary10Percent30Minutes"])),
    # The MVP these run in always has both data stores.
    "sqlDatabase": st.one_of(st.just("false"), words.filter(
        lambda s: s.strip().lower() not in ("true", "false"))),
    "redisCache": st.one_of(st.just("false"), words.filter(
        lambda s: s.strip().lower() not in ("true", "false"))),
    "apiThrottleRateLimit": outside(1, 10_000),
    "apiThrottleBurstLimit": outside(1, 5_000),
    "protectData": words.filter(lambda s: s.strip().lower() not in ("true", "false")),
    # Not JSON, not an object, a bad name, or (in the MVP these run in, on a t3.micro) more
    # memory than the instance leaves the containers (taskMemory's 1024 MiB), or a route nginx
    # cannot match as the ALB does.
    "services": st.one_of(words, st.sampled_from([
        '[]', '"web"', '{"web": {"routes": ["/*"]}}', '{"Web": {"routes": ["/*"]}}', "{}",
        '{"web": {"routes": ["/a?/*"], "memory": 256}}'])),
    # Not JSON, not an object, a name twice, or (in the MVP, which builds none) any table at all.
    "tables": st.one_of(words, st.sampled_from(['[]', '"todos"', '{"todos": {"hashKey": "id"}}',
                                                '{"a": {}, "a": {}}', "{}",
                                                '{"to do": {"hashKey": ""}}'])),
}


def test_every_declared_key_has_wrong_values_to_try():
    assert set(WRONG) == {s.key for s in SETTINGS}


keys_and_wrong_values = st.sampled_from(sorted(WRONG)).flatmap(
    lambda key: st.tuples(st.just(key), WRONG[key]))


@settings(max_examples=300)
@given(keys_and_wrong_values)
def test_a_wrong_value_of_any_key_is_one_problem_naming_that_key(key_and_value):
    key, value = key_and_value
    try:
        parse_settings({"tier": "mvp", key: str(value)}, stack="dev", region="ap-northeast-2")
    except ConfigError as err:
        [problem] = err.problems
        assert problem.startswith(f"webstack:{key}") or f" webstack:{key} " in problem, problem
    else:
        raise AssertionError(f"webstack:{key} = {value!r} was accepted")


@settings(max_examples=15)
@given(keys_and_wrong_values)
def test_a_wrong_value_registers_nothing_in_the_whole_program(key_and_value):
    key, value = key_and_value
    assert f"webstack:{key}" in refused_before_any_resource("dev", {key: str(value)})
