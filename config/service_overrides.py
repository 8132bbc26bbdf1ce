"""A service's own rollout and alarm thresholds, over the stack's (`webstack:services.<name>.…`).

Each rollout key a service sets is read and checked by the stack key's own rule
(config/keys.py SETTINGS), so a service accepts exactly what the stack accepts; what it leaves
out is the stack's. `alarmThresholds` holds the alarms each service has of its own.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Optional

from config.rules import object_of_numbers, threshold_problem
from config.settings import RolloutSettings

ROLLOUT_KEYS = ("deploymentStrategy", "canaryPercent", "canaryBakeMinutes", "linearStepPercent",
                "linearBakeMinutes", "rolloutBakeMinutes")
# Pulumi config keeps a decimal as a string; in structured config a service may write a number.
DECIMAL_KEYS = ("canaryPercent", "linearStepPercent")
THRESHOLDS = "alarmThresholds"
# The alarms every service has of its own (components/observability/alarms.py), and those only a
# service behind the ALB has.
SERVICE_ALARMS = ("alb5xxRatePercent", "targetResponseTimeP95Ms", "ecsCpuPercent",
                  "ecsMemoryPercent")
ROUTED_ONLY_ALARMS = ("alb5xxRatePercent", "targetResponseTimeP95Ms")
OVERRIDE_KEYS = (*ROLLOUT_KEYS, THRESHOLDS)
# config/keys.py's checked_value: (key, raw) → (value, None) or (None, what the key allows).
ValueCheck = Callable[[str, Any], tuple[Any, Optional[str]]]


def rollout_of(values: Mapping[str, Any]) -> RolloutSettings:
    """The rollout settings from validated values of the rollout keys."""
    return RolloutSettings(
        strategy=values["deploymentStrategy"], canary_percent=float(values["canaryPercent"]),
        canary_bake_minutes=values["canaryBakeMinutes"],
        linear_step_percent=float(values["linearStepPercent"]),
        linear_bake_minutes=values["linearBakeMinutes"], bake_minutes=values["rolloutBakeMinutes"])


def service_rollout(where: str, spec: Mapping[str, Any], stack: Mapping[str, Any],
                    routed: bool, checked_value: ValueCheck
                    ) -> tuple[Optional[RolloutSettings], list[str]]:
    """The service's rollout: each key it sets, checked by the stack key's rule
    (`checked_value`), else the stack's value; a service without a route can only roll (traffic
    shifting moves weights between its target groups)."""
    values, problems = {}, []
    for key in ROLLOUT_KEYS:
        if key not in spec:
            values[key] = stack[key]
            continue
        given = spec[key]
        raw = str(given) if key in DECIMAL_KEYS and isinstance(given, (int, float)) \
            and not isinstance(given, bool) else given
        value, allowed = checked_value(key, raw)
        if allowed:
            problems.append(f"{where}.{key} = {json.dumps(given)} is not valid; allowed: "
                            f"{allowed}")
        else:
            values[key] = value
    if problems:
        return None, problems
    strategy = values["deploymentStrategy"]
    if strategy != "rolling" and not routed and "deploymentStrategy" in spec:
        return None, [f"{where}.deploymentStrategy = {json.dumps(strategy)} is not valid for a "
                      "service without routes; allowed: rolling (traffic shifting moves weight "
                      "between a routed service's two target groups)"]
    if strategy != "rolling" and stack.get("tier") == "mvp":
        return None, [f"{where}.deploymentStrategy = {json.dumps(strategy)} is not valid with "
                      "webstack:tier = 'mvp'; allowed: rolling (traffic shifting needs the scaled "
                      "tier's load balancer and ECS services)"]
    return rollout_of(values), []


def service_thresholds(where: str, spec: Mapping[str, Any], routed: bool, on_instance: bool
                       ) -> tuple[tuple[tuple[str, float], ...], list[str]]:
    """The service's own alarm thresholds (name, number), sorted; each checked by the stack's
    `alarmThresholds` rule, and only for alarms the service has (none on the MVP's instance)."""
    if THRESHOLDS not in spec:
        return (), []
    given = spec[THRESHOLDS]
    key = f"{where}.{THRESHOLDS}"
    if on_instance:
        return (), [f"{key} is not valid with webstack:tier = 'mvp'; allowed: unset (a container "
                    "on the instance has no alarms of its own: the instance's are ec2…)"]
    try:
        numbers = object_of_numbers(given)
    except ValueError as err:
        return (), [f"{key} = {json.dumps(given)} is not valid; allowed: {err}"]
    own = SERVICE_ALARMS if routed else tuple(a for a in SERVICE_ALARMS
                                              if a not in ROUTED_ONLY_ALARMS)
    problems = [f"{key}.{name} is not an alarm of this service; allowed: {', '.join(own)}"
                + ("" if routed or name not in ROUTED_ONLY_ALARMS
                   else " (the ALB alarms watch routed services only)")
                for name in numbers if name not in own]
    problems += [f"{key}.{name} = {json.dumps(number)} is not valid; allowed: {allowed}"
                 for name, number in numbers.items()
                 if name in own and (allowed := threshold_problem(name, number))]
    if problems:
        return (), problems
    return tuple(sorted((name, float(number)) for name, number in numbers.items())), []
