"""The price table: every price has a source and a unit, and each billed resource type is priced
(or listed as not priced) by the rule for its type."""
import pytest

from cost import Resource, estimate, load_prices
from cost.model import FREE, NOT_PRICED, PRICED
from cost.rules import BILLED, FREE_TYPES

PRICES = load_prices()
SEOUL, VIRGINIA = "ap-northeast-2", "us-east-1"


def test_every_price_names_a_source_that_says_where_and_when_it_was_read():
    for scope, prices in PRICES.data["prices"].items():
        for key, entry in prices.items():
            source = PRICES.sources.get(entry["source"])
            assert source, f"{scope} {key}: unknown source {entry['source']}"
            assert source["where"] and source["read"] and source["priceDate"], entry["source"]
            assert entry["unit"] and entry["usd"] >= 0, f"{scope} {key}"


def test_both_supported_regions_are_in_the_table():
    assert {SEOUL, VIRGINIA} <= set(PRICES.regions())


def test_a_regional_price_wins_over_none_and_a_missing_one_is_none_not_zero():
    assert PRICES.get(SEOUL, "nat.hour").usd == 0.059
    assert PRICES.get(VIRGINIA, "nat.hour").usd == 0.045
    assert PRICES.get(SEOUL, "kms.key").usd == 1.0  # global
    assert PRICES.get(SEOUL, "rds.postgres.single-az.db.x9.huge") is None


def one(type_token, inputs, *others, region=None):
    lines = estimate([Resource(type_token, "r", inputs, region), *others], SEOUL).lines
    return [line for line in lines if line.resource == "r"]


# (type, inputs, {item: monthly USD}) — each figure is the table's price × the quantity by hand.
CASES = [
    ("aws:ec2/instance:Instance", {"instanceType": "t3.micro", "rootBlockDevice": {"volumeType": "gp3", "volumeSize": 30}},
     {"EC2 t3.micro instance hours": 0.013 * 730, "EBS gp3 root volume": 0.0912 * 30}),
    ("aws:ebs/volume:Volume", {"type": "gp3", "size": 100}, {"EBS gp3 volume": 9.12}),
    ("aws:ec2/eip:Eip", {}, {"public IPv4 address hours": 0.005 * 730}),
    ("aws:ec2/natGateway:NatGateway", {}, {"NAT gateway hours": 0.059 * 730, "NAT gateway data processed": 0.059 * 20}),
    ("aws:lb/loadBalancer:LoadBalancer", {"loadBalancerType": "application"},
     {"ALB hours": 0.0225 * 730, "ALB capacity units": 0.008 * 730}),
    ("aws:rds/instance:Instance", {"engine": "postgres", "instanceClass": "db.t4g.micro", "multiAz": True,
                                   "allocatedStorage": 20, "storageType": "gp3"},
     {"RDS postgres db.t4g.micro multi-az instance hours": 0.051 * 730, "RDS gp3 storage, multi-az": 0.262 * 20}),
    ("aws:elasticache/replicationGroup:ReplicationGroup", {"nodeType": "cache.t4g.micro", "numCacheClusters": 2},
     {"ElastiCache cache.t4g.micro node hours": 0.024 * 2 * 730}),
    ("aws:wafv2/webAcl:WebAcl", {"rules": [{}, {}, {}]},
     {"WAF web ACL": 5.0, "WAF rules and rule groups": 3.0, "WAF requests inspected": 0.6 * 2}),
    ("aws:kms/key:Key", {"enableKeyRotation": True}, {"KMS customer managed key": 1.0}),
    ("aws:secretsmanager/secret:Secret", {}, {"Secrets Manager secret": 0.40}),
    ("aws:cloudwatch/metricAlarm:MetricAlarm", {"metricQueries": [{"metric": {}}, {"metric": {}}, {"expression": "m1/m2"}]},
     {"CloudWatch alarm metrics": 0.20}),
    ("aws:cloudwatch/dashboard:Dashboard", {}, {"CloudWatch dashboard": 3.0}),
    ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 90},
     {"CloudWatch Logs ingestion": 0.76, "CloudWatch Logs storage": 0.0314 * 3}),
    ("aws:s3/bucket:Bucket", {}, {"S3 Standard storage": 0.025 * 5}),
    ("aws:ecr/repository:Repository", {}, {"ECR image storage": 0.10 * 2}),
]


@pytest.mark.parametrize("type_token,inputs,expected", CASES, ids=[c[0] for c in CASES])
def test_each_billed_type_is_priced_from_the_table_in_seoul(type_token, inputs, expected):
    lines = one(type_token, inputs)
    assert {line.item: round(line.monthly_usd, 4) for line in lines if line.status == PRICED} == \
        {item: round(usd, 4) for item, usd in expected.items()}
    assert all(line.source in PRICES.sources for line in lines if line.status == PRICED)


def test_fargate_is_priced_from_its_task_definition_and_the_scaling_minimum():
    task = Resource("aws:ecs/taskDefinition:TaskDefinition", "app-task",
                    {"cpu": "512", "memory": "1024", "requiresCompatibilities": ["FARGATE"],
                     "runtimePlatform": {"cpuArchitecture": "ARM64"}})
    target = Resource("aws:appautoscaling/target:Target", "t",
                      {"resourceId": "service/c/svc", "minCapacity": 2, "maxCapacity": 10})
    lines = one("aws:ecs/service:Service", {"name": "svc", "taskDefinition": "arn:…:app-task-1"}, task, target)
    assert {l.item: round(l.monthly_usd, 4) for l in lines} == {
        "Fargate arm64 vCPU hours": round(2 * 0.5 * 730 * 0.03725, 4),
        "Fargate arm64 memory hours": round(2 * 1 * 730 * 0.00409, 4)}


def test_a_read_replica_pays_its_sources_storage_at_the_single_az_rate():
    source = Resource("aws:rds/instance:Instance", "db", {"identifier": "main", "allocatedStorage": 100,
                                                          "engine": "postgres", "storageType": "gp3"})
    lines = one("aws:rds/instance:Instance", {"replicateSourceDb": "main", "instanceClass": "db.t4g.large"}, source)
    assert {l.item: round(l.monthly_usd, 2) for l in lines if l.status == PRICED} == {
        "RDS postgres db.t4g.large single-az read replica hours": round(0.203 * 730, 2),
        "RDS gp3 storage, single-az": 13.1}


def test_a_price_the_table_lacks_is_not_priced_with_the_key_it_looked_for():
    (line, storage, backups) = one("aws:rds/instance:Instance", {"instanceClass": "db.t3.large", "engine": "postgres",
                                                                 "allocatedStorage": 100, "multiAz": True})
    assert line.status == NOT_PRICED and line.monthly_usd is None
    assert "rds.postgres.multi-az.db.t3.large" in line.source and "ap-northeast-2" in line.source
    assert storage.status == PRICED and backups.status == FREE


@pytest.mark.parametrize("days,status", [(7, FREE), (93, NOT_PRICED)])
def test_performance_insights_is_free_at_seven_days_only(days, status):
    lines = one("aws:rds/instance:Instance", {"instanceClass": "db.t4g.micro", "performanceInsightsEnabled": True,
                                              "performanceInsightsRetentionPeriod": days})
    [insights] = [line for line in lines if line.item.startswith("Performance Insights")]
    assert insights.status == status


def test_cloudfront_is_free_within_the_always_free_tier_and_not_priced_beyond_it():
    from cost.usage import usage_from
    within = estimate([Resource("aws:cloudfront/distribution:Distribution", "cdn", {})], SEOUL).lines
    beyond = estimate([Resource("aws:cloudfront/distribution:Distribution", "cdn", {})], SEOUL,
                      usage_from({"cdnDataTransferGb": 5000})).lines
    assert [l.status for l in within] == [FREE, FREE]
    assert [l.status for l in beyond] == [NOT_PRICED, FREE]


def test_free_and_billed_tables_do_not_overlap():
    assert not set(BILLED) & set(FREE_TYPES)


def test_the_alarm_in_us_east_1_uses_that_regions_price():
    (line,) = one("aws:cloudwatch/metricAlarm:MetricAlarm", {}, region=VIRGINIA)
    assert line.source == "cloudwatch-infracost"
