"""The ALB: reachable only from CloudFront, forwarding only requests that carry CloudFront's secret.

Two locks, because either alone is weak: the security group admits only CloudFront's
origin-facing addresses (shared by every CloudFront customer), and a listener rule forwards only
requests with the secret header that *this* distribution adds. Everything else gets a 403.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.former_names import child_options
from components.network.security_groups import security_group
from components.observability.logs_bucket import LogsBucket

CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"
ORIGIN_SECRET_HEADER = "X-Origin-Verify"
# TLS 1.3 and 1.2 only, forward secrecy ciphers.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
HTTP_PORT, HTTPS_PORT = 80, 443


@dataclass(frozen=True)
class LoadBalancerArgs:
    name_prefix: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: Sequence[pulumi.Input[str]]  # public subnets in two or more AZs
    target_ports: Sequence[int]  # the routed services' ports
    certificate_arn: Optional[pulumi.Input[str]]  # None: no domain, CloudFront reaches it on HTTP
    logs: LogsBucket
    deletion_protection: bool
    # Child logical name → the URN it had before (components/former_names.py).
    formerly: Mapping[str, str] = field(default_factory=dict)


class LoadBalancer(pulumi.ComponentResource):
    def __init__(self, name: str, args: LoadBalancerArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:load_balancer:LoadBalancer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.https = args.certificate_arn is not None
        self.origin_port = HTTPS_PORT if self.https else HTTP_PORT
        self.origin_secret = random.RandomPassword(f"{name}-origin-secret", length=40,
                                                   special=False, opts=child).result
        self.security_group = self._firewall(name, args)
        self.alb = aws.lb.LoadBalancer(
            f"{name}-alb", name=f"{args.name_prefix}-alb", load_balancer_type="application",
            internal=False, subnets=list(args.subnet_ids),
            security_groups=[self.security_group.id],
            drop_invalid_header_fields=True, enable_http2=True, idle_timeout=60,
            enable_deletion_protection=args.deletion_protection,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=args.logs.bucket_name, prefix=args.logs.alb_log_prefix, enabled=True),
            # AWS checks that it may write the logs when the ALB is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.logs.policy]))
        # One listener only: the group admits CloudFront on the origin port alone (a second
        # prefix-list rule would not fit the quota), so an HTTP redirect next to HTTPS would be
        # unreachable. Each routed service adds its own rule (components/edge/route.py).
        self.listener = self._origin_listener(name, args)

        self.dns_name = self.alb.dns_name
        self.register_outputs({"dnsName": self.dns_name, "securityGroupId": self.security_group.id})

    def _firewall(self, name: str, args: LoadBalancerArgs) -> aws.ec2.SecurityGroup:
        group = security_group(f"{args.name_prefix}-alb", vpc_id=args.vpc_id, role="edge",
                               description="ALB: CloudFront origin-facing addresses only",
                               parent=self)
        cloudfront = aws.ec2.get_managed_prefix_list_output(
            name=CLOUDFRONT_ORIGIN_FACING, opts=pulumi.InvokeOutputOptions(parent=self))
        # One rule only: a prefix-list rule counts as its ~55 entries against the group's
        # default quota of 60 inbound rules, so a second port would not fit.
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-from-cloudfront", security_group_id=group.id,
            prefix_list_id=cloudfront.id, ip_protocol="tcp", from_port=self.origin_port,
            to_port=self.origin_port, description="CloudFront origin-facing",
            opts=pulumi.ResourceOptions(parent=self))
        for port in sorted(set(args.target_ports)):
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-to-tasks-{port}", security_group_id=group.id, cidr_ipv4=args.vpc_cidr,
                ip_protocol="tcp", from_port=port, to_port=port,
                description="To the app tasks in the VPC",
                opts=child_options(self, args.formerly, f"{name}-to-tasks-{port}"))
        return group

    def _origin_listener(self, name: str, args: LoadBalancerArgs) -> aws.lb.Listener:
        """The listener CloudFront talks to; without the secret header a request gets a 403."""
        tls = dict(ssl_policy=TLS_POLICY, certificate_arn=args.certificate_arn) if self.https else {}
        return aws.lb.Listener(
            f"{name}-{'https' if self.https else 'http'}", load_balancer_arn=self.alb.arn,
            port=self.origin_port, protocol="HTTPS" if self.https else "HTTP",
            default_actions=[aws.lb.ListenerDefaultActionArgs(
                type="fixed-response",
                fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                    content_type="text/plain", message_body="Forbidden", status_code="403"))],
            **tls, opts=pulumi.ResourceOptions(parent=self))
