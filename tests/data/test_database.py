"""RDS PostgreSQL: encrypted, private, backed up, TLS-only, reachable from the backend alone."""
import re

import pytest

from config.keys import ConfigError
from preview.engine import run_preview
from tests.support import ingress_of, security_group

RDS = "aws:rds/instance:Instance"


def test_storage_is_encrypted_and_never_public(dev_plan):
    db = dev_plan.one(RDS).inputs
    assert db["storageEncrypted"] is True
    assert db["publiclyAccessible"] is False
    assert db["storageType"] == "gp3"


def test_the_master_password_is_managed_by_rds_not_by_us(dev_plan):
    db = dev_plan.one(RDS).inputs
    assert db["manageMasterUserPassword"] is True
    assert "password" not in db


def test_sizes_and_retention_follow_the_stack(dev_plan):
    db = dev_plan.one(RDS).inputs
    assert (db["instanceClass"], db["allocatedStorage"], db["maxAllocatedStorage"]) == ("db.t3.micro", 20, 100)
    assert db["backupRetentionPeriod"] == 7
    assert db["multiAz"] is False
    assert (db["engine"], db["engineVersion"]) == ("postgres", "16")


def test_logs_are_exported_to_log_groups_with_retention(dev_plan):
    db = dev_plan.one(RDS)
    assert db.inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    groups = {g.inputs["name"]: g for g in dev_plan.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for log in ("postgresql", "upgrade"):
        group = groups[f"/aws/rds/instance/webstack-dev-postgres/{log}"]
        assert group.inputs["retentionInDays"] == 14
        assert group.urn in db.dependencies


def test_it_lives_in_the_isolated_subnets_of_two_zones(dev_plan):
    subnet_group = dev_plan.one("aws:rds/subnetGroup:SubnetGroup")
    subnets = {s.id: s for s in dev_plan.of_type("aws:ec2/subnet:Subnet")}
    chosen = [subnets[i] for i in subnet_group.inputs["subnetIds"]]
    assert {s.inputs["tags"]["SubnetKind"] for s in chosen} == {"isolated"}
    # AWS rejects a DB subnet group that covers fewer than two availability zones.
    assert len({s.inputs["availabilityZone"] for s in chosen}) >= 2
    assert dev_plan.one(RDS).inputs["dbSubnetGroupName"] == subnet_group.outputs["name"]


def test_only_the_backend_group_reaches_5432(dev_plan):
    database_group = security_group(dev_plan, "database")
    [rule] = ingress_of(dev_plan, database_group)
    assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (5432, 5432, "tcp")
    assert rule.inputs["referencedSecurityGroupId"] == security_group(dev_plan, "backend").id
    assert "cidrIpv4" not in rule.inputs and "cidrIpv6" not in rule.inputs
    assert dev_plan.one(RDS).inputs["vpcSecurityGroupIds"] == [database_group.id]


def test_parameter_group_forces_tls(dev_plan):
    group = dev_plan.one("aws:rds/parameterGroup:ParameterGroup")
    assert group.inputs["family"] == "postgres16"
    parameters = {p["name"]: p["value"] for p in group.inputs["parameters"]}
    assert parameters["rds.force_ssl"] == "1"
    assert dev_plan.one(RDS).inputs["parameterGroupName"] == group.outputs["name"]


def test_a_final_snapshot_is_always_taken(dev_plan):
    db = dev_plan.one(RDS).inputs
    assert db["skipFinalSnapshot"] is False
    assert re.fullmatch(r"webstack-dev-postgres-final-[0-9a-f]{8}", db["finalSnapshotIdentifier"])


@pytest.mark.parametrize("protect", [True, False])
def test_protection_follows_config(protect):
    db = run_preview("dev", overrides={"protectData": str(protect).lower()}).one(RDS)
    assert db.protect is protect
    assert db.inputs["deletionProtection"] is protect


@pytest.mark.parametrize("instance_class", ["db.t3.micro", "db.t3.small", "db.m6g.large"])
def test_performance_insights_on_every_postgres_class_at_the_free_retention(instance_class):
    db = run_preview("dev", overrides={"dbInstanceClass": instance_class}).one(RDS)
    assert db.inputs["performanceInsightsEnabled"] is True
    assert db.inputs["performanceInsightsRetentionPeriod"] == 7


def test_the_endpoint_is_an_output_and_the_secret_is_not(dev_plan):
    assert dev_plan.outputs["databaseEndpoint"].startswith("webstack-dev-postgres.")
    assert not any("secret" in name.lower() for name in dev_plan.outputs)


def test_read_replicas_on_the_mvp_are_refused_before_anything_is_registered():
    """Their primary's password needs a rotation function in private subnets the MVP lacks."""
    registered = []
    with pytest.raises(ConfigError, match=r"webstack:dbReadReplicas = 1 .*tier = 'mvp'"):
        run_preview("dev", overrides={"dbReadReplicas": "1"}, registrations=registered)
    assert [r for r in registered if r.custom] == []
