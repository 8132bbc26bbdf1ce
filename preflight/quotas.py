"""Quotas that one account reaches across its stacks (dev, staging and prod share one by
default): what a single plan cannot see. Live usage and raised quotas are not known offline."""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from preflight.lambda_ import ACCOUNT_CONCURRENCY, BOTOCORE_LAMBDA, FUNCTION, UNRESERVED_MINIMUM, reserved
from preflight.model import WARNING, cites, found, region_of
from preview.plan import Plan

EIP = "aws:ec2/eip:Eip"
VPC = "aws:ec2/vpc:Vpc"
PROXY = "aws:rds/proxy:Proxy"
ELASTIC_IPS_PER_REGION = 5
VPCS_PER_REGION = 5
PROXIES_PER_ACCOUNT = 20


def _per_region(plans: Sequence[Plan], type_token: str) -> Counter:
    counts: Counter = Counter()
    for plan in plans:
        for resource in plan.of_type(type_token):
            counts[region_of(plan, resource)] += 1
    return counts


@cites("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html#using-instance-addressing-limit")
def elastic_ips_per_region(plans: Sequence[Plan]) -> list:
    """5 Elastic IPs per region by default: the MVP backend's and one per NAT gateway."""
    counts = _per_region(plans, EIP)
    return [found(elastic_ips_per_region, "account",
                  f"{count} Elastic IPs in {region} across {', '.join(p.stack for p in plans)}; "
                  f"the default quota is {ELASTIC_IPS_PER_REGION}",
                  severity=WARNING if count == ELASTIC_IPS_PER_REGION else "error")
            for region, count in sorted(counts.items(), key=str)
            if count >= ELASTIC_IPS_PER_REGION]


@cites("https://docs.aws.amazon.com/general/latest/gr/vpc-service.html")
def vpcs_per_region(plans: Sequence[Plan]) -> list:
    """5 VPCs per region by default (the default VPC counts too)."""
    counts = _per_region(plans, VPC)
    return [found(vpcs_per_region, "account",
                  f"{count} VPCs in {region} plus the default VPC; the default quota is "
                  f"{VPCS_PER_REGION}")
            for region, count in sorted(counts.items(), key=str)
            if count + 1 > VPCS_PER_REGION]


@cites("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html")
def proxies_per_account(plans: Sequence[Plan]) -> list:
    """20 RDS proxies per account ("Quotas and limitations for RDS Proxy"), across regions."""
    count = sum(len(plan.of_type(PROXY)) for plan in plans)
    if count <= PROXIES_PER_ACCOUNT:
        return []
    return [found(proxies_per_account, "account",
                  f"{count} RDS proxies across {', '.join(p.stack for p in plans)}; the quota is "
                  f"{PROXIES_PER_ACCOUNT} per account (adjustable in Service Quotas)",
                  severity=WARNING)]


@cites(BOTOCORE_LAMBDA)
def reserved_concurrency_per_region(plans: Sequence[Plan]) -> list:
    """Lambda reservations of every stack in one region leave 100 of the default 1,000 unreserved
    (PutFunctionConcurrency's rule, over the account rather than one stack)."""
    totals: Counter = Counter()
    for plan in plans:
        for function, count in reserved(plan.of_type(FUNCTION)):
            totals[region_of(plan, function)] += count
    most = ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM
    return [found(reserved_concurrency_per_region, "account",
                  f"{total:,} concurrent executions reserved in {region} across {', '.join(p.stack for p in plans)}; "
                  f"with the default quota of {ACCOUNT_CONCURRENCY:,} at most {most:,} may be")
            for region, total in sorted(totals.items(), key=str) if total > most]


ACCOUNT_RULES = [elastic_ips_per_region, vpcs_per_region, proxies_per_account,
                 reserved_concurrency_per_region]
