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


def refused_before_any_resource(stack: str, overrides: dict) -> str:
    """Previewing `stack` with `overrides` (as `--set`) fails with the ConfigError, and the program
    registers nothing first; returns the error's message."""
    from config.keys import ConfigError
    from preview.engine import run_preview

    registered = []
    try:
        run_preview(stack, overrides=overrides, registrations=registered)
    except ConfigError as err:
        message = str(err)
    else:
        raise AssertionError(f"{overrides!r} was accepted")
    assert registered == []
    return message


# The components a service owns, by their logical name (config/services.py names the service).
SERVICE_COMPONENTS = {"webstack:service:Service": "{}", "webstack:load_balancer:Route": "{}",
                      "webstack:service:ServiceFirewall": "{}-firewall",
                      "webstack:registry:Registry": "{}-registry"}


def service_names(plan: Plan) -> list[str]:
    return sorted(r.name for r in plan.of_type("webstack:service:Service"))


def one_service(plan: Plan, keep: str) -> Plan:
    """The plan as `keep` sees it: every shared resource, its own, and none of the other services'
    (their components, what those own, and their alarms)."""
    others = [name for name in service_names(plan) if name != keep]
    roots = {pattern.format(other) for other in others for pattern in SERVICE_COMPONENTS.values()}
    dropped = {r.urn for r in plan if r.type in SERVICE_COMPONENTS and r.name in roots}
    dropped |= {r.urn for r in plan if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"
                and any(r.name.startswith(f"alarms-{other}-") for other in others)}
    for resource in plan:  # registration order: a parent comes before its children
        if resource.parent in dropped:
            dropped.add(resource.urn)
    return Plan(plan.stack, [r for r in plan if r.urn not in dropped], plan.outputs,
                plan.secret_outputs)


def tasks_group(plan: Plan) -> PlannedResource:
    """The group every task shares (out to HTTPS and the data stores, which admit it)."""
    [group] = [g for g in plan.of_type(SG) if g.inputs["tags"]["Name"] == f"webstack-{plan.stack}-app"]
    return group


def service_group(plan: Plan, service: str) -> PlannedResource:
    """A service's own group (in from the ALB and its declared callers)."""
    [group] = [g for g in plan.of_type(SG)
               if g.inputs["tags"]["Name"] == f"webstack-{plan.stack}-svc-{service}"]
    return group
