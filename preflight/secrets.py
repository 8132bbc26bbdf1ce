"""Secrets Manager: secret names and rotation intervals."""
from __future__ import annotations

import re

from preflight.model import PREFIX_SUFFIX, cites, found, known
from preview.plan import Plan

SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
SECRET_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}")


@cites("https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/secretsmanager/aws.sdk.kotlin.services.secretsmanager.model/-create-secret-request/name.html")
def secret_names(plan: Plan) -> list:
    """ASCII letters, digits and /_+=.@- (a namePrefix gets generated characters after it)."""
    findings = []
    for secret in plan.of_type(SECRET):
        name = secret.inputs.get("name") or secret.inputs.get("namePrefix")
        if not known(name):
            continue
        if "namePrefix" in secret.inputs:
            name += "x" * PREFIX_SUFFIX
        if not SECRET_NAME.fullmatch(name):
            findings.append(found(secret_names, secret,
                                  f"name {name!r} does not match {SECRET_NAME.pattern}"))
    return findings


@cites("https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html")
def rotation_intervals(plan: Plan) -> list:
    """automaticallyAfterDays is 1 to 1000."""
    return [found(rotation_intervals, rotation, f"automaticallyAfterDays {days}: allowed 1 to 1000")
            for rotation in plan.of_type(ROTATION)
            if isinstance(days := (rotation.inputs.get("rotationRules") or {}).get(
                "automaticallyAfterDays"), int) and not 1 <= days <= 1000]


RULES = [secret_names, rotation_intervals]
