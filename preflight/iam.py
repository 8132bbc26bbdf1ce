"""IAM: role names and the size of a role's inline policies."""
from __future__ import annotations

import json
import re
from collections import defaultdict

from preflight.model import cites, found, known, name_problems, physical_name
from preview.plan import Plan

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_NAME = r"[A-Za-z0-9+=,.@_-]+"
ROLE_NAME_MAX = 64
ROLE_POLICY_CHARACTERS = 10_240  # all inline policies of a role together, white space not counted


@cites("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html")
def role_names(plan: Plan) -> list:
    """Up to 64 alphanumerics or +=,.@_- (Pulumi's auto-name adds 8 characters)."""
    return [found(role_names, role, problem)
            for role in plan.of_type(ROLE)
            if (name := physical_name(role)) is not None
            for problem in name_problems(name, most=ROLE_NAME_MAX, pattern=IAM_NAME, what="name")]


@cites("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html")
def role_inline_policy_size(plan: Plan) -> list:
    """A role's inline policies together stay within 10,240 characters, white space aside."""
    sizes: dict[str, int] = defaultdict(int)
    for policy in plan.of_type(ROLE_POLICY):
        text, role = policy.inputs.get("policy"), policy.inputs.get("role")
        if known(text) and known(role):
            sizes[role] += len(re.sub(r"\s", "", json.dumps(json.loads(text)) if text else ""))
    return [found(role_inline_policy_size, role, f"inline policies total {size} characters "
                  f"(> {ROLE_POLICY_CHARACTERS})")
            for role, size in sorted(sizes.items()) if size > ROLE_POLICY_CHARACTERS]


RULES = [role_names, role_inline_policy_size]
