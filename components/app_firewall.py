"""The app tasks' security group: the app port from the ALB only, out to anywhere.

Its own component because the database and cache admit this group, and the service needs their
endpoints: the group must exist before either.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi

from components.firewall import allow_all_egress, allow_from_group, security_group


@dataclass(frozen=True)
class AppFirewallArgs:
    name_prefix: str
    vpc_id: pulumi.Input[str]
    app_port: int
    load_balancer_group_id: pulumi.Input[str]


class AppFirewall(pulumi.ComponentResource):
    def __init__(self, name: str, args: AppFirewallArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:service:AppFirewall", name, None, opts)
        self.security_group = security_group(
            f"{args.name_prefix}-app", vpc_id=args.vpc_id, role="backend",
            description="App tasks: the app port from the ALB only", parent=self)
        allow_from_group(f"{name}-from-alb", self.security_group, port=args.app_port,
                         source_group_id=args.load_balancer_group_id,
                         description="App traffic from the ALB", parent=self)
        allow_all_egress(f"{name}-egress", self.security_group, parent=self)
        self.id = self.security_group.id
        self.register_outputs({"securityGroupId": self.id})
