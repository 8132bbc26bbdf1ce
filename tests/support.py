"""Small readers over a Plan, shared by the tests."""
from components.data.database_credentials import ROTATION_GROUP_SUFFIX
from preview.plan import Plan, PlannedResource

SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def named(plan: Plan, type_token: str, name: str) -> PlannedResource:
    matches = [r for r in plan.of_type(type_token) if r.name == name]
    assert len(matches) == 1, f"expected one {type_token} named {name}, found {len(matches)}"
    return matches[0]


def security_group(plan: Plan, role: str) -> PlannedResource:
    """The component's group of that role (the password rotation function's, which the database
    admits as a backend too, aside: see `rotation_group`)."""
    groups = [g for g in plan.of_type(SG) if g.inputs.get("tags", {}).get("Role") == role
              and g is not rotation_group(plan)]
    assert len(groups) == 1, f"expected one security group with Role={role}, found {len(groups)}"
    return groups[0]


def ingress_of(plan: Plan, group: PlannedResource) -> list[PlannedResource]:
    return [r for r in plan.of_type(INGRESS) if r.inputs["securityGroupId"] == group.id]


def egress_of(plan: Plan, group: PlannedResource) -> list[PlannedResource]:
    return [r for r in plan.of_type(EGRESS) if r.inputs["securityGroupId"] == group.id]


def ports(rules: list[PlannedResource]) -> set[tuple[int, int]]:
    return {(r.inputs["fromPort"], r.inputs["toPort"]) for r in rules}


def rotation_group(plan: Plan):
    """The security group of the database password's rotation function, or None."""
    return next((g for g in plan.of_type(SG)
                 if g.inputs.get("tags", {}).get("Name", "").endswith(ROTATION_GROUP_SUFFIX)), None)


def assert_refused_before_any_resource(stack: str, key: str, value) -> str:
    """`--set key=value` on `stack` fails with the ConfigError naming the key, and the program
    registers nothing first; returns the error's message."""
    from config.keys import ConfigError
    from preview.engine import run_preview

    registered = []
    try:
        run_preview(stack, overrides={key: str(value)}, registrations=registered)
    except ConfigError as err:
        message = str(err)
        assert f"webstack:{key}" in message
    else:
        raise AssertionError(f"webstack:{key} = {value!r} was accepted")
    assert registered == []
    return message
