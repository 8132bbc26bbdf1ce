"""Security groups and their rules, written one way everywhere: separate ingress/egress rule resources.

Every group carries a `Role` tag (edge, backend, database, cache) that the policy pack reads.
"""
from __future__ import annotations

from typing import Sequence

import pulumi
import pulumi_aws as aws

ANYWHERE_IPV4 = "0.0.0.0/0"


def security_group(name: str, *, vpc_id: pulumi.Input[str], role: str, description: str,
                   parent: pulumi.Resource) -> aws.ec2.SecurityGroup:
    return aws.ec2.SecurityGroup(name, vpc_id=vpc_id, description=description,
                                 tags={"Name": name, "Role": role},
                                 opts=pulumi.ResourceOptions(parent=parent))


def allow_from_group(name: str, group: aws.ec2.SecurityGroup, *, port: int,
                     source_group_id: pulumi.Input[str], description: str,
                     parent: pulumi.Resource) -> aws.vpc.SecurityGroupIngressRule:
    return aws.vpc.SecurityGroupIngressRule(
        name, security_group_id=group.id, referenced_security_group_id=source_group_id,
        ip_protocol="tcp", from_port=port, to_port=port, description=description,
        opts=pulumi.ResourceOptions(parent=parent))


def allow_to_group(name: str, group: aws.ec2.SecurityGroup, *, port: int,
                   destination_group_id: pulumi.Input[str], description: str,
                   parent: pulumi.Resource) -> aws.vpc.SecurityGroupEgressRule:
    """The egress twin of allow_from_group: `group` may open `port` on another group."""
    return aws.vpc.SecurityGroupEgressRule(
        name, security_group_id=group.id, referenced_security_group_id=destination_group_id,
        ip_protocol="tcp", from_port=port, to_port=port, description=description,
        opts=pulumi.ResourceOptions(parent=parent))


def allow_from_cidrs(name: str, group: aws.ec2.SecurityGroup, *, port: int,
                     cidrs: Sequence[str], description: str,
                     parent: pulumi.Resource) -> list[aws.vpc.SecurityGroupIngressRule]:
    return [
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-{index}", security_group_id=group.id, cidr_ipv4=cidr, ip_protocol="tcp",
            from_port=port, to_port=port, description=description,
            opts=pulumi.ResourceOptions(parent=parent))
        for index, cidr in enumerate(cidrs)
    ]


def allow_all_egress(name: str, group: aws.ec2.SecurityGroup,
                     parent: pulumi.Resource) -> aws.vpc.SecurityGroupEgressRule:
    return aws.vpc.SecurityGroupEgressRule(
        name, security_group_id=group.id, cidr_ipv4=ANYWHERE_IPV4, ip_protocol="-1",
        description="Outbound to anywhere (package installs, AWS APIs)",
        opts=pulumi.ResourceOptions(parent=parent))
