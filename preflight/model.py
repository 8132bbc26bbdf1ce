"""What every preflight rule shares: the finding it returns, how it cites AWS, and readers over
the recorded plan (names the engine will give, regions, values unknown before the first apply)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from preview.plan import Plan, PlannedResource

# The engine's marker for a value not known until apply (pulumi.runtime.rpc.UNKNOWN); a
# first-run plan (`--unknowns`) carries it wherever a computed output flows into an input.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
ERROR, WARNING = "error", "warning"
# Pulumi's auto-name: the logical name, a hyphen and 7 random characters.
AUTONAME_SUFFIX = 8
# The Terraform provider's `name_prefix`/`bucket_prefix`: the prefix and 26 generated characters.
PREFIX_SUFFIX = 26

Rule = Callable[[Plan], list["Finding"]]


@dataclass(frozen=True)
class Finding:
    rule: str
    resource: str  # the logical name, or "account" for a rule over several stacks
    message: str
    source: str  # where AWS (or the provider) documents the rule
    severity: str = ERROR

    def line(self) -> str:
        return f"[{self.severity}] {self.rule}: {self.resource}: {self.message}\n    source: {self.source}"


def cites(source: str) -> Callable[[Callable], Callable]:
    """Marks a rule with the page that documents it; every finding it returns carries it."""
    def mark(rule: Callable) -> Callable:
        rule.source = source
        return rule
    return mark


def found(rule: Callable, resource: Any, message: str, severity: str = ERROR) -> Finding:
    name = resource if isinstance(resource, str) else resource.name
    return Finding(rule.__name__, name, message, rule.source, severity)


def known(value: Any) -> bool:
    """False for a value the engine does not know yet, or one that contains such a value."""
    if value is None:
        return False
    if isinstance(value, str):
        return UNKNOWN not in value
    if isinstance(value, dict):
        return all(known(v) for v in value.values() if v is not None)
    if isinstance(value, (list, tuple)):
        return all(known(v) for v in value)
    return True


def whole_number(value: Any) -> Optional[int]:
    """An integer input as the engine records it: a plan's numbers arrive as floats (90.0), a
    hand-built plan's as ints; None for anything else (a bool, a string, an unknown)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if float(value).is_integer() else None


def physical_name(resource: PlannedResource, key: str = "name",
                  prefix_key: Optional[str] = "namePrefix") -> Optional[str]:
    """The name AWS will see: given, a prefix plus its generated suffix, or Pulumi's auto-name
    ('x' standing for each generated character); None while unknown."""
    inputs = resource.inputs
    if key in inputs:
        return inputs[key] if known(inputs[key]) else None
    if prefix_key and prefix_key in inputs:
        prefix = inputs[prefix_key]
        return prefix + "x" * PREFIX_SUFFIX if known(prefix) else None
    return resource.name + "-" + "x" * (AUTONAME_SUFFIX - 1)


def region_of(plan: Plan, resource: PlannedResource) -> Optional[str]:
    urn = resource.provider_urn
    if urn is None:
        return None
    try:
        return plan.by_urn(urn).inputs.get("region")
    except LookupError:
        return None


def of_types(plan: Plan, *types: str) -> Iterable[PlannedResource]:
    return (r for r in plan.resources if r.type in types)


def name_problems(name: str, *, most: int, pattern: str, what: str) -> list[str]:
    problems = []
    if not 1 <= len(name) <= most:
        problems.append(f"{what} {name!r} has {len(name)} characters; allowed: 1 to {most}")
    if not re.fullmatch(pattern, name):
        problems.append(f"{what} {name!r} does not match {pattern}")
    return problems
