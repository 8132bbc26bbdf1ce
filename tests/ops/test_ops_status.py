"""`python -m ops status` against the moto server; the rollout's traffic shift through a Stubber
(moto implements neither ListServiceDeployments nor DescribeServiceDeployments)."""
import json
from datetime import datetime, timezone

from conftest import (CLUSTER, DATABASE, FAMILY, REGION, SERVICE, build_alarms, build_database,
                      build_service, client, outputs_for, run_ops)
from ops.__main__ import main


def test_status_reports_the_firing_alarm_tasks_and_database_and_exits_1(write_outputs):
    build_alarms(firing=True)
    build_service()
    build_database()
    client("elasticache").create_replication_group(
        ReplicationGroupId="webstack-prod-redis", ReplicationGroupDescription="prod Redis",
        CacheNodeType="cache.m6g.large", Engine="redis", NumCacheClusters=3,
        AutomaticFailoverEnabled=True, MultiAZEnabled=True)
    outputs = write_outputs(outputs_for(databaseInstanceId=DATABASE,
                                        cacheReplicationGroupId="webstack-prod-redis"))
    result = run_ops("status", "--stack", "prod", "--outputs", outputs, "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    lines = {line["subject"]: line for line in report["lines"]}
    assert lines["alarm webstack-prod-api-5xx"]["state"] == "problem"
    assert "other-app-cpu" not in json.dumps(report)  # another stack's alarm
    assert lines[f"service {SERVICE}"]["detail"] == "3/3 tasks running"
    assert lines[f"postgres {DATABASE}"] == {"subject": f"postgres {DATABASE}", "state": "ok",
                                             "detail": "available, Multi-AZ on"}
    assert lines["redis webstack-prod-redis"]["detail"] == \
        "available, Multi-AZ enabled, automatic failover enabled"
    assert lines["cloudfront"]["detail"].endswith("'cdnDistributionId' is missing")


def test_a_canary_in_progress_shows_its_traffic_shift_and_rollback(stub, write_outputs, capsys):
    ecs = stub("ecs")
    service_arn = f"arn:aws:ecs:{REGION}:123456789012:service/{CLUSTER}/{SERVICE}"
    deployment_arn = f"arn:aws:ecs:{REGION}:123456789012:service-deployment/{CLUSTER}/{SERVICE}/d1"
    ecs.add_response("describe_services", {"services": [{
        "serviceName": SERVICE, "serviceArn": service_arn, "status": "ACTIVE",
        "clusterArn": f"arn:aws:ecs:{REGION}:123456789012:cluster/{CLUSTER}",
        "runningCount": 4, "desiredCount": 3,
        "deploymentConfiguration": {"strategy": "CANARY"},
        "deployments": [{"id": "ecs-svc/2", "status": "PRIMARY", "rolloutState": "IN_PROGRESS",
                         "taskDefinition": f"arn:aws:ecs:{REGION}:1:task-definition/{FAMILY}:7"}]}]})
    ecs.add_response("list_service_deployments", {"serviceDeployments": [{
        "serviceDeploymentArn": deployment_arn, "status": "ROLLBACK_IN_PROGRESS"}]})
    ecs.add_response("describe_service_deployments", {"serviceDeployments": [{
        "serviceDeploymentArn": deployment_arn, "status": "ROLLBACK_IN_PROGRESS",
        "lifecycleStage": "PRODUCTION_TRAFFIC_SHIFT",
        "targetServiceRevision": {"arn": "r7", "requestedProductionTrafficWeight": 5.0},
        "rollback": {"reason": "alarm webstack-prod-api-5xx", "startedAt": datetime.now(timezone.utc)}}]})
    code = main(["status", "--stack", "prod", "--outputs", write_outputs(
        outputs_for(alarmTopicArn=None))])
    out = capsys.readouterr().out
    assert code == 0, out
    assert ("canary, in_progress, webstack-prod-app:7, 5 % of production traffic shifted, "
            "rolling back: alarm webstack-prod-api-5xx, stage production_traffic_shift") in out
