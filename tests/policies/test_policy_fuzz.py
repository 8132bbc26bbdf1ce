"""No policy raises on a value of an unexpected type: random JSON (numbers, strings, lists, objects,
null, "inf", "1e999") for every property any policy reads, on every resource type the pack
judges. A malformed value is reported or skipped, never a crash: the pack's safety net in
`policies._policy.guarded` turns a crash into a report, so these tests fail if it is ever reached."""
from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_kit import res
from policy_stack import PACK_CONFIG, compliant_stack, plan_of
from preview.plan import Plan
from pulumi_policy import ResourceValidationPolicy

from policies import _aws as aws
from policies._policy import UNEXPECTED_SHAPE
from policies.offline import evaluate
from policies.pack import ALL_POLICIES

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"
READERS = {"get", "dig", "known", "known_elements", "resolve", "attached", "unattached"}


def _names_read() -> list[str]:
    """Every string a policy passes to get/dig/known/resolve/attached: property names, and the
    keys of the documents they read (IAM statements, container definitions)."""
    names = set()
    for path in PACK_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in READERS:
                    names |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return sorted(n for n in names if n and " " not in n)


NAMES = _names_read()
RESOURCE_TYPES = sorted({t for p in ALL_POLICIES if isinstance(p, ResourceValidationPolicy)
                         for t in p._ResourceValidationPolicy__validate.resource_types}
                        | set(aws.BUCKETS) | set(aws.BUCKET_VERSIONING) | {aws.BUCKET_POLICY, aws.SECRET,
                        aws.SECRET_ROTATION, aws.WEB_ACL, aws.WEB_ACL_LOGGING, aws.SUBNET, aws.RDS_PARAMETER_GROUP,
                        *aws.LISTENER_RULES, aws.BUCKET_PUBLIC_ACCESS_BLOCK, *aws.BUCKET_ENCRYPTION,
                        aws.LAMBDA_FUNCTION, aws.LOG_GROUP, aws.API_STAGE, aws.API_METHOD_SETTINGS,
                        aws.API_USAGE_PLAN})
ODD_STRINGS = st.sampled_from(["inf", "-inf", "1e999", "nan", "", " ", "true", "false", "*", "-1", "0", "65535",
                               "0.0.0.0/0", "::/0", "Suspended", "Enabled", "ObjectWriter", "http-only", "HTTP",
                               "default.postgres16", "postgres", "ingress", '{"Statement": 1}', "[{", "[1]"])
SCALARS = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | ODD_STRINGS | st.text(max_size=4)
           | st.floats(allow_nan=True, allow_infinity=True))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(NAMES), inner, max_size=3), max_leaves=6)
PROPS = st.dictionaries(st.sampled_from(NAMES), JSON, max_size=6)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _as_document(props: dict) -> dict:
    """Some properties are JSON documents in a string (policies, container definitions)."""
    return {key: json.dumps(value, allow_nan=True) if key in ("policy", "containerDefinitions") and not
            isinstance(value, str) else value for key, value in props.items()}


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(RESOURCE_TYPES), PROPS, st.booleans()), min_size=1, max_size=3))
def test_no_policy_crashes_on_values_of_unexpected_types(resources):
    planned = [res(resource_type, _as_document(props) if as_document else props, id=f"id-{index}")
               for index, (resource_type, props, as_document) in enumerate(resources)]
    found = evaluate(Plan("fuzz", planned), {})
    crashed = [f"{v.policy}: {v.message}" for v in found if v.message.startswith(UNEXPECTED_SHAPE)]
    assert crashed == []
    assert not [v for v in found if v.message.startswith("can't run")]  # nothing here is unknown


# ---- the compliant stack, one value anywhere replaced by random JSON ----

BASE = compliant_stack()
STACK_POLICIES = [p for p in ALL_POLICIES if not isinstance(p, ResourceValidationPolicy)]


def _paths(value, prefix=()):
    """Every path into a nested value (JSON strings such as policies are opened too)."""
    yield prefix
    if isinstance(value, str) and value[:1] in "[{":
        try:
            value = json.loads(value)
        except ValueError:
            return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replace(value, path, new):
    if not path:
        return new
    if isinstance(value, str):  # a JSON document: edit it, write it back
        return json.dumps(_replace(json.loads(value), path, new), allow_nan=True)
    copy = list(value) if isinstance(value, list) else dict(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


def _policies_for(resource_type: str) -> list:
    return [p for p in ALL_POLICIES if isinstance(p, ResourceValidationPolicy)
            and resource_type in p._ResourceValidationPolicy__validate.resource_types] + STACK_POLICIES


@FUZZ
@given(st.data())
def test_no_policy_crashes_when_any_value_of_a_real_stack_has_an_unexpected_type(data):
    key = data.draw(st.sampled_from(sorted(k for k in BASE if BASE[k].inputs)))
    resource = BASE[key]
    path = data.draw(st.sampled_from(list(_paths(dict(resource.inputs)))[1:]))
    inputs = _replace(dict(resource.inputs), path, data.draw(JSON))
    stack = {**BASE, key: dataclasses.replace(resource, inputs=inputs)}
    policies = _policies_for(resource.type)
    config = {name: value for name, value in PACK_CONFIG.items() if name in {p.name for p in policies}}
    found = evaluate(plan_of(stack), config, policies=policies)
    assert [f"{v.policy}: {v.message}" for v in found if v.message.startswith(UNEXPECTED_SHAPE)] == []


def test_the_safety_net_reports_a_crash_instead_of_raising():
    """Should a policy ever meet a shape nobody foresaw, the pack reports it and goes on."""
    from pulumi_policy import EnforcementLevel

    from policies._policy import resource_policy

    def brittle(args, report):
        report(str(1 / len(args.props)))

    policy = resource_policy("brittle-check", "A policy that divides by the number of inputs, to test the net: "
                             "it crashes on a resource with no inputs at all.", brittle, level=EnforcementLevel.ADVISORY)
    found = evaluate(Plan("t", [res(aws.KMS_KEY, {})]), {}, policies=[policy])
    assert [v.message for v in found] == [f"{UNEXPECTED_SHAPE} (ZeroDivisionError); check the resource's inputs"]
