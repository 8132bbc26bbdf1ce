"""Every policy of the pack, in report order, without starting the pack's gRPC server."""
from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from policies import backup, budget, data_protection, encryption, exposure, security_groups, tagging, transit

PACK_NAME = "webstack-guardrails"
# Each policy sets its own level; this only covers a policy that would not.
PACK_ENFORCEMENT_LEVEL = EnforcementLevel.ADVISORY

ALL_POLICIES: list[Policy] = [
    *encryption.POLICIES,
    *transit.POLICIES,
    *backup.POLICIES,
    *security_groups.POLICIES,
    *exposure.POLICIES,
    *data_protection.POLICIES,
    *tagging.POLICIES,
    *budget.POLICIES,
]
