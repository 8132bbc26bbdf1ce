"""The VPC: subnets in distinct AZs, public ones routed to the internet, isolated ones not."""
import ipaddress

import pytest

from preview.engine import run_preview
from tests.support import named

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"


def subnets(plan, kind):
    return [s for s in plan.of_type(SUBNET) if s.inputs["tags"]["SubnetKind"] == kind]


def test_vpc_uses_the_configured_cidr_with_dns(dev_plan):
    vpc = dev_plan.one("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.10.0.0/16"
    assert vpc.inputs["enableDnsHostnames"] and vpc.inputs["enableDnsSupport"]


@pytest.mark.parametrize("kind", ["public", "isolated"])
def test_each_kind_of_subnet_spans_two_zones(dev_plan, kind):
    zones = [s.inputs["availabilityZone"] for s in subnets(dev_plan, kind)]
    assert sorted(zones) == ["ap-northeast-2a", "ap-northeast-2b"]


def test_subnets_sit_inside_the_vpc_and_never_overlap(dev_plan):
    vpc = ipaddress.ip_network(dev_plan.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"])
    blocks = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in dev_plan.of_type(SUBNET)]
    assert all(block.subnet_of(vpc) for block in blocks)
    assert all(not a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1:])


def test_no_subnet_hands_out_public_ips_by_itself(dev_plan):
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in dev_plan.of_type(SUBNET))


def test_only_the_public_route_table_reaches_the_internet(dev_plan):
    igw = dev_plan.one("aws:ec2/internetGateway:InternetGateway")
    public = named(dev_plan, "aws:ec2/routeTable:RouteTable", "network-public-rt")
    routes = dev_plan.of_type(ROUTE)
    assert [(r.inputs["routeTableId"], r.inputs["destinationCidrBlock"], r.inputs["gatewayId"])
            for r in routes] == [(public.id, "0.0.0.0/0", igw.id)]


def test_each_subnet_is_associated_with_the_table_of_its_kind(dev_plan):
    tables = {t.name.split("-")[1]: t.id for t in dev_plan.of_type("aws:ec2/routeTable:RouteTable")}
    associations = {a.inputs["subnetId"]: a.inputs["routeTableId"]
                    for a in dev_plan.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")}
    for subnet in dev_plan.of_type(SUBNET):
        assert associations[subnet.id] == tables[subnet.inputs["tags"]["SubnetKind"]]


def test_zone_count_follows_config():
    plan = run_preview("dev", overrides={"azCount": "3", "vpcCidr": "10.99.0.0/20"})
    assert len(subnets(plan, "public")) == len(subnets(plan, "isolated")) == 3
    assert plan.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"] == "10.99.0.0/20"
