"""The scaled tier's data: PostgreSQL Multi-AZ with a read replica in prod, Redis with automatic
failover across AZs; both encrypted, reachable from the app's tasks only, backed up, protected."""
import json

import re

import pytest

from preview.engine import run_preview
from tests.support import ingress_of, named, rotation_group, security_group, tasks_group

RDS = "aws:rds/instance:Instance"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
SCALED = ["staging", "prod"]
ZONES = {"staging": 2, "prod": 3}


@pytest.fixture(scope="module")
def unprotected_prod():
    return run_preview("prod", overrides={"protectData": "false"})


def primary(plan):
    return named(plan, RDS, "database-instance")


def replicas(plan):
    return [db for db in plan.of_type(RDS) if "replicateSourceDb" in db.inputs]


def isolated_zones(plan, subnet_ids) -> list[str]:
    subnets = [plan.by_id(i) for i in subnet_ids]
    assert {s.inputs["tags"]["SubnetKind"] for s in subnets} == {"isolated"}
    return sorted(s.inputs["availabilityZone"] for s in subnets)


def minutes(window: str) -> tuple[int, int]:
    """"16:00-17:00" or "sun:19:30-sun:20:30" → (start, end) in minutes of the day."""
    start, end = (part.split(":")[-2:] for part in window.split("-"))
    return int(start[0]) * 60 + int(start[1]), int(end[0]) * 60 + int(end[1])


# ---- PostgreSQL ----

@pytest.mark.parametrize("stack", SCALED)
def test_the_database_runs_multi_az(plan_of, stack):
    assert primary(plan_of(stack)).inputs["multiAz"] is True


@pytest.mark.parametrize("stack, sizes", [
    ("staging", ("db.t3.small", 100, 200, 7)),
    ("prod", ("db.t3.large", 100, 1000, 30)),
])
def test_class_storage_and_backup_retention_follow_the_stack(plan_of, stack, sizes):
    db = primary(plan_of(stack)).inputs
    assert (db["instanceClass"], db["allocatedStorage"], db["maxAllocatedStorage"],
            db["backupRetentionPeriod"]) == sizes
    assert db["storageType"] == "gp3"


@pytest.mark.parametrize("stack", SCALED)
def test_storage_is_encrypted_and_private(plan_of, stack):
    for db in plan_of(stack).of_type(RDS):
        assert db.inputs["storageEncrypted"] is True
        assert db.inputs["publiclyAccessible"] is False


def test_without_replicas_rds_keeps_the_password(staging_plan):
    assert not replicas(staging_plan)
    assert primary(staging_plan).inputs["manageMasterUserPassword"] is True
    assert all("password" not in db.inputs for db in staging_plan.of_type(RDS))


def test_a_primary_with_replicas_does_not_let_rds_manage_its_password(prod_plan):
    """RDS refuses "Creating read replicas for source instance ... where ManageMasterUserPassword
    is enabled"; the generated password is a secret input, ignored once rotation owns it."""
    db = primary(prod_plan)
    assert replicas(prod_plan)
    assert not db.inputs.get("manageMasterUserPassword")
    password = named(prod_plan, "random:index/randomPassword:RandomPassword",
                     "database-master-password")
    assert db.inputs["password"] == password.outputs["result"]
    assert "password" in db.secret_inputs and "password" in db.ignore_changes
    assert all("password" not in r.inputs for r in replicas(prod_plan))


def test_the_generated_password_lives_in_a_rotated_secret_the_stack_owns(prod_plan):
    secret = named(prod_plan, "aws:secretsmanager/secret:Secret", "database-credentials-secret")
    version = named(prod_plan, "aws:secretsmanager/secretVersion:SecretVersion",
                    "database-credentials-secret-value")
    assert version.inputs["secretId"] == secret.id and "secretString" in version.secret_inputs
    credentials = json.loads(version.inputs["secretString"])
    assert credentials == {"engine": "postgres", "host": primary(prod_plan).outputs["address"],
                           "port": 5432, "username": "webstack_admin", "dbname": "app",
                           "password": primary(prod_plan).inputs["password"]}
    assert "secretString" in version.ignore_changes
    rotation = prod_plan.one("aws:secretsmanager/secretRotation:SecretRotation")
    function = prod_plan.one(
        "aws:serverlessrepository/cloudFormationStack:CloudFormationStack")
    assert rotation.inputs["secretId"] == secret.id
    assert rotation.inputs["rotationLambdaArn"] == function.outputs["outputs"]["RotationLambdaARN"]
    assert rotation.inputs["rotationRules"]["automaticallyAfterDays"] == 7
    assert version.urn in rotation.dependencies  # rotation starts at once, on the first value
    assert function.inputs["applicationId"].endswith("SecretsManagerRDSPostgreSQLRotationSingleUser")


def test_the_rotation_function_runs_in_the_private_subnets_and_reaches_the_database(prod_plan):
    function = prod_plan.one(
        "aws:serverlessrepository/cloudFormationStack:CloudFormationStack").inputs["parameters"]
    subnets = [prod_plan.by_id(i) for i in function["vpcSubnetIds"].split(",")]
    assert {s.inputs["tags"]["SubnetKind"] for s in subnets} == {"private"}
    group = rotation_group(prod_plan)
    assert function["vpcSecurityGroupIds"] == group.id
    database = security_group(prod_plan, "database")
    from_rotation = [r for r in ingress_of(prod_plan, database)
                     if r.inputs["referencedSecurityGroupId"] == group.id]
    assert [(r.inputs["fromPort"], r.inputs["toPort"]) for r in from_rotation] == [(5432, 5432)]


@pytest.mark.parametrize("stack", SCALED)
def test_iam_authentication_is_on_for_every_instance(plan_of, stack):
    assert all(db.inputs["iamDatabaseAuthenticationEnabled"] is True
               for db in plan_of(stack).of_type(RDS))


def test_prod_has_performance_insights_on_every_instance(prod_plan):
    assert all(db.inputs["performanceInsightsEnabled"] is True for db in prod_plan.of_type(RDS))


@pytest.mark.parametrize("stack", SCALED)
def test_the_parameter_group_forces_tls(plan_of, stack):
    plan = plan_of(stack)
    group = plan.one("aws:rds/parameterGroup:ParameterGroup")
    assert {p["name"]: p["value"] for p in group.inputs["parameters"]}["rds.force_ssl"] == "1"
    assert primary(plan).inputs["parameterGroupName"] == group.outputs["name"]


@pytest.mark.parametrize("stack", SCALED)
def test_the_database_spans_the_isolated_subnets_of_every_zone(plan_of, stack):
    plan = plan_of(stack)
    subnet_group = plan.one("aws:rds/subnetGroup:SubnetGroup")
    assert len(set(isolated_zones(plan, subnet_group.inputs["subnetIds"]))) == ZONES[stack]
    assert primary(plan).inputs["dbSubnetGroupName"] == subnet_group.outputs["name"]


@pytest.mark.parametrize("stack", SCALED)
def test_only_the_app_tasks_reach_5432(plan_of, stack):
    plan = plan_of(stack)
    group = security_group(plan, "database")
    rotation = rotation_group(plan)
    [rule] = [r for r in ingress_of(plan, group)
              if not rotation or r.inputs["referencedSecurityGroupId"] != rotation.id]
    assert rule.inputs["referencedSecurityGroupId"] == tasks_group(plan).id
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (5432, 5432)
    assert all(db.inputs["vpcSecurityGroupIds"] == [group.id] for db in plan.of_type(RDS))


def test_prod_has_one_read_replica_of_its_primary(prod_plan):
    [replica] = replicas(prod_plan)
    assert replica.inputs["identifier"] == "webstack-prod-postgres-replica-1"
    assert replica.inputs["replicateSourceDb"] == primary(prod_plan).inputs["identifier"]
    assert replica.inputs["instanceClass"] == primary(prod_plan).inputs["instanceClass"]


def test_prod_reads_from_the_replica(prod_plan):
    [replica] = replicas(prod_plan)
    assert prod_plan.outputs["databaseReaderEndpoint"] == replica.outputs["address"]
    assert prod_plan.outputs["databaseEndpoint"] == primary(prod_plan).outputs["address"]


def test_staging_has_no_replica_and_reads_from_the_writer(staging_plan):
    assert not replicas(staging_plan)
    assert staging_plan.outputs["databaseReaderEndpoint"] == staging_plan.outputs["databaseEndpoint"]


def test_the_replica_exports_its_logs_to_encrypted_groups_with_retention(prod_plan):
    [replica] = replicas(prod_plan)
    assert replica.inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    groups = {g.inputs["name"]: g for g in prod_plan.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for log in ("postgresql", "upgrade"):
        group = groups[f"/aws/rds/instance/webstack-prod-postgres-replica-1/{log}"]
        assert group.inputs["retentionInDays"] == 90
        assert group.inputs["kmsKeyId"] == named(prod_plan, "aws:kms/key:Key", "logs-key").outputs["arn"]
        assert group.urn in replica.dependencies


def test_prod_database_has_deletion_protection_pulumi_protect_and_a_final_snapshot(prod_plan):
    db = primary(prod_plan)
    assert db.protect is True and db.inputs["deletionProtection"] is True
    assert db.inputs["skipFinalSnapshot"] is False
    assert re.fullmatch(r"webstack-prod-postgres-final-[0-9a-f]{8}", db.inputs["finalSnapshotIdentifier"])


def test_the_prod_replica_is_protected_too(prod_plan):
    [replica] = replicas(prod_plan)
    assert replica.protect is True and replica.inputs["deletionProtection"] is True


def test_final_snapshot_names_change_with_each_stack_instance(prod_plan):
    """Issue 9: a fixed name made the second teardown fail (the first snapshot still exists);
    the suffix is a RandomId, made once per stack instance and kept in state."""
    suffix = named(prod_plan, "random:index/randomId:RandomId", "database-final-snapshot")
    assert primary(prod_plan).inputs["finalSnapshotIdentifier"].endswith(suffix.outputs["hex"])


def test_unprotected_the_database_can_be_deleted_but_still_leaves_a_final_snapshot(unprotected_prod):
    for db in unprotected_prod.of_type(RDS):
        assert db.protect is False and db.inputs["deletionProtection"] is False
    db = primary(unprotected_prod).inputs
    assert db["skipFinalSnapshot"] is False
    assert re.fullmatch(r"webstack-prod-postgres-final-[0-9a-f]{8}", db["finalSnapshotIdentifier"])


# ---- Redis ----

@pytest.mark.parametrize("stack, nodes, node_type", [("staging", 2, "cache.t3.small"),
                                                     ("prod", 3, "cache.m6g.large")])
def test_node_count_and_type_follow_the_stack(plan_of, stack, nodes, node_type):
    redis = plan_of(stack).one(REDIS).inputs
    assert (redis["numCacheClusters"], redis["nodeType"]) == (nodes, node_type)


@pytest.mark.parametrize("stack", SCALED)
def test_the_cache_fails_over_automatically_across_zones(plan_of, stack):
    # AWS: Multi-AZ requires automatic failover, which requires a replica.
    redis = plan_of(stack).one(REDIS).inputs
    assert redis["automaticFailoverEnabled"] is True and redis["multiAzEnabled"] is True
    assert redis["numCacheClusters"] >= 2


@pytest.mark.parametrize("stack", SCALED)
def test_the_cache_spans_the_isolated_subnets_of_every_zone(plan_of, stack):
    plan = plan_of(stack)
    subnet_group = plan.one("aws:elasticache/subnetGroup:SubnetGroup").inputs
    assert len(set(isolated_zones(plan, subnet_group["subnetIds"]))) == ZONES[stack]
    assert plan.one(REDIS).inputs["subnetGroupName"] == subnet_group["name"]


@pytest.mark.parametrize("stack", SCALED)
def test_the_cache_is_encrypted_at_rest_and_in_transit(plan_of, stack):
    redis = plan_of(stack).one(REDIS).inputs
    assert redis["atRestEncryptionEnabled"] is True
    assert redis["transitEncryptionEnabled"] is True


@pytest.mark.parametrize("stack", SCALED)
def test_the_auth_token_is_a_secret_kept_in_secrets_manager(plan_of, stack):
    plan = plan_of(stack)
    token = named(plan, "random:index/randomPassword:RandomPassword", "cache-auth-token")
    assert token.inputs["length"] >= 32
    redis = plan.one(REDIS)
    assert redis.inputs["authToken"] == token.outputs["result"]
    assert "authToken" in redis.secret_inputs
    version = named(plan, "aws:secretsmanager/secretVersion:SecretVersion",
                    "cache-auth-secret-value")
    assert version.inputs["secretString"] == token.outputs["result"]
    assert "secretString" in version.secret_inputs
    assert version.inputs["secretId"] == named(plan, "aws:secretsmanager/secret:Secret",
                                               "cache-auth-secret").id


@pytest.mark.parametrize("stack", SCALED)
def test_only_the_app_tasks_reach_6379(plan_of, stack):
    plan = plan_of(stack)
    group = security_group(plan, "cache")
    [rule] = ingress_of(plan, group)
    assert rule.inputs["referencedSecurityGroupId"] == tasks_group(plan).id
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (6379, 6379)
    assert plan.one(REDIS).inputs["securityGroupIds"] == [group.id]


@pytest.mark.parametrize("stack, days", [("staging", 7), ("prod", 30)])
def test_snapshots_are_kept_with_a_final_one(plan_of, stack, days):
    redis = plan_of(stack).one(REDIS).inputs
    assert redis["snapshotRetentionLimit"] == days
    assert re.fullmatch(f"webstack-{stack}-redis-final-[0-9a-f]{{8}}", redis["finalSnapshotIdentifier"])


@pytest.mark.parametrize("stack", SCALED)
def test_maintenance_never_overlaps_the_snapshot_window(plan_of, stack):
    redis = plan_of(stack).one(REDIS).inputs
    (s0, s1), (m0, m1) = minutes(redis["snapshotWindow"]), minutes(redis["maintenanceWindow"])
    assert not (s0 < m1 and m0 < s1)


def test_the_prod_cache_is_protected(prod_plan):
    assert prod_plan.one(REDIS).protect is True


def test_unprotected_the_cache_still_leaves_a_final_snapshot(unprotected_prod):
    redis = unprotected_prod.one(REDIS)
    assert redis.protect is False
    assert re.fullmatch(r"webstack-prod-redis-final-[0-9a-f]{8}", redis.inputs["finalSnapshotIdentifier"])
