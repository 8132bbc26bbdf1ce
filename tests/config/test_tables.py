"""`webstack:tables`: DynamoDB tables from config, each problem naming its table and key."""
import json

import pytest

from config.keys import parse_settings
from config.settings import TableSettings
from config.tables import TablesError, load_tables, parse_tables
from tests.support import refused_before_any_resource

TIER = "serverless"  # the tier that builds tables


def problems_of(raw) -> list[str]:
    with pytest.raises(TablesError) as err:
        parse_tables(json.dumps(raw), TIER)
    return err.value.problems


def test_a_table_takes_its_keys_types_and_expiry_sorted_by_name():
    tables = parse_tables(json.dumps({
        "todos": {"hashKey": "userId", "rangeKey": "todoId", "ttlAttribute": "expiresAt"},
        "audits": {"hashKey": "id", "hashKeyType": "N"}}), TIER)
    assert tables == (
        TableSettings("audits", "id", hash_key_type="N"),
        TableSettings("todos", "userId", range_key="todoId", ttl_attribute="expiresAt"))


def test_stacks_without_tables_have_none():
    settings = parse_settings({"tier": "mvp"}, stack="dev", region="ap-northeast-2")
    assert settings.tables == ()


@pytest.mark.parametrize("raw, expected", [
    ({"to do": {"hashKey": "id"}},
     "webstack:tables: the table name 'to do' is not valid; allowed: 1 to 64 letters, digits, _, "
     "- or ."),
    ({"t" * 65: {"hashKey": "id"}}, f"the table name {'t' * 65!r} is not valid"),
    ({"todos": {}}, "webstack:tables.todos.hashKey is required but not set; allowed: the "
                    "partition key's attribute name"),
    ({"todos": {"hashKey": ""}}, 'webstack:tables.todos.hashKey = "" is not valid; allowed: an '
                                 "attribute name of 1 to 255 characters"),
    ({"todos": {"hashKey": "k" * 256}}, "webstack:tables.todos.hashKey = "),
    ({"todos": {"hashKey": "id", "rangeKey": 7}}, "webstack:tables.todos.rangeKey = 7 is not valid"),
    ({"todos": {"hashKey": "id", "hashKeyType": "string"}},
     'webstack:tables.todos.hashKeyType = "string" is not valid; allowed: S (string), N (number) '
     "or B (binary)"),
    ({"todos": {"hashKey": "id", "rangeKeyType": "N"}},
     'webstack:tables.todos.rangeKeyType = "N" is not valid without rangeKey'),
    ({"todos": {"hashKey": "id", "rangeKey": "id"}},
     'webstack:tables.todos.rangeKey = "id" is not valid; allowed: an attribute other than hashKey'),
    ({"todos": {"hashKey": "id", "ttlAttribute": "id"}},
     'webstack:tables.todos.ttlAttribute = "id" is not valid; allowed: an attribute that is not '
     "part of the key"),
    ({"todos": {"hashKey": "id", "ttl": "expiresAt"}},
     "webstack:tables.todos.ttl is not a table key; allowed: hashKey, hashKeyType, rangeKey, "
     "rangeKeyType, ttlAttribute; did you mean ttlAttribute?"),
    ({"todos": "userId"}, 'webstack:tables.todos = "userId" is not valid; allowed: an object with '
                          "hashKey"),
    ({}, "webstack:tables = {} is not valid; allowed: one or more tables by name"),
])
def test_each_bad_table_names_its_key_value_and_what_is_allowed(raw, expected):
    assert any(expected in problem for problem in problems_of(raw)), problems_of(raw)


def test_a_table_named_like_the_deployment_history_is_refused():
    # Both would be the DynamoDB table <prefix>-deployments: CreateTable refuses the second.
    [problem] = problems_of({"deployments": {"hashKey": "id"}})
    assert problem.startswith("webstack:tables: the table name 'deployments' is the stack's")


def test_every_problem_of_every_table_is_reported_at_once():
    problems = problems_of({"a": {"hashKeyType": "X"}, "b": {"hashKey": "id", "sortKey": "x"}})
    assert [p.split(" ")[0] for p in problems] == [
        "webstack:tables.a.hashKey", "webstack:tables.a.hashKeyType", "webstack:tables.b.sortKey"]


def test_a_table_named_twice_is_refused_rather_than_the_last_kept():
    with pytest.raises(TablesError, match="'todos' is given twice"):
        parse_tables('{"todos": {"hashKey": "a"}, "todos": {"hashKey": "b"}}', TIER)


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]"])
def test_a_value_that_is_not_an_object_of_tables_is_refused(raw):
    with pytest.raises(ValueError, match="an object of tables by name"):
        load_tables(raw)


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_the_tiers_without_tables_refuse_them_before_any_resource(stack):
    message = refused_before_any_resource(stack, {"tables": '{"todos": {"hashKey": "id"}}'})
    tier = "mvp" if stack == "dev" else "scaled"
    assert (f"webstack:tables is not valid with webstack:tier = '{tier}'; allowed: unset"
            in message)
