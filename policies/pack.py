"""Every policy of the pack, in report order, without starting the pack's gRPC server."""
from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from policies import (api_gateway, audit_logging, backup, budget, codedeploy, containers, data_protection, dynamodb,
                      encryption, exposure, keys_and_secrets, lambda_functions, rds_proxy, security_groups, tagging,
                      transit)

PACK_NAME = "webstack-guardrails"
# Each policy sets its own level; this only covers a policy that would not.
PACK_ENFORCEMENT_LEVEL = EnforcementLevel.ADVISORY

ALL_POLICIES: list[Policy] = [
    *encryption.POLICIES,
    *transit.POLICIES,
    *backup.POLICIES,
    *security_groups.POLICIES,
    *exposure.POLICIES,
    *containers.POLICIES,
    *keys_and_secrets.POLICIES,
    *audit_logging.POLICIES,
    *data_protection.POLICIES,
    *lambda_functions.POLICIES,
    *api_gateway.POLICIES,
    *dynamodb.POLICIES,
    *rds_proxy.POLICIES,
    *codedeploy.POLICIES,
    *tagging.POLICIES,
    *budget.POLICIES,
]
