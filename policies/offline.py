"""Runs the policy pack over an offline plan the way `pulumi preview --policy-pack` runs it.

Each planned resource becomes the real `ResourceValidationArgs` (props behind pulumi-policy's
unknown-checking proxy, numbers as floats as the CLI's protobuf sends them, options, provider,
and the policy's reconciled config); the whole plan becomes `StackValidationArgs`. The config
is read, checked and reconciled by `policies.pack_config`, with the CLI's rules.

It takes a plan, not a stack name: the command that previews and then checks,
`python -m preview <stack> --policies`, sits above both and imports this module; nothing here
imports the preview.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from inspect import isawaitable
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

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

from policies import exemptions
from policies.pack import ALL_POLICIES, PACK_NAME
from policies.redaction import redact, secret_values
from policies.pack_config import (CONFIG_DIR, PolicyConfigError, PolicySettings, load_pack_config,
                                  read_pack_config, reconcile_config, shown_path, stack_config_file)

__all__ = ["CONFIG_DIR", "PolicyCheck", "PolicyConfigError", "PolicySettings", "Violation", "evaluate",
           "format_report", "has_mandatory", "load_pack_config", "read_pack_config", "reconcile_config",
           "stack_config_file"]


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

    @property
    def exempted(self) -> bool:
        return self.level == EXEMPTED


EXEMPTED = "exempted"  # the level of a violation an exemption silenced: listed, never failing
EXEMPTIONS_POLICY = "policy-exemptions"
EXEMPTIONS_FIX = ("Exemptions in the stack's policy config must be current and needed: remove one that "
                  "matches no violation, and renew an expired one (new expires, reason) or fix the resource.")


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
    known = secret_values(plan.resources)
    with exemptions.LOG.recording() as uses:
        _run_policies(plan, active, providers, found, known)
    return found + _exemption_findings(active, uses, plan, known)


def _run_policies(plan: Any, active: list, providers: Mapping[str, PolicyProviderResource],
                  found: list[Violation], known: frozenset[str]) -> None:
    resource_policies = [(policy, policy_settings.level, to_wire(policy_settings.properties),
                          getattr(policy, "resource_types", None))
                         for policy, policy_settings in active if isinstance(policy, ResourceValidationPolicy)]
    for resource in plan.resources:
        options, provider = resource_options(resource), _provider_of(resource, providers)
        props = proxied(resource.inputs)  # read-only: shared by the policies
        for policy, level, properties, types in resource_policies:
            if types is not None and resource.type not in types:
                continue  # the policy's own type filter would pass it untouched
            args = ResourceValidationArgs(resource.type, props, resource.urn, resource.name, options, provider,
                                          properties, {})
            # Like the CLI, a resource policy's report always names the resource checked.
            _check(policy, level, args, found, lambda urn, r=resource: r, known)
    stack_policies = [(p, s) for p, s in active if isinstance(p, StackValidationPolicy)]
    if stack_policies:
        resources, by_urn = _stack_resources(plan, providers), {r.urn: r for r in plan.resources}
        for policy, policy_settings in stack_policies:
            args = StackValidationArgs(resources, to_wire(policy_settings.properties), {})
            _check(policy, policy_settings.level, args, found, lambda urn: by_urn.get(urn) if urn else None,
                   known)


def _exemption_findings(active: list, uses: list, plan: Any, known: frozenset[str]) -> list[Violation]:
    """Each violation an exemption silenced (level "exempted"), then each exemption that is
    expired or silenced nothing (advisory, under the pseudo-policy "policy-exemptions")."""
    by_urn = {r.urn: r for r in plan.resources}
    findings = [Violation(use.policy, EXEMPTED, None, use.urn, use.name,
                          getattr(by_urn.get(use.urn), "type", None),
                          f"{redact(use.message, by_urn.get(use.urn), known)} — exempted: {use.exemption.reason}"
                          + (f" (until {use.exemption.expires.isoformat()})" if use.exemption.expires else ""),
                          "")
                for use in uses]
    used = {(use.policy, use.exemption) for use in uses}
    today = exemptions.today()
    for policy, policy_settings in active:
        for exemption in exemptions.parse(policy_settings.properties.get(exemptions.SETTING)):
            if exemption.expired(today):
                problem = f"expired on {exemption.expires.isoformat()}"
            elif (policy.name, exemption) not in used:
                problem = "matches no violation of this stack"
            else:
                continue
            findings.append(Violation(EXEMPTIONS_POLICY, EnforcementLevel.ADVISORY.value, None, None, None, None,
                                      f"{policy.name}: exemption {exemption.resource!r} {problem}",
                                      EXEMPTIONS_FIX))
    return findings


def _check(policy: Policy, level: EnforcementLevel, args: Any, found: list[Violation],
           locate: Callable[[Optional[str]], Any], known: frozenset[str] = frozenset()) -> None:
    reported_level = (EnforcementLevel.MANDATORY if level == EnforcementLevel.REMEDIATE else level).value
    severity = policy.severity.value if policy.severity else None

    def report(message: str, urn: Optional[str] = None) -> None:
        target = locate(urn)
        found.append(Violation(policy.name, reported_level, severity,
                               target.urn if target else urn, target.name if target else None,
                               target.type if target else None, redact(message or "", target, known),
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


async def _await(result: Any) -> None:
    await result


def has_mandatory(violations: Iterable[Violation]) -> bool:
    return any(v.mandatory for v in violations)


def format_report(violations: Sequence[Violation]) -> str:
    """Violations grouped by policy: level, count, the fix, then each resource and what is wrong.

    Messages name properties, ports, CIDRs and policies, never property values that could be
    secrets.
    """
    exempted = [v for v in violations if v.exempted]
    violations = [v for v in violations if not v.exempted]
    if not violations:
        return "\n".join([*_exempted_lines(exempted), "Policy check: no violations."])
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
    lines += _exempted_lines(exempted)
    mandatory = sum(v.mandatory for v in violations)
    lines.append(f"Policy check: {mandatory} mandatory, {len(violations) - mandatory} advisory "
                 f"violation(s) across {len(grouped)} polic{'y' if len(grouped) == 1 else 'ies'}.")
    return "\n".join(lines)


def _exempted_lines(exempted: Sequence[Violation]) -> list[str]:
    if not exempted:
        return []
    return [f"[exempted] ({len(exempted)})",
            *(f"    - {v.policy} on {v.name or 'stack'}: {v.message}" for v in exempted)]


@dataclass(frozen=True)
class PolicyCheck:
    """The pack's verdict on one plan, and the config file it was checked under."""

    config_file: Path
    violations: list[Violation]

    @property
    def failed(self) -> bool:
        return has_mandatory(self.violations)

    def report(self) -> str:
        return f"Policy check ({PACK_NAME}, {shown_path(self.config_file)}):\n" + format_report(self.violations)

    def as_data(self) -> dict[str, Any]:
        """For `--json`: the counts, then each violation with its fix."""
        mandatory = sum(v.mandatory for v in self.violations)
        exempted = sum(v.exempted for v in self.violations)
        return {"pack": PACK_NAME, "config": shown_path(self.config_file), "mandatory": mandatory,
                "advisory": len(self.violations) - mandatory - exempted, "exempted": exempted,
                "violations": [{"policy": v.policy, "level": v.level, "severity": v.severity,
                                "resource": v.name, "type": v.resource_type, "urn": v.urn,
                                "message": v.message, "fix": v.description} for v in self.violations]}
