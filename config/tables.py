"""`webstack:tables`: the product's DynamoDB tables, keyed by name, checked before any resource.

`{"todos": {"hashKey": "userId", "rangeKey": "todoId", "ttlAttribute": "expiresAt"}}` makes the
table `<stack prefix>-todos`. Every problem names `webstack:tables.<name>.<key>`, the value and
what is allowed.
"""
from __future__ import annotations

import json
import re
from typing import Any, Optional

from config.named_objects import load_named_objects, parse_each, unknown_key_problem
from config.settings import TableSettings

KEY = "webstack:tables"
FIELDS = ("hashKey", "hashKeyType", "rangeKey", "rangeKeyType", "ttlAttribute")
# Scalar key types: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_KeySchemaElement.html
# ("The data type must be one of String, Number, or Binary").
KEY_TYPES = ("S", "N", "B")
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html:
# table names are 3 to 255 of a-z, A-Z, 0-9, _, - and . ; the stack prefix takes up to ~110, so
# the name in config keeps to 64 (this program's limit, also short enough for alarm names).
TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_TABLE_NAME = 64
# API_KeySchemaElement and API_TimeToLiveSpecification: AttributeName is 1 to 255 long.
MAX_ATTRIBUTE_NAME = 255
EXAMPLE = '{"todos": {"hashKey": "userId", "rangeKey": "todoId", "ttlAttribute": "expiresAt"}}'
# The stack's own table, <prefix>-deployments (components/observability/deployment_history.py):
# a config table of that name would be a second CreateTable of one name, refused at the first
# `pulumi up` (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html:
# ResourceInUseException).
DEPLOYMENT_HISTORY_TABLE = "deployments"
# The tiers that build no tables: a table given to them would be silently ignored.
TIERS_WITHOUT_TABLES = ("mvp", "scaled")


class TablesError(ValueError):
    """Every problem of `tables`, each naming its table and key."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def load_tables(raw: Any) -> dict:
    """The raw `tables` value as an object (Pulumi passes structured config as JSON)."""
    try:
        return _as_object(raw)
    except TablesError as err:
        raise ValueError(str(err).split("allowed: ", 1)[-1]) from None


def parse_tables(raw: Any, tier: Optional[str]) -> tuple[TableSettings, ...]:
    """The tables sorted by name, or TablesError listing every problem."""
    given = _as_object(raw)
    if not given:
        raise TablesError([f"{KEY} = {{}} is not valid; allowed: one or more tables by name, "
                           f"e.g. {EXAMPLE}, or unset for none"])
    if tier in TIERS_WITHOUT_TABLES:
        raise TablesError([f"{KEY} is not valid with webstack:tier = {tier!r}; allowed: unset "
                           "(the mvp and scaled tiers build no DynamoDB tables)"])
    tables, problems = parse_each(given, _table)
    if problems:
        raise TablesError(problems)
    return tuple(tables)


def _as_object(raw: Any) -> dict:
    return load_named_objects(raw, KEY, "table", EXAMPLE, TablesError)


def _table(name: str, spec: Any) -> tuple[Optional[TableSettings], list[str]]:
    where = f"{KEY}.{name}"
    problems = []
    if not TABLE_NAME.match(name):
        problems.append(f"{KEY}: the table name {name!r} is not valid; allowed: 1 to "
                        f"{MAX_TABLE_NAME} letters, digits, _, - or . (DynamoDB's table name "
                        "characters; the stack's prefix comes first)")
    if name == DEPLOYMENT_HISTORY_TABLE:
        problems.append(f"{KEY}: the table name {name!r} is the stack's deployment history "
                        "table; allowed: any other name")
    if not isinstance(spec, dict):
        return None, problems + [f"{where} = {json.dumps(spec)} is not valid; allowed: an object "
                                 f"with hashKey and any of {', '.join(FIELDS[1:])}"]
    for key in spec:
        if key not in FIELDS:
            problems.append(unknown_key_problem(where, key, FIELDS, "table", by_prefix=True))
    if "hashKey" not in spec:
        problems.append(f"{where}.hashKey is required but not set; allowed: the partition key's "
                        "attribute name, e.g. userId")
    for key in ("hashKey", "rangeKey", "ttlAttribute"):
        if key in spec:
            problems += _attribute_problems(where, key, spec[key])
    for key in ("hashKeyType", "rangeKeyType"):
        if key in spec and spec[key] not in KEY_TYPES:
            problems.append(f"{where}.{key} = {json.dumps(spec[key])} is not valid; allowed: "
                            "S (string), N (number) or B (binary), DynamoDB's key types")
    if "rangeKeyType" in spec and "rangeKey" not in spec:
        problems.append(f"{where}.rangeKeyType = {json.dumps(spec['rangeKeyType'])} is not valid "
                        "without rangeKey; allowed: set rangeKey too, or leave both out")
    problems += _clash_problems(where, spec)
    if problems:
        return None, problems
    return TableSettings(name=name, hash_key=spec["hashKey"],
                         hash_key_type=spec.get("hashKeyType", "S"),
                         range_key=spec.get("rangeKey"),
                         range_key_type=spec.get("rangeKeyType", "S"),
                         ttl_attribute=spec.get("ttlAttribute")), []


def _attribute_problems(where: str, key: str, value: Any) -> list[str]:
    if isinstance(value, str) and 1 <= len(value) <= MAX_ATTRIBUTE_NAME:
        return []
    return [f"{where}.{key} = {json.dumps(value)} is not valid; allowed: an attribute name of 1 "
            f"to {MAX_ATTRIBUTE_NAME} characters (DynamoDB's limit), e.g. userId"]


def _clash_problems(where: str, spec: dict) -> list[str]:
    """Two roles for one attribute. CreateTable refuses one attribute as both keys ("Both the Hash
    Key and the Range Key element in the KeySchema have the same name", the ValidationException
    DynamoDB emulators such as dynalite reproduce); a key as the expiry attribute is this
    program's own refusal (TTL would delete items by their key)."""
    problems = []
    hash_key, range_key, ttl = spec.get("hashKey"), spec.get("rangeKey"), spec.get("ttlAttribute")
    if range_key is not None and range_key == hash_key:
        problems.append(f"{where}.rangeKey = {json.dumps(range_key)} is not valid; allowed: an "
                        "attribute other than hashKey")
    if ttl is not None and ttl in (hash_key, range_key):
        problems.append(f"{where}.ttlAttribute = {json.dumps(ttl)} is not valid; allowed: an "
                        "attribute that is not part of the key (TTL reads it as the item's expiry "
                        "time, in epoch seconds)")
    return problems
