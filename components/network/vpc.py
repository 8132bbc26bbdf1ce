"""The VPC across AZs: public subnets with an internet gateway, isolated subnets for data and,
in the scaled tier, private subnets for the app that reach out through NAT gateways."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.network.flow_logs import FlowLogs, FlowLogsArgs

# Every subnet is 1/32 of the VPC; each kind of subnet has its own band of 8 blocks.
SUBNET_BITS = 5
BAND = {"public": 0, "private": 8, "isolated": 16}


@dataclass(frozen=True)
class PrivateSubnetsArgs:
    nat_gateways: int  # 1..len(zones); private subnet i routes through NAT gateway i % nat_gateways
    region: str  # for the S3 gateway endpoint's service name


@dataclass(frozen=True)
class NetworkArgs:
    name_prefix: str
    cidr: str
    zones: Sequence[str]
    private: Optional[PrivateSubnetsArgs] = None  # None: no private subnets, no NAT (MVP)
    flow_logs: Optional[FlowLogsArgs] = None


def subnet_cidr(vpc_cidr: str, kind: str, index: int) -> str:
    """The CIDR of the `index`-th subnet of a kind: deterministic, never overlapping."""
    blocks = list(ipaddress.IPv4Network(vpc_cidr).subnets(prefixlen_diff=SUBNET_BITS))
    return str(blocks[BAND[kind] + index])


class Network(pulumi.ComponentResource):
    """Public subnets route to the internet; isolated subnets (databases, caches) have no route out."""

    def __init__(self, name: str, args: NetworkArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=args.cidr, enable_dns_support=True,
                               enable_dns_hostnames=True,
                               tags={"Name": f"{args.name_prefix}-vpc"}, opts=child)
        self.internet_gateway = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=self.vpc.id, tags={"Name": f"{args.name_prefix}-igw"}, opts=child)
        self.public_subnets = self._subnets(name, args, "public")
        self.isolated_subnets = self._subnets(name, args, "isolated")
        self._route_public_to_internet(name, args)
        isolated_table = self._keep_isolated_offline(name, args)
        self.private_subnets: list[aws.ec2.Subnet] = []
        if args.private:
            self.private_subnets = self._subnets(name, args, "private")
            private_tables = self._route_private_through_nat(name, args, args.private.nat_gateways)
            self._s3_gateway_endpoint(name, args, [*private_tables, isolated_table])
        if args.flow_logs:
            FlowLogs(f"{name}-flow-logs", args.flow_logs, self.vpc.id,
                     pulumi.ResourceOptions(parent=self))

        self.vpc_id = self.vpc.id
        self.public_subnet_ids = [s.id for s in self.public_subnets]
        self.private_subnet_ids = [s.id for s in self.private_subnets]
        self.isolated_subnet_ids = [s.id for s in self.isolated_subnets]
        self.register_outputs({"vpcId": self.vpc_id, "publicSubnetIds": self.public_subnet_ids,
                               "privateSubnetIds": self.private_subnet_ids,
                               "isolatedSubnetIds": self.isolated_subnet_ids})

    def _subnets(self, name: str, args: NetworkArgs, kind: str) -> list[aws.ec2.Subnet]:
        return [
            aws.ec2.Subnet(
                f"{name}-{kind}-{zone}", vpc_id=self.vpc.id, availability_zone=zone,
                cidr_block=subnet_cidr(args.cidr, kind, index),
                map_public_ip_on_launch=False,
                tags={"Name": f"{args.name_prefix}-{kind}-{zone}", "SubnetKind": kind},
                opts=pulumi.ResourceOptions(parent=self))
            for index, zone in enumerate(args.zones)
        ]

    def _route_public_to_internet(self, name: str, args: NetworkArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        table = aws.ec2.RouteTable(f"{name}-public-rt", vpc_id=self.vpc.id,
                                   tags={"Name": f"{args.name_prefix}-public"}, opts=child)
        aws.ec2.Route(f"{name}-public-default-route", route_table_id=table.id,
                      destination_cidr_block="0.0.0.0/0", gateway_id=self.internet_gateway.id,
                      opts=child)
        self._associate(name, table, self.public_subnets, args.zones, "public")

    def _keep_isolated_offline(self, name: str, args: NetworkArgs) -> aws.ec2.RouteTable:
        # An explicit table with only the local route, so nobody adds a route to the main table.
        table = aws.ec2.RouteTable(f"{name}-isolated-rt", vpc_id=self.vpc.id,
                                   tags={"Name": f"{args.name_prefix}-isolated"},
                                   opts=pulumi.ResourceOptions(parent=self))
        self._associate(name, table, self.isolated_subnets, args.zones, "isolated")
        return table

    def _route_private_through_nat(self, name: str, args: NetworkArgs,
                                   nat_count: int) -> list[aws.ec2.RouteTable]:
        """One table per AZ, so that with a NAT gateway per AZ losing one AZ strands no other."""
        child = pulumi.ResourceOptions(parent=self)
        gateways = [self._nat_gateway(name, args, zone, subnet)
                    for zone, subnet in list(zip(args.zones, self.public_subnets))[:nat_count]]
        tables = []
        for index, (zone, subnet) in enumerate(zip(args.zones, self.private_subnets)):
            table = aws.ec2.RouteTable(f"{name}-private-{zone}-rt", vpc_id=self.vpc.id,
                                       tags={"Name": f"{args.name_prefix}-private-{zone}"},
                                       opts=child)
            aws.ec2.Route(f"{name}-private-{zone}-default-route", route_table_id=table.id,
                          destination_cidr_block="0.0.0.0/0",
                          nat_gateway_id=gateways[index % nat_count].id, opts=child)
            aws.ec2.RouteTableAssociation(f"{name}-private-{zone}-rta", route_table_id=table.id,
                                          subnet_id=subnet.id, opts=child)
            tables.append(table)
        return tables

    def _nat_gateway(self, name: str, args: NetworkArgs, zone: str,
                     public_subnet: aws.ec2.Subnet) -> aws.ec2.NatGateway:
        child = pulumi.ResourceOptions(parent=self)
        address = aws.ec2.Eip(f"{name}-nat-{zone}-eip", domain="vpc",
                              tags={"Name": f"{args.name_prefix}-nat-{zone}"}, opts=child)
        return aws.ec2.NatGateway(f"{name}-nat-{zone}", allocation_id=address.id,
                                  subnet_id=public_subnet.id, connectivity_type="public",
                                  tags={"Name": f"{args.name_prefix}-nat-{zone}"},
                                  opts=pulumi.ResourceOptions(parent=self,
                                                              depends_on=[self.internet_gateway]))

    def _s3_gateway_endpoint(self, name: str, args: NetworkArgs,
                             tables: Sequence[aws.ec2.RouteTable]) -> aws.ec2.VpcEndpoint:
        """S3 traffic (image layers, backups) stays on AWS's network and skips NAT charges."""
        return aws.ec2.VpcEndpoint(
            f"{name}-s3-endpoint", vpc_id=self.vpc.id, vpc_endpoint_type="Gateway",
            service_name=f"com.amazonaws.{args.private.region}.s3",
            route_table_ids=[table.id for table in tables],
            tags={"Name": f"{args.name_prefix}-s3"}, opts=pulumi.ResourceOptions(parent=self))

    def _associate(self, name: str, table: aws.ec2.RouteTable, subnets: Sequence[aws.ec2.Subnet],
                   zones: Sequence[str], kind: str) -> None:
        for zone, subnet in zip(zones, subnets):
            aws.ec2.RouteTableAssociation(f"{name}-{kind}-{zone}-rta", route_table_id=table.id,
                                          subnet_id=subnet.id,
                                          opts=pulumi.ResourceOptions(parent=self))
