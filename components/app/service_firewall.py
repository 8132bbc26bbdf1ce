"""A service's own security group: its port from the ALB (web services) and from the services
that declare it in `dependsOn`, nothing else; and out, to the services it declares."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi

from components.network.security_groups import allow_from_group, allow_to_group, security_group


@dataclass(frozen=True)
class ServiceFirewallArgs:
    name_prefix: str
    service: str
    vpc_id: pulumi.Input[str]
    port: int
    load_balancer_group_id: Optional[pulumi.Input[str]]  # None: not behind the ALB


class ServiceFirewall(pulumi.ComponentResource):
    def __init__(self, name: str, args: ServiceFirewallArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:service:ServiceFirewall", name, None, opts)
        self._name, self._args = name, args
        self.security_group = security_group(
            f"{args.name_prefix}-svc-{args.service}", vpc_id=args.vpc_id, role="backend",
            description=f"{args.service} tasks: its port from the ALB and its declared callers",
            parent=self)
        if args.load_balancer_group_id is not None:
            allow_from_group(f"{name}-from-alb", self.security_group, port=args.port,
                             source_group_id=args.load_balancer_group_id,
                             description="Traffic from the ALB", parent=self)
        self.id = self.security_group.id
        self.register_outputs({"securityGroupId": self.id})

    def admit(self, caller: str, caller_firewall: "ServiceFirewall") -> None:
        """`caller` lists this service in dependsOn: its tasks may open this service's port."""
        port = self._args.port
        allow_from_group(f"{self._name}-from-{caller}", self.security_group, port=port,
                         source_group_id=caller_firewall.id,
                         description=f"Calls from {caller} (dependsOn)", parent=self)
        allow_to_group(f"{self._name}-egress-from-{caller}", caller_firewall.security_group,
                       port=port, destination_group_id=self.id,
                       description=f"{caller} calls {self._args.service} (dependsOn)", parent=self)
