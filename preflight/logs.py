"""CloudWatch Logs: group names and retention values."""
from __future__ import annotations

import re

from preflight.model import cites, found, known, whole_number
from preview.plan import Plan

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}")
RETENTION_DAYS = frozenset({1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                            1827, 2192, 2557, 2922, 3288, 3653})


@cites("https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-logs/blob/master/aws-logs-loggroup/aws-logs-loggroup.json")
def log_group_names(plan: Plan) -> list:
    """1 to 512 characters of letters, digits and . - _ / #."""
    return [found(log_group_names, group, f"name {name!r} does not match {GROUP_NAME.pattern}")
            for group in plan.of_type(LOG_GROUP)
            if known(name := group.inputs.get("name")) and not GROUP_NAME.fullmatch(name)]


@cites("https://docs.rs/crate/aws-sdk-cloudwatchlogs/latest/source/src/operation/put_retention_policy/_put_retention_policy_input.rs")
def log_retention_values(plan: Plan) -> list:
    """retentionInDays is one of the values PutRetentionPolicy lists."""
    return [found(log_retention_values, group, f"retentionInDays {days} is not one of "
                  f"{sorted(RETENTION_DAYS)}")
            for group in plan.of_type(LOG_GROUP)
            if (days := whole_number(group.inputs.get("retentionInDays"))) is not None
            and days not in RETENTION_DAYS]


RULES = [log_group_names, log_retention_values]
