"""The deployment history table: on demand, recoverable, encrypted, records expire by TTL."""
import pytest

from components.observability.deployment_history import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from tests.conftest import STACKS

TABLE = "aws:dynamodb/table:Table"


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_keeps_its_deployment_history(plan_of, stack):
    plan = plan_of(stack)
    table = plan.one(TABLE)
    assert table.inputs["name"] == f"webstack-{stack}-deployments"
    assert plan.outputs["deploymentHistoryTable"] == table.inputs["name"]


def test_the_table_is_on_demand_keyed_by_stack_and_time(prod_plan):
    inputs = prod_plan.one(TABLE).inputs
    assert inputs["billingMode"] == "PAY_PER_REQUEST"
    assert (inputs["hashKey"], inputs["rangeKey"]) == (PARTITION_KEY, SORT_KEY)
    assert {(a["name"], a["type"]) for a in inputs["attributes"]} == {(PARTITION_KEY, "S"),
                                                                      (SORT_KEY, "S")}


def test_records_expire_through_the_ttl_attribute(prod_plan):
    assert prod_plan.one(TABLE).inputs["ttl"] == {"attributeName": TTL_ATTRIBUTE, "enabled": True}


def test_the_table_is_recoverable_and_encrypted(prod_plan):
    inputs = prod_plan.one(TABLE).inputs
    assert inputs["pointInTimeRecovery"] == {"enabled": True, "recoveryPeriodInDays": 35}
    assert inputs["serverSideEncryption"]["enabled"] is True


@pytest.mark.parametrize("stack, protected", [("dev", False), ("prod", True)])
def test_protection_follows_protect_data(plan_of, stack, protected):
    table = plan_of(stack).one(TABLE)
    assert table.protect is protected
    assert table.inputs["deletionProtectionEnabled"] is protected
