"""Real spend: an AWS Budgets cost budget per stack, filtered on the stack's `Stack` tag, that
tells the stack's alarm topic at 80 % of the month's forecast and at 100 % of actual spend.

The budget publishes to an SNS topic encrypted with a customer-managed key, so two grants are
needed: the topic policy lets budgets.amazonaws.com publish (for this account's budgets only), and
the topic's key lets it encrypt. Both are the alert topic's, made by
`components/observability/alerts.py` (`topic_policy`, `key_policy`): a topic has one policy, which
AWS Backup's notifications need too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

# AWS Budgets BudgetName: 1 to 100 characters, no ":" or "\", no "/action/" substring
# (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html).
BUDGET_NAME_MAX = 100
BUDGET_NAME_FORBIDDEN = re.compile(r"[:\\]|/action/")
FORECAST_ALERT_PERCENT = 80
ACTUAL_ALERT_PERCENT = 100
# The tag every resource carries through the providers' default tags (__main__.default_tags). It
# filters a budget only once activated as a cost allocation tag in the Billing console.
STACK_TAG = "Stack"


@dataclass(frozen=True)
class BudgetArgs:
    name_prefix: str
    stack: str
    limit_usd: float
    topic_arn: pulumi.Input[str]
    topic_ready: Sequence[pulumi.Resource] = ()  # the topic's policy, which lets budgets publish


def budget_name(name_prefix: str) -> str:
    name = f"{name_prefix}-monthly"
    if not 1 <= len(name) <= BUDGET_NAME_MAX or BUDGET_NAME_FORBIDDEN.search(name):
        raise ValueError(f"budget name {name!r} is not valid; allowed: 1 to {BUDGET_NAME_MAX} "
                         "characters without ':', '\\' or '/action/'")
    return name


def stack_cost_filter(stack: str) -> dict:
    """Costs of resources tagged Stack=<stack>: TagKeyValue takes `user:<key>$<value>`."""
    return {"name": "TagKeyValue", "values": [f"user:{STACK_TAG}${stack}"]}


class Budget(pulumi.ComponentResource):
    def __init__(self, name: str, args: BudgetArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:monitoring:Budget", name, None, opts)
        if args.limit_usd <= 0:
            raise ValueError(f"budget limit {args.limit_usd!r} is not valid; allowed: a number of USD > 0")
        self.budget = aws.budgets.Budget(
            f"{name}-budget", name=budget_name(args.name_prefix), budget_type="COST", time_unit="MONTHLY",
            limit_amount=f"{args.limit_usd:.2f}", limit_unit="USD",
            cost_filters=[stack_cost_filter(args.stack)],
            notifications=[alert(FORECAST_ALERT_PERCENT, "FORECASTED", args.topic_arn),
                           alert(ACTUAL_ALERT_PERCENT, "ACTUAL", args.topic_arn)],
            # AWS Budgets checks that it may publish when the budget is made.
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.topic_ready)))
        self.register_outputs({"budgetName": self.budget.name})


def alert(percent: int, kind: str, topic_arn: pulumi.Input[str]) -> dict:
    return {"comparison_operator": "GREATER_THAN", "threshold": percent, "threshold_type": "PERCENTAGE",
            "notification_type": kind, "subscriber_sns_topic_arns": [topic_arn]}
