"""RDS Proxy: TLS and IAM authentication required, the database's master secret (RDS's own or the
stack's) read by the proxy's role, PostgreSQL only from the functions, the database admitting it."""
import json

import pytest

import preflight

from components.data.database import Database, DatabaseArgs
from components.data.database_proxy import DatabaseProxy, DatabaseProxyArgs, proxy_connect_arn
from config.settings import DatabaseSettings
from tests.components_under_mocks import components_plan
from tests.support import INGRESS, EGRESS, security_group

PROXY = "aws:rds/proxy:Proxy"
FUNCTIONS_GROUP = "sg-functions"
PROXY_SUBNETS = ["subnet-private-a", "subnet-private-b"]


def proxy_plan(read_replicas: int, unknowns: bool = False):
    settings = DatabaseSettings("db.t3.micro", "16", 20, 100, 7, "app", "webstack_admin", False,
                                read_replicas)

    def build():
        database = Database("database", DatabaseArgs(
            "webstack-dev", settings, "vpc-1", ["subnet-isolated-a", "subnet-isolated-b"],
            "sg-backend", 30, "arn:aws:kms:ap-northeast-2:123456789012:key/logs", True,
            "ap-northeast-2", rotation_subnet_ids=PROXY_SUBNETS))
        proxy = DatabaseProxy("postgres-proxy", DatabaseProxyArgs(
            "webstack-dev", database, "vpc-1", PROXY_SUBNETS, FUNCTIONS_GROUP, "ap-northeast-2"))
        return {"connect": proxy.connect_arn("app_user"), "endpoint": proxy.endpoint,
                "arn": proxy.arn, "group": proxy.security_group_id}
    return components_plan(build, stack="dev", unknowns=unknowns)


@pytest.fixture(scope="module")
def rds_managed():
    """The database whose master password RDS keeps in its own secret (no replicas)."""
    return proxy_plan(read_replicas=0)


@pytest.fixture(scope="module")
def stack_owned():
    """With a read replica, the stack owns the secret (RDS refuses its own with replicas)."""
    return proxy_plan(read_replicas=1)


def proxy_group(plan):
    [group] = [g for g in plan.of_type("aws:ec2/securityGroup:SecurityGroup")
               if g.inputs["tags"]["Name"] == "webstack-dev-postgres-proxy"]
    return group


def test_clients_must_use_tls_and_iam_tokens(rds_managed):
    proxy = rds_managed[0].one(PROXY).inputs
    assert proxy["engineFamily"] == "POSTGRESQL" and proxy["requireTls"] is True
    [auth] = proxy["auths"]
    assert (auth["authScheme"], auth["iamAuth"]) == ("SECRETS", "REQUIRED")
    assert proxy["debugLogging"] is False  # it would log SQL statements, values included
    assert proxy["vpcSubnetIds"] == PROXY_SUBNETS


def test_the_proxy_logs_in_with_the_secret_rds_manages(rds_managed):
    plan, _ = rds_managed
    instance = plan.one("aws:rds/instance:Instance")
    [auth] = plan.one(PROXY).inputs["auths"]
    assert auth["secretArn"] == instance.outputs["masterUserSecrets"][0]["secretArn"]


def test_with_replicas_the_proxy_logs_in_with_the_stacks_secret(stack_owned):
    plan, _ = stack_owned
    secret = plan.one("aws:secretsmanager/secret:Secret")
    [auth] = plan.one(PROXY).inputs["auths"]
    assert auth["secretArn"] == secret.outputs["arn"]


@pytest.mark.parametrize("variant", ["rds_managed", "stack_owned"])
def test_the_proxys_role_reads_that_secret_alone_and_decrypts_it_through_secrets_manager(
        request, variant):
    plan, _ = request.getfixturevalue(variant)
    [auth] = plan.one(PROXY).inputs["auths"]
    role = plan.one("aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "rds.amazonaws.com"}]
    assert plan.one(PROXY).inputs["roleArn"] == role.outputs["arn"]
    read, decrypt = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])["Statement"]
    assert (read["Action"], read["Resource"]) == ("secretsmanager:GetSecretValue", auth["secretArn"])
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Resource"] == "arn:aws:kms:ap-northeast-2:123456789012:key/*"
    assert decrypt["Condition"] == {"StringEquals": {
        "kms:ViaService": "secretsmanager.ap-northeast-2.amazonaws.com",
        "kms:EncryptionContext:SecretARN": auth["secretArn"]}}


def test_only_the_functions_reach_the_proxy_and_the_proxy_only_the_database(rds_managed):
    plan, outputs = rds_managed
    group, database = proxy_group(plan), security_group(plan, "database")
    assert group.inputs["tags"]["Role"] == "backend"  # the role the database's group admits
    assert outputs["group"] == group.id
    [into_proxy] = [r for r in plan.of_type(INGRESS) if r.inputs["securityGroupId"] == group.id]
    assert (into_proxy.inputs["referencedSecurityGroupId"], into_proxy.inputs["fromPort"],
            into_proxy.inputs["toPort"]) == (FUNCTIONS_GROUP, 5432, 5432)
    [out_of_proxy] = [r for r in plan.of_type(EGRESS) if r.inputs["securityGroupId"] == group.id]
    assert (out_of_proxy.inputs["referencedSecurityGroupId"], out_of_proxy.inputs["fromPort"]) == (
        database.id, 5432)
    admitted = {r.inputs["referencedSecurityGroupId"] for r in plan.of_type(INGRESS)
                if r.inputs["securityGroupId"] == database.id and r.inputs["fromPort"] == 5432}
    assert group.id in admitted
    assert plan.one(PROXY).inputs["vpcSecurityGroupIds"] == [group.id]


def test_the_default_target_group_targets_the_primary(rds_managed):
    plan, _ = rds_managed
    proxy = plan.one(PROXY)
    target_group = plan.one("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup")
    target = plan.one("aws:rds/proxyTarget:ProxyTarget")
    assert target_group.inputs["dbProxyName"] == target.inputs["dbProxyName"] == "webstack-dev-postgres-proxy"
    assert proxy.inputs["name"] == "webstack-dev-postgres-proxy"
    assert target.inputs["dbInstanceIdentifier"] == "webstack-dev-postgres"
    assert target_group.inputs["connectionPoolConfig"]["maxConnectionsPercent"] == 90


def test_the_connect_arn_names_the_proxys_resource_id_and_the_user(rds_managed):
    plan, outputs = rds_managed
    resource_id = plan.one(PROXY).outputs["arn"].split(":")[-1]
    assert resource_id.startswith("prx-")
    assert outputs["connect"] == f"arn:aws:rds-db:ap-northeast-2:123456789012:dbuser:{resource_id}/app_user"
    assert outputs["endpoint"] == plan.one(PROXY).outputs["endpoint"]


def test_the_connect_arn_is_read_from_the_proxys_arn():
    assert proxy_connect_arn("arn:aws:rds:us-east-2:210987654321:db-proxy:prx-0123abcd",
                             "us-east-2", "reader") == \
        "arn:aws:rds-db:us-east-2:210987654321:dbuser:prx-0123abcd/reader"


@pytest.mark.parametrize("variant", ["rds_managed", "stack_owned"])
def test_the_proxy_passes_preflight(request, variant):
    plan, _ = request.getfixturevalue(variant)
    assert preflight.errors(preflight.check(plan)) == []


def test_a_first_run_passes_preflight_with_the_arns_still_unknown():
    plan, outputs = proxy_plan(read_replicas=0, unknowns=True)
    assert outputs["connect"] is None  # the proxy's ARN is not known before it exists
    assert preflight.errors(preflight.check(plan)) == []
