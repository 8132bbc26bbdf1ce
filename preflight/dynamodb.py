"""DynamoDB: table names, key schemas and their attribute definitions, TTL attributes, the
point-in-time recovery period."""
from __future__ import annotations

from preflight.model import cites, found, known, name_problems
from preview.plan import Plan

TABLE = "aws:dynamodb/table:Table"
TABLE_NAME = r"[A-Za-z0-9_.-]+"
MAX_ATTRIBUTE_NAME = 255
KEY_TYPES = ("S", "N", "B")


@cites("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html")
def table_names(plan: Plan) -> list:
    """3 to 255 characters of a-z, A-Z, 0-9, _, - and ."""
    findings = []
    for table in plan.of_type(TABLE):
        name = table.inputs.get("name")
        if not isinstance(name, str) or not known(name):
            continue
        problems = name_problems(name, most=255, pattern=TABLE_NAME, what="table name")
        if len(name) < 3:
            problems.append(f"table name {name!r} has {len(name)} characters; allowed: 3 to 255")
        findings += [found(table_names, table, problem) for problem in problems]
    return findings


def _keys(table) -> list[str]:
    return [name for name in (table.inputs.get("hashKey"), table.inputs.get("rangeKey"))
            if isinstance(name, str)]


@cites("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_KeySchemaElement.html")
def key_schemas(plan: Plan) -> list:
    """A partition key, a sort key other than it, each named in 1 to 255 characters."""
    findings = []
    for table in plan.of_type(TABLE):
        if not table.inputs.get("hashKey"):
            findings.append(found(key_schemas, table, "no hashKey (the partition key)"))
        for key in _keys(table):
            if not 1 <= len(key) <= MAX_ATTRIBUTE_NAME:
                findings.append(found(key_schemas, table, f"key attribute name of {len(key)} "
                                      f"characters; allowed: 1 to {MAX_ATTRIBUTE_NAME}"))
        if table.inputs.get("rangeKey") is not None and \
                table.inputs.get("rangeKey") == table.inputs.get("hashKey"):
            findings.append(found(key_schemas, table, f"hashKey and rangeKey are both "
                                  f"{table.inputs['hashKey']!r}"))
    return findings


@cites("https://docs.rs/aws-sdk-dynamodb/0.5.2/aws_sdk_dynamodb/input/create_table_input/struct.Builder.html")
def attributes_are_the_keys(plan: Plan) -> list:
    """CreateTable's AttributeDefinitions describe the key schema (of the table and its indexes):
    each key attribute defined once, as S, N or B, and no attribute that no key uses."""
    findings = []
    for table in plan.of_type(TABLE):
        if table.inputs.get("globalSecondaryIndexes") or table.inputs.get("localSecondaryIndexes"):
            continue  # index keys may define more attributes; this program builds no indexes
        defined = [a.get("name") for a in table.inputs.get("attributes") or []]
        types = [a.get("type") for a in table.inputs.get("attributes") or []]
        if sorted(defined) != sorted(set(_keys(table))):
            findings.append(found(attributes_are_the_keys, table,
                                  f"attributes {defined} are not exactly the keys {_keys(table)}"))
        findings += [found(attributes_are_the_keys, table, f"attribute type {kind!r}; allowed: "
                           "S, N or B") for kind in types if kind not in KEY_TYPES]
    return findings


@cites("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TimeToLiveSpecification.html")
def ttl_attributes(plan: Plan) -> list:
    """An enabled TTL names its attribute in 1 to 255 characters."""
    findings = []
    for table in plan.of_type(TABLE):
        ttl = table.inputs.get("ttl") or {}
        name = ttl.get("attributeName")
        if ttl.get("enabled") and not (isinstance(name, str) and
                                       1 <= len(name) <= MAX_ATTRIBUTE_NAME):
            findings.append(found(ttl_attributes, table, f"TTL attributeName {name!r}; allowed: "
                                  f"1 to {MAX_ATTRIBUTE_NAME} characters"))
    return findings


@cites("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PointInTimeRecoverySpecification.html")
def point_in_time_recovery_period(plan: Plan) -> list:
    """RecoveryPeriodInDays is 1 to 35."""
    return [found(point_in_time_recovery_period, table,
                  f"recoveryPeriodInDays {days}; allowed: 1 to 35")
            for table in plan.of_type(TABLE)
            if isinstance(days := (table.inputs.get("pointInTimeRecovery") or {})
                          .get("recoveryPeriodInDays"), (int, float)) and not 1 <= days <= 35]


RULES = [table_names, key_schemas, attributes_are_the_keys, ttl_attributes,
         point_in_time_recovery_period]
