"""The seed systems as ready stack configs (examples/*.yaml): which seed each is, the stack name it
previews under, the policy config it is checked with, and the README's table of them.

`python -m preview.examples` prints the README's examples table from each example's offline
preview; `python -m preview.examples --list` prints `stack file policy-config` lines for CI.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from cost.report import money
from preview.costing import estimate_plan
from preview.engine import REPO_ROOT, run_preview
from preview.plan import Plan


@dataclass(frozen=True)
class Example:
    system: str
    seed: str
    tier: str
    # ≤ 20 characters: bucket names are webstack-<stack>-assets-<26-character suffix>, 63 at most
    stack: str
    file: str
    policy_config: str
    builds: str

    @property
    def path(self) -> Path:
        return REPO_ROOT / self.file


PROD_POLICIES = "policies/config/prod.json"
EXAMPLES = (
    Example("kfood-shorts", "001", "scaled", "kfood-shorts", "examples/kfood-shorts.yaml",
            PROD_POLICIES, "WAF, CloudFront + S3, ALB, ECS Fargate 1024/2048 × 2–10 (75 % CPU, "
            "blue/green), RDS db.t3.medium Multi-AZ 100→1000 GB, Redis cache.m6g.large × 3"),
    Example("product-marketing (stage 1, MVP)", "002", "mvp", "marketing-mvp",
            "examples/product-marketing-mvp.yaml", "policies/config/dev.json",
            "CloudFront + S3, one EC2 t3.micro (Docker, port 3000), RDS db.t3.micro 20 GB, "
            "Redis cache.t3.micro × 1"),
    Example("product-marketing (stage 2, SaaS)", "002", "scaled", "marketing-saas",
            "examples/product-marketing-saas.yaml", PROD_POLICIES,
            "WAF, CloudFront + S3, ALB, ECS Fargate 2048/4096 × 2–10 (70 % CPU, rolling), RDS "
            "db.t3.medium Multi-AZ + 1 replica, Redis cache.t3.micro × 2"),
    Example("GreenFlow", "004", "scaled", "greenflow", "examples/greenflow.yaml", PROD_POLICIES,
            "WAF, CloudFront + S3, ALB, ECS Fargate 1024/2048 × 3 (2–10, 70 % CPU, canary 5 % "
            "for 40 min), RDS db.t3.small Multi-AZ 500 GB + 1 replica, Redis cache.t3.small × 3"),
    Example("WillBook", "000", "serverless", "willbook", "examples/willbook.yaml", PROD_POLICIES,
            "WAF, CloudFront + S3, API Gateway (REST, behind CloudFront) → Lambda 2048 MB "
            "(alias live, CodeDeploy canary 10 % for 30 min), RDS db.t3.large Multi-AZ 100→1000 "
            "GB, Redis cache.m6g.large × 2, in the VPC's private subnets"),
    Example("Hanbit TODO", "003", "serverless", "hanbit-todo", "examples/hanbit-todo.yaml",
            PROD_POLICIES, "WAF, CloudFront + S3, API Gateway (REST, behind CloudFront) → Lambda "
            "1024 MB (alias live, CodeDeploy linear 10 % a minute), no VPC; SNS e-mail alerts, "
            "dashboard, deployment history"),
)


def preview_example(example: Example, unknowns: bool = False) -> Plan:
    return run_preview(example.stack, config_file=example.path, unknowns=unknowns)


def table_row(example: Example, plan: Plan) -> str:
    estimate = estimate_plan(plan)
    resources = sum(plan.count_by_type().values())
    not_priced = sum(estimate.unpriced_counts().values())
    return (f"| {example.system} | {example.seed} | {example.tier} | `{example.stack}` "
            f"(`{example.file}`) | {example.builds} | {resources} | `{example.policy_config}` | "
            f"{money(estimate.total)} + {not_priced} line(s) not priced |")


TABLE_HEADER = ("| system | seed | tier | stack (file) | what it builds | resources | checked with "
                "| monthly estimate (priced) |", "|---|---|---|---|---|---:|---|---|")


def table(plans: dict[str, Plan]) -> str:
    """The README's examples table; `plans` by example stack name."""
    rows = [table_row(example, plans[example.stack]) for example in EXAMPLES]
    return "\n".join([*TABLE_HEADER, *rows])


if __name__ == "__main__":
    if sys.argv[1:] == ["--list"]:
        print("\n".join(f"{e.stack} {e.file} {e.policy_config}" for e in EXAMPLES))
    else:
        print(table({e.stack: preview_example(e) for e in EXAMPLES}))
