"""Security groups: every rule written in each way pulumi-aws allows (inline on a group or the
default group, aws.ec2.SecurityGroupRule, aws.vpc.SecurityGroupIngressRule)."""
import pytest
from policy_kit import UNKNOWN, fires, ingress_rule, passes, res, security_group

from policies import _aws as aws

FORMS = ["inline", "default-group", "ec2-rule", "vpc-rule"]


def rule(form, *, protocol="tcp", ports=(443, 443), cidr=None, prefix_list=None, source_group=None):
    """One ingress rule, written the `form` way."""
    low, high = ports
    cidr_list = [cidr] if cidr else []
    v4 = [c for c in cidr_list if ":" not in c]
    v6 = [c for c in cidr_list if ":" in c]
    if form in ("inline", "default-group"):
        block = {"protocol": protocol, "fromPort": low, "toPort": high, "cidrBlocks": v4, "ipv6CidrBlocks": v6,
                 "prefixListIds": [prefix_list] if prefix_list else [],
                 "securityGroups": [source_group] if source_group else []}
        group_type = aws.SECURITY_GROUP if form == "inline" else aws.DEFAULT_SECURITY_GROUP
        return res(group_type, {"vpcId": "vpc-1", "ingress": [block]})
    if form == "ec2-rule":
        props = {"type": "ingress", "securityGroupId": "sg-target", "protocol": protocol, "fromPort": low,
                 "toPort": high, "cidrBlocks": v4, "ipv6CidrBlocks": v6,
                 **({"prefixListIds": [prefix_list]} if prefix_list else {}),
                 **({"sourceSecurityGroupId": source_group} if source_group else {})}
        return res(aws.SECURITY_GROUP_RULE, props)
    props = {"securityGroupId": "sg-target", "ipProtocol": protocol, "fromPort": low, "toPort": high,
             **({"cidrIpv6" if ":" in cidr else "cidrIpv4": cidr} if cidr else {}),
             **({"prefixListId": prefix_list} if prefix_list else {}),
             **({"referencedSecurityGroupId": source_group} if source_group else {})}
    return res(aws.SECURITY_GROUP_INGRESS_RULE, props)


# ---- sg-public-ingress-only-on-public-ports ----


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("port, cidr", [(443, "0.0.0.0/0"), (80, "::/0"), (22, "203.0.113.7/32"),
                                        (8080, "10.0.0.0/16")])
def test_public_ingress_passes_on_public_ports_or_narrow_sources(form, port, cidr):
    passes("sg-public-ingress-only-on-public-ports", rule(form, ports=(port, port), cidr=cidr))


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("protocol, ports, cidr", [
    ("tcp", (22, 22), "0.0.0.0/0"), ("tcp", (5432, 5432), "::/0"), ("tcp", (80, 443), "0.0.0.0/0"),
    ("udp", (53, 53), "0.0.0.0/0"), ("icmp", (-1, -1), "0.0.0.0/0"), ("-1", (0, 0), "::/0"),
])
def test_public_ingress_fires_beyond_public_ports(form, protocol, ports, cidr):
    fires("sg-public-ingress-only-on-public-ports", rule(form, protocol=protocol, ports=ports, cidr=cidr),
          says=cidr)


def test_public_ports_come_from_the_stack_config():
    fires("sg-public-ingress-only-on-public-ports", rule("vpc-rule", ports=(80, 80), cidr="0.0.0.0/0"),
          config={"publicPorts": [443]})


def test_public_ingress_ignores_egress_rules():
    egress = res(aws.SECURITY_GROUP_RULE, {"type": "egress", "protocol": "-1", "fromPort": 0, "toPort": 0,
                                           "cidrBlocks": ["0.0.0.0/0"], "securityGroupId": "sg-1"})
    vpc_egress = res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
                     {"ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0", "securityGroupId": "sg-1"})
    group_egress = res(aws.SECURITY_GROUP, {"egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0,
                                                        "cidrBlocks": ["0.0.0.0/0"]}]})
    passes("sg-public-ingress-only-on-public-ports", egress, vpc_egress, group_egress)


# ---- sg-admin-ports-from-admin-cidrs ----

ADMINS = {"adminCidrs": ["203.0.113.0/24", "2001:db8::/32"]}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("port, cidr", [(22, "203.0.113.0/24"), (22, "203.0.113.7/32"), (3389, "2001:db8:1::/48")])
def test_admin_ports_pass_from_admin_cidrs(form, port, cidr):
    passes("sg-admin-ports-from-admin-cidrs", rule(form, ports=(port, port), cidr=cidr), config=ADMINS)


@pytest.mark.parametrize("form", FORMS)
def test_admin_ports_pass_from_security_groups(form):
    passes("sg-admin-ports-from-admin-cidrs", rule(form, ports=(22, 22), source_group="sg-bastion"))


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("ports, cidr", [
    ((22, 22), "198.51.100.0/24"), ((22, 22), "203.0.0.0/16"), ((3389, 3389), "10.0.0.0/8"),
    ((0, 1024), "198.51.100.9/32"), ((22, 22), "2001:db9::/32"), ((22, 22), "0.0.0.0/0"),
])
def test_admin_ports_fire_from_other_cidrs(form, ports, cidr):
    fires("sg-admin-ports-from-admin-cidrs", rule(form, ports=ports, cidr=cidr), config=ADMINS, says=cidr)


def test_admin_ports_fire_from_any_cidr_when_no_admin_cidrs_are_configured():
    fires("sg-admin-ports-from-admin-cidrs", rule("vpc-rule", ports=(22, 22), cidr="203.0.113.7/32"))


def test_admin_ports_cover_all_traffic_rules():
    fires("sg-admin-ports-from-admin-cidrs", rule("ec2-rule", protocol="-1", ports=(0, 0), cidr="10.0.0.0/8"),
          says="[22, 3389]")


# ---- sg-data-ports-from-security-groups-only ----


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("port", [5432, 3306, 6379, 11211])
def test_data_ports_pass_from_security_groups(form, port):
    passes("sg-data-ports-from-security-groups-only", rule(form, ports=(port, port), source_group="sg-backend"))


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("port, cidr, prefix_list", [
    (5432, "10.0.0.0/16", None), (6379, "10.0.1.25/32", None), (3306, "fd00::/8", None),
    (11211, None, "pl-0123456789abcdef0"), (5432, None, "pl-0123456789abcdef0"),
])
def test_data_ports_fire_from_cidrs_and_prefix_lists(form, port, cidr, prefix_list):
    fires("sg-data-ports-from-security-groups-only",
          rule(form, ports=(port, port), cidr=cidr, prefix_list=prefix_list), says=str(port))


def test_data_ports_fire_on_a_range_covering_one():
    fires("sg-data-ports-from-security-groups-only", rule("inline", ports=(5000, 6000), cidr="10.0.0.0/8"),
          says="[5432]")


# ---- sg-no-all-traffic-ingress ----


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("protocol, ports", [("-1", (0, 0)), ("all", (0, 0)), ("tcp", (0, 65535)),
                                             ("udp", (1, 65535)), ("6", (0, 65535))])
def test_all_traffic_ingress_fires(form, protocol, ports):
    fires("sg-no-all-traffic-ingress", rule(form, protocol=protocol, ports=ports, source_group="sg-x"),
          says="every protocol or every port")


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("protocol, ports", [("tcp", (443, 443)), ("tcp", (1024, 65535)), ("17", (53, 53)),
                                             ("icmp", (8, 0))])
def test_scoped_ingress_passes(form, protocol, ports):
    passes("sg-no-all-traffic-ingress", rule(form, protocol=protocol, ports=ports, cidr="10.0.0.0/16"))


# ---- sg-data-tier-admits-only-backend ----


def _tiers():
    edge = res(aws.SECURITY_GROUP, security_group("edge"), id="sg-edge")
    backend = res(aws.SECURITY_GROUP, security_group("backend"), id="sg-backend")
    database = res(aws.SECURITY_GROUP, security_group("database"), id="sg-database")
    cache = res(aws.SECURITY_GROUP, security_group("cache"), id="sg-cache")
    return edge, backend, database, cache


def test_data_tier_passes_when_only_the_backend_is_admitted():
    edge, backend, database, cache = _tiers()
    passes("sg-data-tier-admits-only-backend", edge, backend, database, cache,
           ingress_rule(database, source=backend, port=5432), ingress_rule(cache, source=backend, port=6379),
           ingress_rule(backend, source=edge, port=8080), ingress_rule(edge, cidr="0.0.0.0/0", port=443))


def test_data_tier_follows_ids_without_dependencies():
    edge, backend, database, cache = _tiers()
    good = res(aws.SECURITY_GROUP_RULE, {"type": "ingress", "securityGroupId": "sg-database", "protocol": "tcp",
                                         "fromPort": 5432, "toPort": 5432, "sourceSecurityGroupId": "sg-backend"})
    bad = res(aws.SECURITY_GROUP_RULE, {"type": "ingress", "securityGroupId": "sg-cache", "protocol": "tcp",
                                        "fromPort": 6379, "toPort": 6379, "sourceSecurityGroupId": "sg-edge"})
    fires("sg-data-tier-admits-only-backend", edge, backend, database, cache, good, bad, on=[bad],
          says="admits group")


@pytest.mark.parametrize("target", ["database", "cache"])
def test_data_tier_fires_on_another_group(target):
    edge, backend, database, cache = _tiers()
    bad = ingress_rule(database if target == "database" else cache, source=edge, port=5432)
    fires("sg-data-tier-admits-only-backend", edge, backend, database, cache, bad, on=[bad],
          says=f"{edge.name} (Role=edge)")


def test_data_tier_fires_on_cidrs_and_self():
    edge, backend, database, cache = _tiers()
    from_cidr = ingress_rule(database, cidr="10.0.0.0/16", port=5432)
    self_rule = res(aws.SECURITY_GROUP_RULE, {"type": "ingress", "securityGroupId": cache.id, "self": True,
                                              "protocol": "tcp", "fromPort": 6379, "toPort": 6379},
                    deps={"securityGroupId": [cache]})
    found = fires("sg-data-tier-admits-only-backend", edge, backend, database, cache, from_cidr, self_rule,
                  on=[from_cidr, self_rule])
    assert {v.message.rsplit(" admits ", 1)[1] for v in found} == {"10.0.0.0/16", "its own group"}


def test_data_tier_fires_on_a_group_outside_the_stack():
    edge, backend, database, cache = _tiers()
    outsider = res(aws.SECURITY_GROUP_INGRESS_RULE, {"securityGroupId": database.id, "ipProtocol": "tcp",
                                                     "fromPort": 5432, "toPort": 5432,
                                                     "referencedSecurityGroupId": "sg-0somewhereelse"},
                   deps={"securityGroupId": [database]})
    fires("sg-data-tier-admits-only-backend", edge, backend, database, cache, outsider, says="outside this stack")


def test_data_tier_reads_inline_ingress():
    edge, backend, _, cache = _tiers()

    def database_with(sources):
        return res(aws.SECURITY_GROUP, security_group("database", ingress=[
            {"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "securityGroups": sources}]), id="sg-db2")

    passes("sg-data-tier-admits-only-backend", edge, backend, cache, database_with(["sg-backend"]))
    bad = database_with(["sg-backend", "sg-edge"])
    fires("sg-data-tier-admits-only-backend", edge, backend, cache, bad, on=[bad], says="ingress[0]")


def test_data_tier_uses_dependencies_when_inline_ids_are_unknown():
    edge, backend, _, cache = _tiers()
    props = security_group("database", ingress=[{"protocol": "tcp", "fromPort": 5432, "toPort": 5432,
                                                 "securityGroups": [UNKNOWN]}])
    good = res(aws.SECURITY_GROUP, props, deps={"ingress": [backend]})
    passes("sg-data-tier-admits-only-backend", edge, backend, cache, good)
    bad = res(aws.SECURITY_GROUP, props, deps={"ingress": [edge]})
    fires("sg-data-tier-admits-only-backend", edge, backend, cache, bad, on=[bad])


def test_data_tier_skips_sources_unknown_in_preview():
    edge, backend, database, cache = _tiers()
    unknown = res(aws.SECURITY_GROUP_INGRESS_RULE, {"securityGroupId": database.id, "ipProtocol": "tcp",
                                                    "fromPort": 5432, "toPort": 5432,
                                                    "referencedSecurityGroupId": UNKNOWN},
                  deps={"securityGroupId": [database]})
    passes("sg-data-tier-admits-only-backend", edge, backend, database, cache, unknown)


def test_data_tier_roles_are_configurable():
    edge, backend, database, cache = _tiers()
    from_edge = ingress_rule(database, source=edge, port=5432)
    passes("sg-data-tier-admits-only-backend", edge, backend, database, cache, from_edge,
           config={"allowedSourceRoles": ["backend", "edge"]})
    passes("sg-data-tier-admits-only-backend", edge, backend, database, cache, from_edge,
           config={"protectedRoles": ["cache"]})


def test_data_tier_follows_dependencies_when_ids_are_unknown_in_preview():
    edge, backend, database, cache = _tiers()
    props = {"securityGroupId": UNKNOWN, "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432,
             "referencedSecurityGroupId": UNKNOWN}
    good = res(aws.SECURITY_GROUP_INGRESS_RULE, props,
               deps={"securityGroupId": [database], "referencedSecurityGroupId": [backend]})
    bad = res(aws.SECURITY_GROUP_INGRESS_RULE, props,
              deps={"securityGroupId": [database], "referencedSecurityGroupId": [edge]})
    fires("sg-data-tier-admits-only-backend", edge, backend, database, cache, good, bad, on=[bad])
