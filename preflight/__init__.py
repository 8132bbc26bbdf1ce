"""Preflight: what AWS and the provider refuse at `pulumi up`, checked over a recorded plan.

One module per service; each rule is a small function over a `preview.plan.Plan` that returns
findings, and carries (`@cites`) the page where AWS or the provider documents what it checks.
`check(plan)` runs the rules of one stack, `check_account(plans)` the quotas several stacks of
one account share. Offline, preflight cannot see live quotas, raised limits or what the
account already holds; it checks what the plan itself asks for.
"""
from __future__ import annotations

from typing import Sequence

import preflight.apigateway as apigateway
import preflight.backup as backup
import preflight.cloudwatch as cloudwatch
import preflight.codedeploy as codedeploy
import preflight.dynamodb as dynamodb
import preflight.ec2 as ec2
import preflight.ecs as ecs
import preflight.elasticache as elasticache
import preflight.elbv2 as elbv2
import preflight.iam as iam
import preflight.kms as kms
import preflight.lambda_ as lambda_
import preflight.logs as logs
import preflight.quotas as quotas
import preflight.rds as rds
import preflight.s3 as s3
import preflight.secrets as secrets
import preflight.wafv2 as wafv2
from preflight.model import ERROR, Finding
from preview.plan import Plan

SERVICES = {"ec2": ec2, "elbv2": elbv2, "iam": iam, "s3": s3, "rds": rds,
            "elasticache": elasticache, "ecs": ecs, "logs": logs, "backup": backup,
            "secrets": secrets, "wafv2": wafv2, "dynamodb": dynamodb,
            "cloudwatch": cloudwatch, "lambda": lambda_, "apigateway": apigateway,
            "codedeploy": codedeploy, "kms": kms}
PLAN_RULES = [rule for module in SERVICES.values() for rule in module.RULES]
ACCOUNT_RULES = list(quotas.ACCOUNT_RULES)

__all__ = ["ACCOUNT_RULES", "PLAN_RULES", "Finding", "check", "check_account", "errors", "report"]


def check(plan: Plan) -> list[Finding]:
    return [finding for rule in PLAN_RULES for finding in rule(plan)]


def check_account(plans: Sequence[Plan]) -> list[Finding]:
    return [finding for rule in ACCOUNT_RULES for finding in rule(plans)]


def errors(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]


def report(findings: Sequence[Finding], scope: str) -> str:
    if not findings:
        return f"Preflight ({scope}): {len(PLAN_RULES)} rules, no findings."
    lines = [f"Preflight ({scope}):", *(f.line() for f in findings),
             f"Preflight: {len(errors(findings))} error(s), "
             f"{len(findings) - len(errors(findings))} warning(s)."]
    return "\n".join(lines)
