"""The security group every task shares: nothing in; out, HTTPS and the data stores.

Its own component because the database and cache admit this group, and the services need their
endpoints: the group must exist before either. Each service's own group (service_firewall.py)
admits the ALB and the services that call it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.data.cache import REDIS_PORT
from components.data.database import POSTGRES_PORT
from components.network.security_groups import ANYWHERE_IPV4, security_group

HTTPS_PORT = 443


@dataclass(frozen=True)
class AppFirewallArgs:
    name_prefix: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: str


class AppFirewall(pulumi.ComponentResource):
    def __init__(self, name: str, args: AppFirewallArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:service:AppFirewall", name, None, opts)
        self.security_group = security_group(
            f"{args.name_prefix}-app", vpc_id=args.vpc_id, role="backend",
            description="App tasks: out to HTTPS and the data stores", parent=self)
        self._allow_egress(name, args)
        self.id = self.security_group.id
        self.register_outputs({"securityGroupId": self.id})

    def _allow_egress(self, name: str, args: AppFirewallArgs) -> None:
        """HTTPS out (ECR, Secrets Manager, CloudWatch, other APIs, through NAT), and the data
        stores' ports inside the VPC; DNS and time go to the VPC's own services, which security
        groups do not filter."""
        rules = [("https", ANYWHERE_IPV4, HTTPS_PORT, "HTTPS to AWS APIs and the internet"),
                 ("postgres", args.vpc_cidr, POSTGRES_PORT, "PostgreSQL in the VPC"),
                 ("redis", args.vpc_cidr, REDIS_PORT, "Redis in the VPC")]
        for label, cidr, port, description in rules:
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-to-{label}", security_group_id=self.security_group.id, cidr_ipv4=cidr,
                ip_protocol="tcp", from_port=port, to_port=port, description=description,
                opts=pulumi.ResourceOptions(parent=self))
