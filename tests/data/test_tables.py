"""DynamoDB tables: on demand, point-in-time recovery, the stack's own rotated KMS key, TTL where
configured, and deletion protection plus Pulumi's protect in protected stacks."""
import json

import pytest

import preflight

from components.data.tables import Tables, TablesArgs
from config.settings import TableSettings
from tests.components_under_mocks import components_plan

TABLE = "aws:dynamodb/table:Table"
KEY = "aws:kms/key:Key"
HANBIT = (TableSettings("todos", "userId", range_key="todoId", ttl_attribute="expiresAt"),
          TableSettings("counters", "id", hash_key_type="N"))


def tables_plan(protect: bool, tables=HANBIT, unknowns: bool = False):
    def build():
        built = Tables("tables", TablesArgs("webstack-prod", tables, protect))
        return {"names": built.names, "arns": built.arns, "key_arn": built.key_arn}
    return components_plan(build, unknowns=unknowns)


@pytest.fixture(scope="module")
def protected():
    return tables_plan(protect=True)


@pytest.fixture(scope="module")
def unprotected():
    return tables_plan(protect=False)


def by_name(plan):
    return {table.inputs["name"]: table for table in plan.of_type(TABLE)}


def test_each_table_is_on_demand_with_point_in_time_recovery(protected):
    plan, _ = protected
    assert sorted(by_name(plan)) == ["webstack-prod-counters", "webstack-prod-todos"]
    for table in plan.of_type(TABLE):
        assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
        assert "readCapacity" not in table.inputs and "writeCapacity" not in table.inputs
        assert table.inputs["pointInTimeRecovery"] == {"enabled": True, "recoveryPeriodInDays": 35}


def test_every_table_is_encrypted_with_the_stacks_own_rotated_key(protected):
    plan, outputs = protected
    key = plan.one(KEY)
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    for table in plan.of_type(TABLE):
        assert table.inputs["serverSideEncryption"] == {"enabled": True,
                                                        "kmsKeyArn": key.outputs["arn"]}
    assert outputs["key_arn"] == key.outputs["arn"]


def test_the_key_policy_leaves_the_key_to_the_accounts_iam(protected):
    """No wildcard principal: who may use the tables' key is decided by IAM (the functions'
    roles get Decrypt/Encrypt/GenerateDataKey), and the account can always administer it."""
    [statement] = json.loads(protected[0].one(KEY).inputs["policy"])["Statement"]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert statement["Effect"] == "Allow" and statement["Action"] == "kms:*"


def test_the_keys_are_the_only_attributes_defined_and_ttl_only_where_configured(protected):
    tables = by_name(protected[0])
    todos, counters = tables["webstack-prod-todos"].inputs, tables["webstack-prod-counters"].inputs
    # CreateTable refuses attribute definitions that no key uses.
    assert todos["attributes"] == [{"name": "userId", "type": "S"}, {"name": "todoId", "type": "S"}]
    assert (todos["hashKey"], todos["rangeKey"]) == ("userId", "todoId")
    assert todos["ttl"] == {"attributeName": "expiresAt", "enabled": True}
    assert counters["attributes"] == [{"name": "id", "type": "N"}]
    assert "rangeKey" not in counters and "ttl" not in counters


def test_a_protected_stack_protects_the_tables_and_their_key(protected):
    plan, _ = protected
    for table in plan.of_type(TABLE):
        assert table.inputs["deletionProtectionEnabled"] is True and table.protect
    assert plan.one(KEY).protect


def test_an_unprotected_stack_can_delete_them(unprotected):
    plan, _ = unprotected
    for table in plan.of_type(TABLE):
        assert table.inputs["deletionProtectionEnabled"] is False and not table.protect
    assert not plan.one(KEY).protect


def test_the_names_and_arns_are_keyed_by_the_config_name(protected):
    plan, outputs = protected
    assert outputs["names"] == {"todos": "webstack-prod-todos",
                                "counters": "webstack-prod-counters"}
    assert outputs["arns"] == {name: by_name(plan)[table].outputs["arn"]
                               for name, table in outputs["names"].items()}


def test_every_resource_is_a_child_of_the_component(protected):
    plan, _ = protected
    [component] = plan.of_type("webstack:tables:Tables")
    assert all(r.parent == component.urn for r in plan if r is not component)


def test_no_tables_is_a_mistake_of_the_caller():
    with pytest.raises(ValueError, match="at least one table"):
        tables_plan(protect=True, tables=())


def test_the_tables_pass_preflight(protected):
    assert preflight.errors(preflight.check(protected[0])) == []


def test_a_first_run_passes_preflight_with_the_key_still_unknown():
    plan, _ = tables_plan(protect=True, unknowns=True)
    assert preflight.errors(preflight.check(plan)) == []
    assert all(t.inputs["name"].startswith("webstack-prod-") for t in plan.of_type(TABLE))
