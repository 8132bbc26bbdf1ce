"""Elastic Load Balancing v2: names, listener TLS policies and certificates, who writes the logs."""
from __future__ import annotations

import json

from preflight.model import cites, found, known, name_problems, physical_name, region_of
from config.elb_accounts import log_delivery_principal
from preview.plan import Plan

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ELB_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
# The predefined policies named on the page cited below (TLS 1.3 families, the 2025-09
# post-quantum ones, and the older TLS 1.2 and default ones).
TLS_POLICIES = frozenset({
    "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-1-2021-06", "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS-1-2-2017-01", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10", "ELBSecurityPolicy-2016-08"})


@cites("https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/elasticloadbalancingv2/aws.sdk.kotlin.services.elasticloadbalancingv2.model/-create-load-balancer-request/name.html")
def load_balancer_names(plan: Plan) -> list:
    """Up to 32 alphanumerics or hyphens, no hyphen at either end, not starting 'internal-'."""
    findings = []
    for balancer in plan.of_type(LOAD_BALANCER):
        name = physical_name(balancer, prefix_key="namePrefix")
        if name is None:
            continue
        problems = name_problems(name, most=32, pattern=ELB_NAME, what="name")
        if name.startswith("internal-"):
            problems.append(f"name {name!r} starts with 'internal-'")
        findings += [found(load_balancer_names, balancer, p) for p in problems]
    return findings


@cites("https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/elasticloadbalancingv2/aws.sdk.kotlin.services.elasticloadbalancingv2.model/-create-target-group-request/-builder/name.html")
def target_group_names(plan: Plan) -> list:
    """Up to 32 alphanumerics or hyphens (Pulumi's auto-name adds 8), no hyphen at either end."""
    return [found(target_group_names, group, problem)
            for group in plan.of_type(TARGET_GROUP)
            if (name := physical_name(group)) is not None
            for problem in name_problems(name, most=32, pattern=ELB_NAME, what="name")]


@cites("https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html")
def https_listeners_are_complete(plan: Plan) -> list:
    """An HTTPS listener names a predefined security policy and a certificate."""
    findings = []
    for listener in plan.of_type(LISTENER):
        inputs = listener.inputs
        if inputs.get("protocol") != "HTTPS":
            continue
        policy = inputs.get("sslPolicy")
        if known(policy) and policy not in TLS_POLICIES:
            findings.append(found(https_listeners_are_complete, listener,
                                  f"sslPolicy {policy!r} is not a predefined ELB security policy"))
        if "certificateArn" not in inputs:
            findings.append(found(https_listeners_are_complete, listener,
                                  "an HTTPS listener needs certificateArn"))
    return findings


def _principals(policy_text: str) -> list:
    try:
        statements = json.loads(policy_text).get("Statement", [])
    except (TypeError, ValueError):
        return []
    return [s.get("Principal") for s in statements
            if s.get("Effect") == "Allow" and "s3:PutObject" in str(s.get("Action"))]


@cites("https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html")
def access_logs_writable_by_the_regions_elb(plan: Plan) -> list:
    """The logs bucket lets the region's ELB account (or, in regions opened since August 2022,
    the log delivery service) put objects; AWS checks it when the ALB is created."""
    findings = []
    policies = list(plan.of_type(BUCKET_POLICY))
    for balancer in plan.of_type(LOAD_BALANCER):
        logs = balancer.inputs.get("accessLogs") or {}
        if not logs.get("enabled"):
            continue
        region = region_of(plan, balancer)
        expected = log_delivery_principal(region)
        granted = [p for policy in policies if known(policy.inputs.get("policy"))
                   for p in _principals(policy.inputs["policy"])]
        if granted and expected not in granted:
            findings.append(found(access_logs_writable_by_the_regions_elb, balancer,
                                  f"no bucket policy lets {expected} write the access logs in "
                                  f"{region} (granted: {granted})"))
    return findings


RULES = [load_balancer_names, target_group_names, https_listeners_are_complete,
         access_logs_writable_by_the_regions_elb]
