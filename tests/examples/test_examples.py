"""The seed systems' stack configs (examples/*.yaml): each previews, passes preflight and its
policy config, the plan holds the seed's own numbers, and the README's row is the tool's output.

One test per example previews it once: under `-n 2` a shared session fixture would preview every
example on both workers."""
from pathlib import Path

import pytest

import preflight
from policies.offline import evaluate, has_mandatory, read_pack_config
from preview.engine import REPO_ROOT
from preview.examples import EXAMPLES, TABLE_HEADER, preview_example, table_row
from tests.app.serverless_checks import serverless_plan
from tests.support import tasks_group

README = REPO_ROOT / "README.md"
START, END = "<!-- examples-table:start (python -m preview.examples) -->", "<!-- examples-table:end -->"
DB = "aws:rds/instance:Instance"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
SCALING_TARGET = "aws:appautoscaling/target:Target"
SCALING_POLICY = "aws:appautoscaling/policy:Policy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SERVER = "aws:ec2/instance:Instance"


def primary(plan):
    return next(db for db in plan.of_type(DB) if not db.inputs.get("replicateSourceDb"))


def replicas(plan):
    return [db for db in plan.of_type(DB) if db.inputs.get("replicateSourceDb")]


def database(plan) -> dict:
    db = primary(plan)
    return {"class": db.inputs["instanceClass"], "storage": db.inputs["allocatedStorage"],
            "max storage": db.inputs.get("maxAllocatedStorage"), "multi-AZ": db.inputs["multiAz"],
            "backup days": db.inputs["backupRetentionPeriod"], "replicas": len(replicas(plan))}


def redis(plan) -> dict:
    group = plan.one(REDIS).inputs
    return {"node": group["nodeType"], "nodes": group["numCacheClusters"],
            "failover": group["automaticFailoverEnabled"], "snapshot days": group["snapshotRetentionLimit"]}


def tasks(plan) -> dict:
    task, target = plan.one(TASK).inputs, plan.one(SCALING_TARGET).inputs
    policy = plan.one(SCALING_POLICY).inputs["targetTrackingScalingPolicyConfiguration"]
    return {"cpu": task["cpu"], "memory": task["memory"], "desired": plan.one(SERVICE).inputs["desiredCount"],
            "min": target["minCapacity"], "max": target["maxCapacity"], "cpu target": policy["targetValue"]}


def retention_days(plan) -> set:
    return {group.inputs["retentionInDays"] for group in plan.of_type(LOG_GROUP)}


def seed_001_kfood_shorts(plan):
    assert database(plan) == {"class": "db.t3.medium", "storage": 100, "max storage": 1000,
                              "multi-AZ": True, "backup days": 30, "replicas": 0}
    assert tasks(plan) == {"cpu": "1024", "memory": "2048", "desired": 3, "min": 2, "max": 10,
                           "cpu target": 75}
    assert plan.one(SERVICE).inputs["deploymentConfiguration"]["strategy"] == "BLUE_GREEN"
    assert redis(plan) == {"node": "cache.m6g.large", "nodes": 3, "failover": True, "snapshot days": 30}
    assert '"containerPort": 3000' in plan.one(TASK).inputs["containerDefinitions"]


def seed_002_stage_1(plan):
    assert plan.one(SERVER).inputs["instanceType"] == "t3.micro"
    assert database(plan) == {"class": "db.t3.micro", "storage": 20, "max storage": 100,
                              "multi-AZ": False, "backup days": 7, "replicas": 0}
    assert redis(plan)["node"] == "cache.t3.micro" and redis(plan)["nodes"] == 1
    assert plan.of_type(SERVICE) == [] and retention_days(plan) == {30}


def seed_002_stage_2(plan):
    assert database(plan) == {"class": "db.t3.medium", "storage": 100, "max storage": 1000,
                              "multi-AZ": True, "backup days": 30, "replicas": 1}
    assert tasks(plan) == {"cpu": "2048", "memory": "4096", "desired": 2, "min": 2, "max": 10,
                           "cpu target": 70}
    assert redis(plan) == {"node": "cache.t3.micro", "nodes": 2, "failover": True, "snapshot days": 30}
    assert plan.one(SERVICE).inputs["deploymentConfiguration"] == {"strategy": "ROLLING"}


def seed_004_greenflow(plan):
    assert database(plan) == {"class": "db.t3.small", "storage": 500, "max storage": 1000,
                              "multi-AZ": True, "backup days": 30, "replicas": 1}
    assert primary(plan).inputs["iamDatabaseAuthenticationEnabled"] is True
    assert redis(plan) == {"node": "cache.t3.small", "nodes": 3, "failover": True, "snapshot days": 30}
    assert tasks(plan) == {"cpu": "1024", "memory": "2048", "desired": 3, "min": 2, "max": 10,
                           "cpu target": 70}
    # the seed's 5 % first step, held for its 10 + 15 + 15 minutes before 100 %; blue kept 30 min
    assert plan.one(SERVICE).inputs["deploymentConfiguration"] == {
        "strategy": "CANARY", "bakeTimeInMinutes": "30",
        "canaryConfiguration": {"canaryPercent": 5, "canaryBakeTimeInMinutes": "40"}}
    thresholds = {alarm.name: alarm.inputs["threshold"] for alarm in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    # the seed's rollback conditions: error rate > 5 %, p95 > 1000 ms (in seconds), CPU > 80 %, memory > 85 %
    assert (thresholds["alarms-app-alb-5xx-rate"], thresholds["alarms-app-alb-p95-response-time"],
            thresholds["alarms-app-ecs-cpu"], thresholds["alarms-app-ecs-memory"]) == (5, 1, 80, 85)


def seed_000_willbook(plan):
    function, statements = serverless_plan(
        plan, memory=2048, config="CodeDeployDefault.LambdaCanary10Percent30Minutes")
    assert database(plan) == {"class": "db.t3.large", "storage": 100, "max storage": 1000,
                              "multi-AZ": True, "backup days": 30, "replicas": 0}
    assert redis(plan)["node"] == "cache.m6g.large"
    inputs = function.inputs
    assert inputs["reservedConcurrentExecutions"] == 200
    # In the private subnets, in the group the database and cache admit; endpoints and secret ARNs
    # in its environment, never a password.
    private = {s.id for s in plan.of_type("aws:ec2/subnet:Subnet")
               if s.inputs["tags"]["SubnetKind"] == "private"}
    assert set(inputs["vpcConfig"]["subnetIds"]) == private and private
    assert inputs["vpcConfig"]["securityGroupIds"] == [tasks_group(plan).id]
    # PostgreSQL through RDS Proxy with an IAM token as the database's user: no password, no
    # secret to read; Redis's AUTH token by its secret's ARN.
    variables = inputs["environment"]["variables"]
    proxy = plan.one("aws:rds/proxy:Proxy")
    assert (variables["DATABASE_HOST"], variables["DATABASE_USER"], variables["DATABASE_IAM_AUTH"]) == (
        proxy.outputs["endpoint"], "webstack_admin", "true")
    assert "DATABASE_SECRET_ARN" not in variables
    assert statements["Secrets"]["Resource"] == [variables["REDIS_AUTH_SECRET_ARN"]]
    assert statements["DatabaseThroughProxy"]["Resource"] == (
        "arn:aws:rds-db:ap-northeast-2:123456789012:dbuser:" + proxy.outputs["arn"].split(":")[-1]
        + "/webstack_admin")
    assert "VpcAccess" in statements and "DeadLetters" not in statements
    # seed 000's alarms: API 5XX ≥ 1 over 5 periods, latency > 1000 ms over 3
    alarms = {a.name: a.inputs for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert (alarms["alarms-api-5xx-count"]["threshold"], alarms["alarms-api-5xx-count"]["evaluationPeriods"]) == (1, 5)
    assert (alarms["alarms-api-latency-p95"]["threshold"], alarms["alarms-api-latency-p95"]["evaluationPeriods"]) == (1000, 3)


def seed_003_hanbit_todo(plan):
    function, statements = serverless_plan(
        plan, memory=1024, config="CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
    # DynamoDB only: no VPC, no database, no cache; the function outside any VPC.
    assert plan.of_type("aws:ec2/vpc:Vpc") == [] and plan.of_type(DB) == [] and plan.of_type(REDIS) == []
    assert "vpcConfig" not in function.inputs and "VpcAccess" not in statements
    # its table by name, used through IAM with the tables' own key; backed up daily
    [table] = [t for t in plan.of_type("aws:dynamodb/table:Table") if t.name == "tables-todos"]
    assert function.inputs["environment"]["variables"] == {"LOG_LEVEL": "info",
                                                           "TABLE_TODOS": table.inputs["name"]}
    assert (table.inputs["hashKey"], table.inputs["rangeKey"]) == ("userId", "todoId")
    assert statements["Tables"]["Resource"] == [table.outputs["arn"], table.outputs["arn"] + "/index/*"]
    assert statements["TablesKey"]["Resource"] == table.inputs["serverSideEncryption"]["kmsKeyArn"]
    [selection] = plan.of_type("aws:backup/selection:Selection")
    assert selection.inputs["resources"] == [table.outputs["arn"]]


def kept_30_days_or_more(plan):
    """Production-shaped: logs and backups kept 30 days or more, databases deletion-protected."""
    assert min(retention_days(plan)) >= 30
    rules = [rule for backup in plan.of_type("aws:backup/plan:Plan") for rule in backup.inputs["rules"]]
    assert rules and all(rule["lifecycle"]["deleteAfter"] >= 30 for rule in rules)
    assert all(db.inputs["deletionProtection"] for db in plan.of_type(DB))


SEED_CHECKS = {"kfood-shorts": (seed_001_kfood_shorts, kept_30_days_or_more),
               "marketing-mvp": (seed_002_stage_1,),
               "marketing-saas": (seed_002_stage_2, kept_30_days_or_more),
               "greenflow": (seed_004_greenflow, kept_30_days_or_more),
               "willbook": (seed_000_willbook, kept_30_days_or_more),
               "hanbit-todo": (seed_003_hanbit_todo,)}


def readme_table() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index(START) + len(START):text.index(END)].strip()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.stack)
def test_each_example_previews_passes_its_checks_and_holds_its_seeds_numbers(example):
    plan = preview_example(example)
    assert plan.stack == example.stack
    assert preflight.errors(preflight.check(plan)) == []
    violations = evaluate(plan, read_pack_config(REPO_ROOT / example.policy_config))
    assert not has_mandatory(violations), [v for v in violations if v.level == "mandatory"]
    for check in SEED_CHECKS[example.stack]:
        check(plan)
    assert table_row(example, plan) in readme_table().splitlines()


def test_the_readme_examples_table_has_one_row_per_example():
    lines = readme_table().splitlines()
    assert lines[:2] == list(TABLE_HEADER)
    assert len(lines) == len(TABLE_HEADER) + len(EXAMPLES)


def test_every_example_file_is_in_the_catalog():
    assert sorted(Path(e.file).name for e in EXAMPLES) == sorted(p.name for p in (REPO_ROOT / "examples").glob("*.yaml"))


def test_every_example_has_its_seed_checks():
    assert sorted(SEED_CHECKS) == sorted(e.stack for e in EXAMPLES)
