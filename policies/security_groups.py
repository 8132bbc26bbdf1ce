"""Security groups: what the internet, admins and other groups may reach."""
from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from policies import _aws as aws
from policies._policy import (applies_to, cidr_list_setting, list_setting, port_list_setting, resource_policy,
                              settings, stack_policy)
from policies._props import UNKNOWN, as_ints, dig, elements, items, peek, present, tag_value
from policies._refs import identifiers, resolve
from policies._sg import RULE_TYPES, Ingress, ingress_rules, is_anywhere, within_any

PUBLIC_SCHEMA = {
    "publicPorts": port_list_setting([80, 443],
                                "Ports that may be open to 0.0.0.0/0 and ::/0."),
}
ADMIN_SCHEMA = {
    "adminPorts": port_list_setting([22, 3389], "Remote administration ports."),
    "adminCidrs": cidr_list_setting([],
                               "Networks allowed on the admin ports (empty: none; use Session Manager)."),
}
DATA_SCHEMA = {
    "dataPorts": port_list_setting([5432, 3306, 6379, 11211],
                              "Database and cache ports, reachable only from security groups."),
}
ROLES_SCHEMA = {
    "roleTag": {"type": "string", "default": "Role",
                "description": "Tag naming a security group's role."},
    "protectedRoles": list_setting("string", ["database", "cache"],
                                   "Roles whose groups admit only the allowed source roles."),
    "allowedSourceRoles": list_setting("string", ["backend"],
                                       "Roles of the groups that may reach the protected ones."),
}


# ICMP "destination unreachable" (IPv4 type 3) and ICMPv6 "packet too big" (type 2) carry path MTU
# discovery; blocking them breaks large responses (RFC 1191, RFC 8201). For ICMP rules, fromPort is
# the type.
PATH_MTU_ICMP = {"icmp": 3, "icmpv6": 2}


def _is_public_only(rule: Ingress, public_ports: set[int]) -> bool:
    if rule.protocol in PATH_MTU_ICMP:
        return rule.from_port == PATH_MTU_ICMP[rule.protocol]
    span = rule.port_span
    if span is None:
        return False
    low, high = span
    return high - low < len(public_ports) and all(p in public_ports for p in range(low, high + 1))


@applies_to(*RULE_TYPES)
def sg_public_ingress_only_on_public_ports(args: ResourceValidationArgs, report: ReportViolation) -> None:
    public_ports = set(as_ints(settings(args, PUBLIC_SCHEMA)["publicPorts"]))
    for rule in ingress_rules(args.resource_type, args.props):
        anywhere = [cidr for cidr in rule.cidrs if is_anywhere(cidr)]
        if anywhere and not _is_public_only(rule, public_ports):
            report(f"{rule.describe()} is open to {', '.join(anywhere)}; "
                   f"only ports {sorted(public_ports)} may be public")


@applies_to(*RULE_TYPES)
def sg_admin_ports_from_admin_cidrs(args: ResourceValidationArgs, report: ReportViolation) -> None:
    config = settings(args, ADMIN_SCHEMA)
    admin_ports, admin_cidrs = as_ints(config["adminPorts"]), list(config["adminCidrs"])
    for rule in ingress_rules(args.resource_type, args.props):
        ports = [port for port in admin_ports if rule.touches(port)]
        outside = [cidr for cidr in rule.cidrs if not within_any(cidr, admin_cidrs)]
        if ports and outside:
            report(f"{rule.describe()} admits admin port(s) {ports} from {', '.join(outside)}, "
                   "outside the configured adminCidrs")


@applies_to(*RULE_TYPES)
def sg_data_ports_from_security_groups_only(args: ResourceValidationArgs, report: ReportViolation) -> None:
    data_ports = as_ints(settings(args, DATA_SCHEMA)["dataPorts"])
    for rule in ingress_rules(args.resource_type, args.props):
        ports = [port for port in data_ports if rule.touches(port)]
        sources = rule.cidrs + rule.prefix_lists
        if ports and sources:
            report(f"{rule.describe()} admits data port(s) {ports} from {', '.join(sources)}; "
                   "use a source security group")


@applies_to(*RULE_TYPES)
def sg_no_all_traffic_ingress(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for rule in ingress_rules(args.resource_type, args.props):
        if rule.opens_everything and not rule.only_self:
            report(f"{rule.describe()} admits every protocol or every port")


# ---- Stack-wide: database and cache groups admit only the backend's group ----

# Standalone ingress rule type → the property naming its source group.
SOURCE_GROUP_PROPERTY = {
    aws.SECURITY_GROUP_RULE: "sourceSecurityGroupId",
    aws.SECURITY_GROUP_INGRESS_RULE: "referencedSecurityGroupId",
}


def _inline_sources(group: Any, block: Any, groups: list) -> Optional[list]:
    """The groups an inline ingress block admits; None if unknown; None entries are outsiders."""
    values = elements(dig(block, "securityGroups"))
    if UNKNOWN in values:
        group_urns = {g.urn for g in groups}
        return [d for d in group.property_dependencies.get("ingress", []) if d.urn in group_urns] or None
    by_id = {ident: g for g in groups for ident in identifiers(g, ("id",))}
    return [by_id.get(str(value)) for value in values]


def _standalone_sources(rule_resource: Any, prop: str, groups: list) -> Optional[list]:
    sources = resolve(rule_resource, prop, groups)
    if sources == [] and present(peek(lambda: rule_resource.props.get(prop), default=None)):
        return [None]  # a known id that is no group of this stack
    return sources


def _admissions(group: Any, resources: list, groups: list) -> Iterator[tuple[Any, Ingress, Optional[list]]]:
    """(resource to blame, rule, admitted groups or None if unknown) for each rule into `group`."""
    blocks = peek(lambda: elements(group.props.get("ingress")), default=[])
    for rule in peek(lambda: ingress_rules(group.resource_type, group.props), default=[]):
        block = blocks[rule.index]
        yield group, rule, peek(lambda block=block: _inline_sources(group, block, groups), default=None)
    for resource in resources:
        source_property = SOURCE_GROUP_PROPERTY.get(resource.resource_type)
        targets = source_property and resolve(resource, "securityGroupId", groups)
        if not targets or group.urn not in {target.urn for target in targets}:
            continue
        sources = _standalone_sources(resource, source_property, groups)
        for rule in peek(lambda resource=resource: ingress_rules(resource.resource_type, resource.props),
                         default=[]):
            yield resource, rule, sources


def sg_data_tier_admits_only_backend(args: StackValidationArgs, report: ReportViolation) -> None:
    config = settings(args, ROLES_SCHEMA)
    role_tag, allowed = config["roleTag"], set(config["allowedSourceRoles"])
    groups = [r for r in args.resources if r.resource_type in aws.SECURITY_GROUPS]
    role = {g.urn: tag_value(g.props, role_tag) for g in groups}
    for group in (g for g in groups if role[g.urn] in set(config["protectedRoles"])):
        for blamed, rule, sources in _admissions(group, args.resources, groups):
            for problem in _problems(rule, sources, role, allowed):
                report(f"into {role[group.urn]} group {group.name}: {rule.describe()} {problem}",
                       blamed.urn)


def _problems(rule: Ingress, sources: Optional[list], role: dict, allowed: set) -> list[str]:
    problems = [f"admits {source}" for source in rule.cidrs + rule.prefix_lists]
    if rule.self_reference:
        problems.append("admits its own group")
    for source in sources or []:
        if source is None:
            problems.append("admits a security group outside this stack")
        elif role.get(source.urn) not in allowed:
            problems.append(f"admits group {source.name} (Role={role.get(source.urn)})")
    return problems


POLICIES = [
    resource_policy(
        "sg-public-ingress-only-on-public-ports",
        "Only the public ports (80 and 443 by default, publicPorts) and path MTU discovery ICMP "
        "may be open to 0.0.0.0/0 or ::/0: narrow the source to a CIDR or a security group, or "
        "put the service behind the ALB.",
        sg_public_ingress_only_on_public_ports, config=PUBLIC_SCHEMA),
    resource_policy(
        "sg-admin-ports-from-admin-cidrs",
        "SSH (22) and RDP (3389) may only be reached from the stack's adminCidrs: restrict the "
        "rule's CIDRs, or drop it and use AWS Systems Manager Session Manager.",
        sg_admin_ports_from_admin_cidrs, config=ADMIN_SCHEMA),
    resource_policy(
        "sg-data-ports-from-security-groups-only",
        "Database and cache ports (5432, 3306, 6379, 11211) must be reached from security groups, "
        "never CIDRs or prefix lists: use referenced_security_group_id / source_security_group_id.",
        sg_data_ports_from_security_groups_only, config=DATA_SCHEMA),
    resource_policy(
        "sg-no-all-traffic-ingress",
        "Ingress must name a protocol and a port range: replace protocol '-1' or ports 0-65535 "
        "with the ports the service listens on (a rule whose only source is its own group, "
        "self=True, may stay open).",
        sg_no_all_traffic_ingress),
    stack_policy(
        "sg-data-tier-admits-only-backend",
        "Security groups tagged Role=database or Role=cache may only admit the group tagged "
        "Role=backend: remove other sources (CIDRs, other groups, self) from their ingress.",
        sg_data_tier_admits_only_backend, config=ROLES_SCHEMA),
]
