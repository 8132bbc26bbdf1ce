"""One web service's way in through the ALB: its target group(s) and the listener rule that sends
its paths there, for requests carrying CloudFront's secret only."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.edge.load_balancer import ORIGIN_SECRET_HEADER, LoadBalancer
from components.former_names import child_options


@dataclass(frozen=True)
class RouteArgs:
    load_balancer: LoadBalancer
    vpc_id: pulumi.Input[str]
    port: int
    health_check_path: str
    paths: Sequence[str]  # at most three: with the secret header, five values per rule
    priority: int  # config/services.py derives it from the service's name and paths
    # Blue/green, canary and linear rollouts: ECS shifts weight between two target groups.
    alternate_target_group: bool = False
    # Child logical name → the URN it had before (components/former_names.py).
    formerly: Mapping[str, str] = field(default_factory=dict)


class Route(pulumi.ComponentResource):
    def __init__(self, name: str, args: RouteArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:load_balancer:Route", name, None, opts)
        # Logical names `<service>-tg` and `<service>-tg-alt`: with Pulumi's 8 random characters
        # they stay within the 32 a target group name allows (preflight/elbv2.py).
        self.target_group = self._target_group(f"{name}-tg", args)
        self.alternate_target_group = (self._target_group(f"{name}-tg-alt", args)
                                       if args.alternate_target_group else None)
        self.target_groups = [group for group in (self.target_group, self.alternate_target_group)
                              if group is not None]
        self.forward_rule = self._forward_from_cloudfront(name, args)
        self.register_outputs({"targetGroupArn": self.target_group.arn})

    def _target_group(self, name: str, args: RouteArgs) -> aws.lb.TargetGroup:
        return aws.lb.TargetGroup(
            name, target_type="ip", protocol="HTTP", port=args.port,
            vpc_id=args.vpc_id, deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, path=args.health_check_path, protocol="HTTP", matcher="200",
                interval=15, timeout=5, healthy_threshold=2, unhealthy_threshold=2),
            opts=child_options(self, args.formerly, name))

    def _forward_from_cloudfront(self, name: str, args: RouteArgs) -> aws.lb.ListenerRule:
        """The service's paths, with CloudFront's secret, go to its target group(s)."""
        if self.alternate_target_group is None:
            action = aws.lb.ListenerRuleActionArgs(type="forward",
                                                   target_group_arn=self.target_group.arn)
        else:
            # Both groups, all weight on the primary: ECS moves the weights during a rollout,
            # so Pulumi leaves the actions alone afterwards.
            action = aws.lb.ListenerRuleActionArgs(
                type="forward", forward=aws.lb.ListenerRuleActionForwardArgs(target_groups=[
                    aws.lb.ListenerRuleActionForwardTargetGroupArgs(
                        arn=self.target_group.arn, weight=100),
                    aws.lb.ListenerRuleActionForwardTargetGroupArgs(
                        arn=self.alternate_target_group.arn, weight=0)]))
        balancer = args.load_balancer
        return aws.lb.ListenerRule(
            f"{name}-from-cloudfront", listener_arn=balancer.listener.arn,
            priority=args.priority,
            conditions=[
                aws.lb.ListenerRuleConditionArgs(
                    http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                        http_header_name=ORIGIN_SECRET_HEADER, values=[balancer.origin_secret])),
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(
                        values=list(args.paths)))],
            actions=[action],
            opts=child_options(
                self, args.formerly, f"{name}-from-cloudfront",
                ignore_changes=["actions"] if self.alternate_target_group is not None else None))
