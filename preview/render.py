"""Prints a Plan the way `pulumi preview` summarises one: the tree, counts by type, outputs."""
from __future__ import annotations

import json
from typing import Any, Optional

from preview.plan import Plan, PlannedResource

STACK_TYPE = "pulumi:pulumi:Stack"


def _children(plan: Plan) -> dict[Any, list[PlannedResource]]:
    known = {r.urn for r in plan.resources}
    tree: dict[Any, list[PlannedResource]] = {}
    for resource in plan.resources:
        parent = resource.parent if resource.parent in known else None
        tree.setdefault(parent, []).append(resource)
    return tree


def tree_lines(plan: Plan) -> list[str]:
    tree = _children(plan)
    lines = [f"{STACK_TYPE}  webstack-{plan.stack}"]

    def walk(parent: Any, indent: str) -> None:
        children = sorted(tree.get(parent, []), key=lambda r: (r.custom, r.type, r.name))
        for index, resource in enumerate(children):
            last = index == len(children) - 1
            marks = " [protected]" if resource.protect else ""
            lines.append(f"{indent}{'└─' if last else '├─'} + {resource.type}  {resource.name}{marks}")
            walk(resource.urn, indent + ("   " if last else "│  "))

    walk(None, "")
    return lines


def as_text(plan: Plan) -> str:
    counts = plan.count_by_type()
    lines = [f"Previewing stack '{plan.stack}' offline (Pulumi mocks, no cloud calls)", ""]
    lines += tree_lines(plan)
    lines += ["", f"Resources: {sum(counts.values())} to create", ""]
    lines += [f"  {count:>3}  {type_}" for type_, count in sorted(counts.items())]
    lines += ["", "Outputs:"]
    name_width = max((len(n) for n in plan.outputs), default=0)
    for name, value in sorted(plan.outputs.items()):
        shown = "[secret]" if name in plan.secret_outputs else value
        lines.append(f"  {name:<{name_width}}  {shown}")
    return "\n".join(lines)


def as_json(plan: Plan, policies: Optional[dict] = None, cost: Optional[dict] = None) -> str:
    """The plan for machines; `policies` (the policy check's findings) and `cost` (the monthly
    estimate) are added when given."""
    return json.dumps({
        "stack": plan.stack,
        "resources": [{"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent,
                       "custom": r.custom, "protect": r.protect} for r in plan.resources],
        "counts": dict(sorted(plan.count_by_type().items())),
        "total": sum(plan.count_by_type().values()),
        "outputs": {name: ("[secret]" if name in plan.secret_outputs else value)
                    for name, value in plan.outputs.items()},
        **({"policies": policies} if policies is not None else {}),
        **({"cost": cost} if cost is not None else {}),
    }, indent=2, sort_keys=False)
