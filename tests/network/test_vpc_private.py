"""The scaled tier's VPC: public, private and isolated subnets in every AZ, the app's way out
through NAT gateways, S3 through a gateway endpoint, and every connection in the flow logs."""
import ipaddress
import json

import pytest

from preview.engine import run_preview
from tests.support import named

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
KINDS = ("public", "private", "isolated")
ZONES = {"staging": ["ap-northeast-2a", "ap-northeast-2b"],
         "prod": ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]}


@pytest.fixture(scope="module")
def prod_one_nat():
    """prod with a single NAT gateway: cheaper, and the setting must reach every private table."""
    return run_preview("prod", overrides={"natGateways": "1"})


def subnets(plan, kind):
    return [s for s in plan.of_type(SUBNET) if s.inputs["tags"]["SubnetKind"] == kind]


def table_of(plan, subnet):
    [association] = [a for a in plan.of_type(ASSOCIATION) if a.inputs["subnetId"] == subnet.id]
    return plan.by_id(association.inputs["routeTableId"])


def routes_of(plan, table):
    return [r for r in plan.of_type(ROUTE) if r.inputs["routeTableId"] == table.id]


def nat_of_private_subnet(plan, subnet):
    [route] = routes_of(plan, table_of(plan, subnet))
    return plan.by_id(route.inputs["natGatewayId"])


@pytest.mark.parametrize("stack", ["staging", "prod"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_subnet_has_one_subnet_per_zone(plan_of, stack, kind):
    zones = [s.inputs["availabilityZone"] for s in subnets(plan_of(stack), kind)]
    assert sorted(zones) == ZONES[stack]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_all_subnets_sit_inside_the_vpc_without_overlapping(plan_of, stack):
    plan = plan_of(stack)
    vpc = ipaddress.ip_network(plan.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"])
    blocks = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in plan.of_type(SUBNET)]
    assert len(blocks) == 3 * len(ZONES[stack])
    assert all(block.subnet_of(vpc) for block in blocks)
    assert all(not a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1:])


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_no_subnet_hands_out_public_ips(plan_of, stack):
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in plan_of(stack).of_type(SUBNET))


@pytest.mark.parametrize("stack, count", [("staging", 1), ("prod", 3)])
def test_nat_gateway_count_follows_the_stack(plan_of, stack, count):
    assert len(plan_of(stack).of_type(NAT)) == count


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_each_nat_gateway_is_public_with_its_own_address_in_a_public_subnet(plan_of, stack):
    plan = plan_of(stack)
    public = {s.id for s in subnets(plan, "public")}
    gateways = plan.of_type(NAT)
    assert all(g.inputs["connectivityType"] == "public" for g in gateways)
    assert all(g.inputs["subnetId"] in public for g in gateways)
    addresses = [plan.by_id(g.inputs["allocationId"]) for g in gateways]
    assert all(a.type == "aws:ec2/eip:Eip" and a.inputs["domain"] == "vpc" for a in addresses)
    assert len({a.id for a in addresses}) == len(gateways)


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_nat_gateways_wait_for_the_internet_gateway(plan_of, stack):
    # A public NAT gateway fails to create while the VPC has no attached internet gateway.
    plan = plan_of(stack)
    igw = plan.one("aws:ec2/internetGateway:InternetGateway")
    assert all(igw.urn in g.dependencies for g in plan.of_type(NAT))


def test_in_prod_each_private_subnet_leaves_through_the_nat_gateway_of_its_own_zone(prod_plan):
    # Losing one AZ then strands no other AZ's tasks.
    for subnet in subnets(prod_plan, "private"):
        nat = nat_of_private_subnet(prod_plan, subnet)
        zone_of_nat = prod_plan.by_id(nat.inputs["subnetId"]).inputs["availabilityZone"]
        assert zone_of_nat == subnet.inputs["availabilityZone"]


@pytest.mark.parametrize("plan_name", ["staging_plan", "prod_one_nat"])
def test_with_one_nat_gateway_every_private_subnet_leaves_through_it(request, plan_name):
    plan = request.getfixturevalue(plan_name)
    [nat] = plan.of_type(NAT)
    private = subnets(plan, "private")
    assert len(private) == len(ZONES[plan.stack])
    assert all(nat_of_private_subnet(plan, s).id == nat.id for s in private)


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_each_private_subnet_has_its_own_table_with_only_a_default_route_to_nat(plan_of, stack):
    plan = plan_of(stack)
    tables = [table_of(plan, s) for s in subnets(plan, "private")]
    assert len({t.id for t in tables}) == len(tables)
    for table in tables:
        [route] = routes_of(plan, table)
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        assert set(route.inputs) == {"routeTableId", "destinationCidrBlock", "natGatewayId"}


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_isolated_subnets_have_no_route_out(plan_of, stack):
    plan = plan_of(stack)
    isolated = {table_of(plan, s).id for s in subnets(plan, "isolated")}
    assert isolated == {named(plan, ROUTE_TABLE, "network-isolated-rt").id}
    assert not [r for r in plan.of_type(ROUTE) if r.inputs["routeTableId"] in isolated]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_only_public_subnets_route_to_the_internet_gateway(plan_of, stack):
    plan = plan_of(stack)
    igw = plan.one("aws:ec2/internetGateway:InternetGateway")
    [to_igw] = [r for r in plan.of_type(ROUTE) if r.inputs.get("gatewayId") == igw.id]
    assert {table_of(plan, s).id for s in subnets(plan, "public")} == {to_igw.inputs["routeTableId"]}
    assert to_igw.inputs["destinationCidrBlock"] == "0.0.0.0/0"


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_s3_is_reached_through_a_gateway_endpoint_from_private_and_isolated_subnets(plan_of, stack):
    plan = plan_of(stack)
    endpoint = plan.one(ENDPOINT).inputs
    assert (endpoint["vpcEndpointType"], endpoint["serviceName"]) == \
        ("Gateway", "com.amazonaws.ap-northeast-2.s3")
    assert endpoint["vpcId"] == plan.one("aws:ec2/vpc:Vpc").id
    inner = {table_of(plan, s).id for kind in ("private", "isolated") for s in subnets(plan, kind)}
    assert set(endpoint["routeTableIds"]) == inner


def test_the_mvp_has_no_private_subnets_nat_or_endpoint(dev_plan):
    assert not subnets(dev_plan, "private")
    assert not dev_plan.of_type(NAT) and not dev_plan.of_type(ENDPOINT)


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_flow_logs_record_all_traffic_of_the_vpc_into_the_log_group(plan_of, stack):
    plan = plan_of(stack)
    flow_log = plan.one(FLOW_LOG).inputs
    group = named(plan, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs-group")
    assert flow_log["vpcId"] == plan.one("aws:ec2/vpc:Vpc").id
    assert flow_log["trafficType"] == "ALL"
    assert (flow_log["logDestinationType"], flow_log["logDestination"]) == \
        ("cloud-watch-logs", group.outputs["arn"])


@pytest.mark.parametrize("stack, days", [("staging", 30), ("prod", 90)])
def test_flow_log_group_keeps_the_stacks_retention_and_is_encrypted(plan_of, stack, days):
    plan = plan_of(stack)
    group = named(plan, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs-group").inputs
    assert group["name"] == f"/webstack/{stack}/vpc-flow-logs"
    assert group["retentionInDays"] == days
    assert group["kmsKeyId"] == named(plan, "aws:kms/key:Key", "logs-key").outputs["arn"]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_flow_log_role_is_for_the_flow_log_service_and_writes_only_its_group(plan_of, stack):
    plan = plan_of(stack)
    [role] = [r for r in plan.of_type("aws:iam/role:Role")
              if r.outputs["arn"] == plan.one(FLOW_LOG).inputs["iamRoleArn"]]
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    [policy] = [p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy")
                if p.inputs["role"] == role.id]
    group_arn = named(plan, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs-group").outputs["arn"]
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Resource"]) == [group_arn, group_arn + ":*"]
    assert all(action.startswith("logs:") for action in statement["Action"])


def test_only_this_accounts_flow_logs_may_use_the_flow_log_role(prod_plan):
    role = next(r for r in prod_plan.of_type("aws:iam/role:Role")
                if "vpc-flow-logs.amazonaws.com" in r.inputs["assumeRolePolicy"])
    [statement] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
