"""ElastiCache Redis: encrypted both ways, AUTH token kept in Secrets Manager, backend-only."""
import re

import pytest

from preview.engine import run_preview
from tests.support import ingress_of, security_group

REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"


def windows_overlap(a: str, b: str) -> bool:
    def minutes(window: str) -> tuple[int, int]:
        start, end = (part.split(":")[-2:] for part in window.split("-"))
        return int(start[0]) * 60 + int(start[1]), int(end[0]) * 60 + int(end[1])
    (a0, a1), (b0, b1) = minutes(a), minutes(b)
    return a0 < b1 and b0 < a1


def test_encrypted_at_rest_and_in_transit(dev_plan):
    redis = dev_plan.one(REDIS).inputs
    assert redis["atRestEncryptionEnabled"] is True
    assert redis["transitEncryptionEnabled"] is True


def test_the_auth_token_is_generated_and_kept_in_secrets_manager(dev_plan):
    token = dev_plan.one("random:index/randomPassword:RandomPassword")
    assert token.inputs["length"] >= 32
    # ElastiCache refuses tokens containing space, ", / or @.
    assert not set(token.inputs["overrideSpecial"]) & set(' "/@')
    redis = dev_plan.one(REDIS)
    assert redis.inputs["authToken"] == token.outputs["result"]
    assert "authToken" in redis.secret_inputs
    version = dev_plan.one("aws:secretsmanager/secretVersion:SecretVersion")
    assert version.inputs["secretString"] == token.outputs["result"]
    assert version.inputs["secretId"] == dev_plan.one("aws:secretsmanager/secret:Secret").id


def test_only_the_backend_group_reaches_6379(dev_plan):
    [rule] = ingress_of(dev_plan, security_group(dev_plan, "cache"))
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (6379, 6379)
    assert rule.inputs["referencedSecurityGroupId"] == security_group(dev_plan, "backend").id
    assert dev_plan.one(REDIS).inputs["securityGroupIds"] == [security_group(dev_plan, "cache").id]


def test_it_lives_in_the_isolated_subnets(dev_plan):
    subnet_group = dev_plan.one("aws:elasticache/subnetGroup:SubnetGroup")
    isolated = {s.id for s in dev_plan.of_type("aws:ec2/subnet:Subnet")
                if s.inputs["tags"]["SubnetKind"] == "isolated"}
    assert set(subnet_group.inputs["subnetIds"]) == isolated
    assert dev_plan.one(REDIS).inputs["subnetGroupName"] == subnet_group.inputs["name"]


def test_a_single_node_has_no_failover(dev_plan):
    redis = dev_plan.one(REDIS).inputs
    assert (redis["numCacheClusters"], redis["nodeType"]) == (1, "cache.t3.micro")
    assert redis["automaticFailoverEnabled"] is False and redis["multiAzEnabled"] is False


@pytest.mark.parametrize("nodes", [2, 3])
def test_multi_az_comes_with_failover_and_a_replica(nodes):
    redis = run_preview("dev", overrides={"cacheNodes": str(nodes)}).one(REDIS).inputs
    # AWS: Multi-AZ requires automatic failover, which requires at least one replica.
    assert redis["numCacheClusters"] == nodes
    assert redis["multiAzEnabled"] is True and redis["automaticFailoverEnabled"] is True


def test_snapshots_are_kept_and_windows_do_not_collide(dev_plan):
    redis = dev_plan.one(REDIS).inputs
    assert redis["snapshotRetentionLimit"] == 7
    assert re.fullmatch(r"webstack-dev-redis-final-[0-9a-f]{8}", redis["finalSnapshotIdentifier"])
    assert not windows_overlap(redis["snapshotWindow"], redis["maintenanceWindow"])


def test_snapshots_off_means_no_final_snapshot_name():
    redis = run_preview("dev", overrides={"cacheSnapshotRetentionDays": "0"}).one(REDIS).inputs
    assert redis["snapshotRetentionLimit"] == 0
    assert "finalSnapshotIdentifier" not in redis
