"""ECS, CloudWatch Logs and AWS Backup preflight rules, each shown firing on a broken plan."""
from preflight import backup, ecs, logs
from tests.preflight.broken import plan, resource


def test_a_fargate_size_outside_its_pairs_is_refused():
    [finding] = ecs.fargate_sizes(plan(
        resource(ecs.TASK_DEFINITION, "small", {"cpu": "256", "memory": "4096",
                                               "requiresCompatibilities": ["FARGATE"]}),
        resource(ecs.TASK_DEFINITION, "fine", {"cpu": "1024", "memory": "2048",
                                              "requiresCompatibilities": ["FARGATE"]})))
    assert finding.resource == "small"


def canary_service(**fields):
    return resource(ecs.SERVICE, "app-service", {
        "waitForSteadyState": True,
        "deploymentConfiguration": {"strategy": "CANARY", "bakeTimeInMinutes": "15",
                                    "canaryConfiguration": {"canaryBakeTimeInMinutes": "10"}},
        "loadBalancers": [{"targetGroupArn": "tg-1", "advancedConfiguration": {
            "alternateTargetGroupArn": "tg-2", "productionListenerRule": "rule",
            "roleArn": "role"}}]}, **fields)


def test_a_canary_without_an_alternate_target_group_is_refused():
    service = canary_service()
    broken = dict(service.inputs, loadBalancers=[{"targetGroupArn": "tg-1"}])
    [finding] = ecs.traffic_shifting_is_wired(plan(resource(ecs.SERVICE, "app", broken)))
    assert "alternateTargetGroupArn, productionListenerRule, roleArn" in finding.message
    same = dict(service.inputs, loadBalancers=[{"targetGroupArn": "tg-1", "advancedConfiguration": {
        "alternateTargetGroupArn": "tg-1", "productionListenerRule": "r", "roleArn": "x"}}])
    assert ecs.traffic_shifting_is_wired(plan(resource(ecs.SERVICE, "app", same)))
    assert ecs.traffic_shifting_is_wired(plan(service)) == []


def test_a_rollout_longer_than_the_providers_wait_fails_pulumi_up():
    """Issue 9, item 3: prod's 10 + 15 minutes of bakes against the default 20 minutes."""
    findings = ecs.provider_waits_out_the_rollout(plan(canary_service()))
    assert {f.message.split()[0] for f in findings} == {"create", "update"}
    waited = canary_service(custom_timeouts={"create": "53m", "update": "1h"})
    assert ecs.provider_waits_out_the_rollout(plan(waited)) == []


def test_log_group_names_and_retention_follow_cloudwatch_logs():
    group = logs.LOG_GROUP
    broken = plan(resource(group, "spaces", {"name": "/webstack/prod/my app"}),
                  resource(group, "days", {"name": "/webstack/prod/app", "retentionInDays": 10}))
    assert [f.resource for f in logs.log_group_names(broken)] == ["spaces"]
    assert [f.resource for f in logs.log_retention_values(broken)] == ["days"]


def test_backup_schedules_are_six_field_aws_cron():
    def rule_plan(schedule):
        return plan(resource(backup.PLAN, "daily", {"rules": [{"ruleName": "daily",
                                                                "schedule": schedule}]}))
    assert backup.backup_schedules(rule_plan("cron(0 20 * * ? *)")) == []
    assert backup.backup_schedules(rule_plan("cron(0 20 * * *)"))  # five fields: Unix cron
    assert backup.backup_schedules(rule_plan("cron(0 20 * * * *)"))  # no '?'
    assert backup.backup_schedules(rule_plan("rate(1 day)"))


def test_backup_rule_and_vault_names():
    broken = plan(resource(backup.PLAN, "plan", {"rules": [{"ruleName": "daily backup"}]}),
                  resource(backup.VAULT, "vault", {"name": "webstack vault"}))
    assert len(backup.backup_rule_names(broken)) == 1
    assert len(backup.vault_names(broken)) == 1


def test_waf_logs_go_to_an_aws_waf_logs_destination_in_the_web_acls_region():
    from preflight import wafv2
    acl = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/abc"

    def logging(name, destination):
        return resource(wafv2.LOGGING, name, {"resourceArn": acl,
                                              "logDestinationConfigs": [destination]})
    broken = plan(
        logging("good", "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-edge"),
        logging("unprefixed", "arn:aws:logs:us-east-1:123456789012:log-group:edge"),
        logging("elsewhere", "arn:aws:logs:ap-northeast-2:123456789012:log-group:aws-waf-logs-edge"),
        logging("bucket", "arn:aws:s3:::aws-waf-logs-edge"))
    assert [f.resource for f in wafv2.waf_log_destinations(broken)] == ["unprefixed", "elsewhere"]


def test_rules_read_numbers_as_the_engine_records_them_floats():
    """A real plan's numbers arrive as floats (90.0): the rules that take integers still fire."""
    from preflight import elasticache, rds
    assert [f.resource for f in logs.log_retention_values(plan(
        resource(logs.LOG_GROUP, "thirteen", {"retentionInDays": 13.0}),
        resource(logs.LOG_GROUP, "ninety", {"retentionInDays": 90.0})))] == ["thirteen"]
    assert [f.resource for f in rds.performance_insights_retention(plan(resource(
        rds.INSTANCE, "db", {"performanceInsightsEnabled": True,
                             "performanceInsightsRetentionPeriod": 94.0})))] == ["db"]
    assert [f.resource for f in elasticache.failover_needs_replicas(plan(resource(
        elasticache.REPLICATION_GROUP, "cache", {"automaticFailoverEnabled": True,
                                                 "numCacheClusters": 1.0})))] == ["cache"]
