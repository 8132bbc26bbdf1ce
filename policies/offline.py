"""Runs the policy pack over an offline plan the way `pulumi preview --policy-pack` runs it.

Each planned resource becomes the real `ResourceValidationArgs` (props behind pulumi-policy's
unknown-checking proxy, numbers as floats as the CLI's protobuf sends them, options, provider,
and the policy's reconciled config); the whole plan becomes `StackValidationArgs`. Config is
reconciled with the CLI's rules: schema defaults, then `"all"`'s enforcement level, then each
policy's own level and properties.

    python -m policies.offline --stack dev     # preview the stack offline, then check it
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from inspect import isawaitable
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies.pack import ALL_POLICIES, PACK_ENFORCEMENT_LEVEL, PACK_NAME

CONFIG_DIR = Path(__file__).resolve().parent / "config"
LEVELS = {level.value: level for level in EnforcementLevel}
JSON_TYPES = {"integer": (int,), "number": (int, float), "string": (str,), "boolean": (bool,),
              "array": (list,), "object": (dict,)}


class PolicyConfigError(ValueError):
    """The pack config is malformed, names an unknown policy, or breaks a policy's schema."""


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str  # "advisory" or "mandatory" (remediate reports as mandatory, as the CLI does)
    severity: Optional[str]
    urn: Optional[str]  # None: the stack as a whole
    name: Optional[str]
    resource_type: Optional[str]
    message: str
    description: str  # what the policy wants, and how to fix it

    @property
    def mandatory(self) -> bool:
        return self.level == EnforcementLevel.MANDATORY.value


@dataclass(frozen=True)
class PolicySettings:
    level: EnforcementLevel
    properties: dict[str, Any]


# ---- config: the CLI's file format and reconciliation ----

def load_pack_config(stack: str, config_dir: Path = CONFIG_DIR) -> dict:
    """The stack's policy config file (`policies/config/<stack>.json`), as the CLI reads it."""
    path = Path(config_dir) / f"{stack}.json"
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if text.strip() else {}


def _parse_entry(key: str, value: Any) -> tuple[Optional[EnforcementLevel], dict]:
    if isinstance(value, str):
        return _level(key, value), {}
    if isinstance(value, dict):
        properties = dict(value)
        raw_level = properties.pop("enforcementLevel", None)
        return (_level(key, raw_level) if raw_level is not None else None), properties
    raise PolicyConfigError(f"{key}: {value!r} is not a valid value; must be a string or object")


def _level(key: str, value: Any) -> EnforcementLevel:
    if value not in LEVELS:
        raise PolicyConfigError(f"{key}: {value!r} is not a valid enforcement level")
    return LEVELS[value]


def reconcile_config(pack_config: Mapping[str, Any],
                     policies: Sequence[Policy] = ALL_POLICIES) -> dict[str, PolicySettings]:
    """Each policy's enforcement level and properties, reconciled as the CLI does."""
    result = {policy.name: PolicySettings(policy.enforcement_level or PACK_ENFORCEMENT_LEVEL,
                                          _schema_defaults(policy)) for policy in policies}
    entries = {key: _parse_entry(key, value) for key, value in (pack_config or {}).items()}
    unknown = sorted(set(entries) - set(result) - {"all"})
    if unknown:  # the CLI silently ignores these; a typo here would silently disable a setting
        raise PolicyConfigError(f"config names no policy of {PACK_NAME}: {', '.join(unknown)}")
    all_level = entries.get("all", (None, {}))[0]
    if all_level is not None:
        result = {name: PolicySettings(all_level, s.properties) for name, s in result.items()}
    for name, (level, properties) in entries.items():
        if name != "all":
            current = result[name]
            result[name] = PolicySettings(level or current.level, {**current.properties, **properties})
    for policy in policies:
        _check_schema(policy, result[policy.name].properties)
    return result


def _schema_defaults(policy: Policy) -> dict[str, Any]:
    schema = policy.config_schema.properties if policy.config_schema else {}
    return {key: spec["default"] for key, spec in schema.items() if "default" in spec}


def _check_schema(policy: Policy, properties: Mapping[str, Any]) -> None:
    """The subset of JSON Schema the pack's schemas use: type, items.type, enum, minimum."""
    schema = policy.config_schema.properties if policy.config_schema else {}
    for key, value in properties.items():
        spec = schema.get(key)
        if spec is None:
            continue
        values = value if spec.get("type") == "array" and isinstance(value, list) else [value]
        item_spec = spec.get("items", {}) if spec.get("type") == "array" else spec
        if not _is_type(value, spec.get("type")) or not all(_fits(v, item_spec) for v in values):
            raise PolicyConfigError(f"{policy.name}: {key} = {value!r} does not match its schema {spec}")


def _is_type(value: Any, json_type: Optional[str]) -> bool:
    if json_type is None:
        return True
    if isinstance(value, bool) and json_type in ("integer", "number"):
        return False
    if json_type == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, JSON_TYPES[json_type])


def _fits(value: Any, spec: Mapping[str, Any]) -> bool:
    if not _is_type(value, spec.get("type")):
        return False
    if "enum" in spec and value not in spec["enum"]:
        return False
    return "minimum" not in spec or value >= spec["minimum"]


# ---- the plan as the engine would hand it to the analyzer ----

def to_wire(value: Any) -> Any:
    """Plain JSON-like data as it reaches a policy through protobuf: every number a float."""
    if isinstance(value, Mapping):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def proxied(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return unknown_checking_proxy(to_wire(props))


def resource_options(resource: Any) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=bool(resource.protect), ignore_changes=list(resource.ignore_changes),
        delete_before_replace=resource.delete_before_replace, aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=list(resource.additional_secret_outputs), parent=resource.parent)


def _providers(plan: Any) -> dict[str, PolicyProviderResource]:
    return {r.urn: PolicyProviderResource(r.type, proxied(r.inputs), r.urn, r.name)
            for r in plan.resources if r.type.startswith("pulumi:providers:")}


def _provider_of(resource: Any, providers: Mapping[str, PolicyProviderResource]) -> Optional[PolicyProviderResource]:
    urn = resource.provider.rsplit("::", 1)[0] if resource.provider else None
    return providers.get(urn) if urn else None


def _stack_resources(plan: Any, providers: Mapping[str, PolicyProviderResource]) -> list[PolicyResource]:
    by_urn: dict[str, PolicyResource] = {}
    for r in plan.resources:
        # A stack policy sees the engine's view of the resource, its outputs: for bridged AWS
        # resources they include `id`, `arn` and computed names that other inputs refer to.
        props = {**r.inputs, **getattr(r, "outputs", {}), **({"id": r.id} if r.custom and r.id else {})}
        by_urn[r.urn] = PolicyResource(r.type, proxied(props), r.urn, r.name, resource_options(r),
                                       _provider_of(r, providers), None, [], {})
    for r in plan.resources:
        resource = by_urn[r.urn]
        resource.parent = by_urn.get(r.parent) if r.parent else None
        resource.dependencies = [by_urn[u] for u in r.dependencies if u in by_urn]
        resource.property_dependencies = {key: [by_urn[u] for u in urns if u in by_urn]
                                          for key, urns in r.property_dependencies.items()}
    return list(by_urn.values())


# ---- running the policies ----

def evaluate(plan: Any, pack_config: Mapping[str, Any],
             policies: Sequence[Policy] = ALL_POLICIES) -> list[Violation]:
    """Every violation the pack reports on the plan: resource policies in plan order, then stack
    policies. `disabled` policies are skipped; `remediate` reports as mandatory (no policy here
    remediates), as the CLI does."""
    config = reconcile_config(pack_config, policies)
    active = [(p, config[p.name]) for p in policies if config[p.name].level != EnforcementLevel.DISABLED]
    providers = _providers(plan)
    found: list[Violation] = []
    for resource in plan.resources:
        options, provider = resource_options(resource), _provider_of(resource, providers)
        for policy, policy_settings in active:
            if isinstance(policy, ResourceValidationPolicy):
                args = ResourceValidationArgs(resource.type, proxied(resource.inputs), resource.urn,
                                              resource.name, options, provider,
                                              to_wire(policy_settings.properties), {})
                # Like the CLI, a resource policy's report always names the resource checked.
                _check(policy, policy_settings.level, args, found, lambda urn, r=resource: r)
    stack_policies = [(p, s) for p, s in active if isinstance(p, StackValidationPolicy)]
    if stack_policies:
        resources, by_urn = _stack_resources(plan, providers), {r.urn: r for r in plan.resources}
        for policy, policy_settings in stack_policies:
            args = StackValidationArgs(resources, to_wire(policy_settings.properties), {})
            _check(policy, policy_settings.level, args, found, lambda urn: by_urn.get(urn) if urn else None)
    return found


def _check(policy: Policy, level: EnforcementLevel, args: Any, found: list[Violation],
           locate: Callable[[Optional[str]], Any]) -> None:
    reported_level = (EnforcementLevel.MANDATORY if level == EnforcementLevel.REMEDIATE else level).value
    severity = policy.severity.value if policy.severity else None

    def report(message: str, urn: Optional[str] = None) -> None:
        target = locate(urn)
        found.append(Violation(policy.name, reported_level, severity,
                               target.urn if target else urn, target.name if target else None,
                               target.type if target else None, redact(message or "", target),
                               policy.description))

    try:
        result = policy.validate(args, report)
        if isawaitable(result):
            asyncio.run(_await(result))
    except UnknownValueError as error:
        # As the CLI does: the policy could not run during preview; say so, as advisory.
        found.append(Violation(policy.name, EnforcementLevel.ADVISORY.value, severity, None, None, None,
                               f"can't run policy during preview: {error.message}", policy.description))
    except _NotApplicableError:
        pass


def redact(message: str, resource: Any) -> str:
    """Masks the values of the resource's secret inputs, should a message ever quote one."""
    if resource is None:
        return message
    for secret in _strings(resource.inputs.get(name) for name in getattr(resource, "secret_inputs", ())):
        message = message.replace(secret, "[secret]")
    return message


def _strings(values: Iterable[Any]) -> Iterator[str]:
    for value in values:
        if isinstance(value, str) and len(value) >= 4:
            yield value
        elif isinstance(value, Mapping):
            yield from _strings(value.values())
        elif isinstance(value, (list, tuple)):
            yield from _strings(value)


async def _await(result: Any) -> None:
    await result


def has_mandatory(violations: Iterable[Violation]) -> bool:
    return any(v.mandatory for v in violations)


def format_report(violations: Sequence[Violation]) -> str:
    """Violations grouped by policy: level, count, the fix, then each resource and what is wrong.

    Messages name properties, ports, CIDRs and policies, never property values that could be
    secrets.
    """
    if not violations:
        return "Policy check: no violations."
    grouped: dict[str, list[Violation]] = defaultdict(list)
    for violation in violations:
        grouped[violation.policy].append(violation)
    order = sorted(grouped, key=lambda name: (not grouped[name][0].mandatory, name))
    lines = []
    for name in order:
        group = grouped[name]
        lines.append(f"[{group[0].level}] {name} ({len(group)})")
        lines.append(f"    fix: {group[0].description}")
        for v in group:
            where = f"{v.name} ({v.resource_type})" if v.name else "stack"
            lines.append(f"    - {where}: {v.message}")
    mandatory = sum(v.mandatory for v in violations)
    lines.append(f"Policy check: {mandatory} mandatory, {len(violations) - mandatory} advisory "
                 f"violation(s) across {len(grouped)} polic{'y' if len(grouped) == 1 else 'ies'}.")
    return "\n".join(lines)


# ---- command line ----

def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.offline", description=__doc__.split("\n")[0])
    parser.add_argument("--stack", required=True, help="preview this stack offline, then check it")
    parser.add_argument("--config", type=Path, help="policy config file (default: the stack's)")
    options = parser.parse_args(argv)
    from preview.engine import run_preview  # the program's engine; only this command needs it

    plan = run_preview(options.stack)
    pack_config = (json.loads(options.config.read_text(encoding="utf-8")) if options.config
                   else load_pack_config(options.stack))
    violations = evaluate(plan, pack_config)
    print(format_report(violations))
    return 1 if has_mandatory(violations) else 0


if __name__ == "__main__":
    sys.exit(main())
