"""DynamoDB, RDS Proxy and CloudWatch metric-math preflight rules, each shown firing on a broken
plan and quiet on a sound one."""
from preflight import cloudwatch, dynamodb, quotas, rds
from tests.preflight.broken import plan, resource

TABLE = dynamodb.TABLE


def table(name, **inputs):
    return resource(TABLE, name, {"name": name, "hashKey": "id",
                                  "attributes": [{"name": "id", "type": "S"}], **inputs})


def fired(findings) -> list[str]:
    return sorted(f.resource for f in findings)


def test_table_names_are_3_to_255_of_dynamodbs_characters():
    findings = dynamodb.table_names(plan(table("ab"), table("to do"), table("x" * 256),
                                         table("webstack-prod-todos.v1_a")))
    assert fired(findings) == ["ab", "to do", "x" * 256]


def test_a_key_schema_has_a_partition_key_and_two_distinct_named_keys():
    findings = dynamodb.key_schemas(plan(
        resource(TABLE, "no-hash", {"name": "no-hash"}),
        table("same", rangeKey="id"),
        table("long", rangeKey="k" * 256),
        table("fine", rangeKey="sk")))
    assert fired(findings) == ["long", "no-hash", "same"]


def test_the_attribute_definitions_are_exactly_the_keys():
    findings = dynamodb.attributes_are_the_keys(plan(
        table("extra", attributes=[{"name": "id", "type": "S"}, {"name": "title", "type": "S"}]),
        table("missing", rangeKey="sk"),
        table("bool", attributes=[{"name": "id", "type": "BOOL"}]),
        table("fine", rangeKey="sk", attributes=[{"name": "id", "type": "S"},
                                                 {"name": "sk", "type": "N"}])))
    assert fired(findings) == ["bool", "extra", "missing"]


def test_ttl_names_its_attribute_and_recovery_keeps_1_to_35_days():
    ttl = dynamodb.ttl_attributes(plan(table("empty", ttl={"enabled": True, "attributeName": ""}),
                                       table("off", ttl={"enabled": False}),
                                       table("fine", ttl={"enabled": True,
                                                          "attributeName": "expiresAt"})))
    assert fired(ttl) == ["empty"]
    pitr = dynamodb.point_in_time_recovery_period(plan(
        *(table(f"days-{days}", pointInTimeRecovery={"enabled": True,
                                                    "recoveryPeriodInDays": days})
          for days in (0, 1, 35, 36))))
    assert fired(pitr) == ["days-0", "days-36"]


def proxy(name, subnets=("subnet-a", "subnet-b"), family="POSTGRESQL"):
    return resource(rds.PROXY, name, {"name": name, "engineFamily": family,
                                      "vpcSubnetIds": list(subnets)})


def subnet(name, zone):
    return resource(rds.SUBNET, name, {"availabilityZone": zone}, id=name)


def test_proxy_names_follow_the_api_pattern():
    findings = rds.proxy_names(plan(proxy("webstack--dev"), proxy("1proxy"), proxy("p" * 64),
                                    proxy("webstack-dev-postgres-proxy")))
    assert fired(findings) == ["1proxy", "p" * 64, "webstack--dev"]


def test_a_proxy_spans_two_subnets_in_two_zones():
    zones = [subnet("subnet-a", "ap-northeast-2a"), subnet("subnet-b", "ap-northeast-2a"),
             subnet("subnet-c", "ap-northeast-2c")]
    findings = rds.proxy_subnets_in_two_zones(plan(
        *zones, proxy("alone", subnets=["subnet-a"]), proxy("one-zone"),
        proxy("fine", subnets=["subnet-a", "subnet-c"])))
    assert fired(findings) == ["alone", "one-zone"]


def test_the_proxys_engine_family_is_its_targets():
    instance = resource(rds.INSTANCE, "db", {"identifier": "webstack-dev-postgres",
                                             "engine": "postgres"})

    def target(proxy_name):
        return resource(rds.PROXY_TARGET, f"{proxy_name}-target", {
            "dbProxyName": proxy_name, "dbInstanceIdentifier": "webstack-dev-postgres"})
    findings = rds.proxy_engine_family_matches_its_target(plan(
        instance, proxy("mysql-proxy", family="MYSQL"), target("mysql-proxy"),
        proxy("pg-proxy"), target("pg-proxy")))
    assert fired(findings) == ["mysql-proxy"]


def test_more_than_20_proxies_in_one_account_are_flagged():
    def proxies(count, stack):
        return plan(*[proxy(f"p{n}") for n in range(count)], stack=stack)
    [finding] = quotas.proxies_per_account([proxies(11, "dev"), proxies(10, "prod")])
    assert "21 RDS proxies" in finding.message
    assert quotas.proxies_per_account([proxies(10, "dev"), proxies(10, "prod")]) == []


def test_a_metric_math_alarm_reads_at_most_10_metrics_and_returns_one_series():
    def alarm(name, metrics, returned=1):
        queries = [{"id": f"m{n}", "metric": {"metricName": "SystemErrors"}, "returnData": False}
                   for n in range(metrics)]
        queries += [{"id": f"e{n}", "expression": "m0", "returnData": True}
                    for n in range(returned)]
        return resource(cloudwatch.ALARM, name, {"metricQueries": queries})
    findings = cloudwatch.metric_math_alarm_limits(plan(
        alarm("eleven", 11), alarm("two-results", 2, returned=2), alarm("ten", 10),
        resource(cloudwatch.ALARM, "plain", {"metricName": "CPUUtilization"})))
    assert fired(findings) == ["eleven", "two-results"]


def test_the_proxy_connection_pool_stays_within_max_connections():
    def group(name, **pool):
        return resource(rds.PROXY_TARGET_GROUP, name, {"connectionPoolConfig": pool})
    findings = rds.proxy_connection_pool(plan(
        group("zero", maxConnectionsPercent=0), group("idle-above", maxConnectionsPercent=50,
                                                      maxIdleConnectionsPercent=60),
        group("idle-alone", maxIdleConnectionsPercent=10), group("fine", maxConnectionsPercent=90),
        group("fine-idle", maxConnectionsPercent=90, maxIdleConnectionsPercent=45)))
    assert fired(findings) == ["idle-above", "idle-alone", "zero"]
