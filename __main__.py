"""webstack: the AWS platform of a web product, sized by the stack's config.

The only place that reads Pulumi config; the tiers and their components receive typed settings.
"""
import dataclasses
import json
from pathlib import Path
from typing import Optional

import pulumi

from components.data.immutable_settings import (ImmutableSettings, ImmutableSettingsArgs,
                                                deployed_values, immutable_path)
from config.key_names import key_problem
from config.keys import SETTINGS, ConfigError, StackSettings, check_immutable, parse_settings
from tiers.mvp import build_mvp
from tiers.scaled import build_scaled
from tiers.serverless import build_serverless
from tiers.shared import tagged_provider


def read_settings() -> StackSettings:
    """The stack's settings, validated; a key the program does not read is refused, not ignored."""
    unknown = [problem for key in sorted(pulumi.runtime.config.CONFIG.get())
               if (problem := key_problem(key))]
    if unknown:
        raise ConfigError(unknown)
    config = pulumi.Config()
    raw = {setting.key: config.get(setting.key) for setting in SETTINGS}
    return parse_settings(raw, stack=pulumi.get_stack(), region=pulumi.Config("aws").get("region"))


def monthly_budget_usd(stack: str) -> Optional[float]:
    """The stack's monthly budget: `monthly-budget.maxMonthlyUsd` of its policy config, so the
    preview's budget check and the AWS Budgets alerts on real spend use one number."""
    path = Path(__file__).resolve().parent / "policies" / "config" / f"{stack}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8")).get("monthly-budget") if path.exists() else None
    except (ValueError, AttributeError):
        raise ConfigError([f"policies/config/{stack}.json is not a JSON object; it sets the stack's "
                           "budget (monthly-budget.maxMonthlyUsd)"]) from None
    limit = entry.get("maxMonthlyUsd") if isinstance(entry, dict) else None
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit <= 0):
        raise ConfigError([f"monthly-budget.maxMonthlyUsd = {json.dumps(limit)} in policies/config/{stack}.json "
                           "is not valid; allowed: a number of USD > 0 (the stack's AWS Budgets budget)"])
    return limit


BUILDERS = {"mvp": build_mvp, "scaled": build_scaled, "serverless": build_serverless}


def immutable_values(settings: StackSettings) -> dict[str, str]:
    return {"dbName": settings.database.name, "dbUsername": settings.database.username,
            "vpcCidr": settings.network.cidr, "dbEngineVersion": settings.database.engine_version}


def main() -> None:
    # A bad budget fails here, before any resource.
    settings = dataclasses.replace(read_settings(),
                                   monthly_budget_usd=monthly_budget_usd(pulumi.get_stack()))
    provider = tagged_provider("aws", settings.region, settings)
    # A key the deployed stack cannot change is refused before anything is registered.
    path = immutable_path(settings.project, settings.stack)
    check_immutable(immutable_values(settings), deployed_values(path, provider))
    outputs = BUILDERS[settings.tier](settings, provider)
    # Recorded last, so that a run refused for another reason records nothing.
    ImmutableSettings("immutable-settings", ImmutableSettingsArgs(path, immutable_values(settings)),
                      pulumi.ResourceOptions(providers=[provider]))
    pulumi.export("tier", settings.tier)
    pulumi.export("region", settings.region)
    for name, value in outputs.items():
        pulumi.export(name, value)


main()
