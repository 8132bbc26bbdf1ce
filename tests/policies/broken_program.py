"""Deliberately broken copies of a stack, made inside the real program.

A `Breakage` wraps one pulumi_aws resource class for the length of a test, so that every call the
components make to it (that `when` picks) registers the unsafe keyword arguments instead of what
the component wrote. The real `__main__.py`, components, engine and policy config then run as
they always do: what reaches the policies is what a broken program would send the Pulumi engine.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import pulumi_aws
import pytest
from preview.engine import run_preview
from preview.plan import Plan

from policies import _aws as aws

# Every stack the program builds: dev (MVP tier), staging and prod (scaled tier).
BUILDABLE_STACKS = ["dev", "staging", "prod"]
ANYWHERE_IPV4 = "0.0.0.0/0"


@dataclass(frozen=True)
class Breakage:
    name: str
    resource_class: str  # "rds.Instance": the pulumi_aws class the components call
    type_token: str  # the same class as the engine names it
    changes: Mapping[str, Any]  # keyword arguments forced on the call (Python names)
    policies: frozenset[str]  # the mandatory policies that must fire, and no other
    when: Callable[[Mapping[str, Any]], bool] = lambda kwargs: True

    def broken_inputs(self, plan: Plan) -> list[Any]:
        """The plan's resources that carry the change (camelCase inputs, as the engine sees them)."""
        wanted = {_camel(key): value for key, value in self.changes.items()}
        return [r for r in plan.of_type(self.type_token)
                if all(r.inputs.get(key) == value for key, value in wanted.items())]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _admits_the_outside(kwargs: Mapping[str, Any]) -> bool:
    """The stack's entry rules: MVP, the backend's web ports from anywhere; scaled, the ALB's port
    from CloudFront's prefix list. Rules from another security group are left alone."""
    return kwargs.get("cidr_ipv4") == ANYWHERE_IPV4 or kwargs.get("prefix_list_id") is not None


BREAKAGES = [
    Breakage("rds storage unencrypted", "rds.Instance", aws.RDS_INSTANCE, {"storage_encrypted": False},
             frozenset({"rds-storage-encrypted"})),
    Breakage("rds backups kept 1 day", "rds.Instance", aws.RDS_INSTANCE, {"backup_retention_period": 1},
             frozenset({"rds-backup-retention"})),
    Breakage("ssh open to the world", "vpc.SecurityGroupIngressRule", aws.SECURITY_GROUP_INGRESS_RULE,
             {"cidr_ipv4": ANYWHERE_IPV4, "prefix_list_id": None, "from_port": 22, "to_port": 22},
             frozenset({"sg-public-ingress-only-on-public-ports", "sg-admin-ports-from-admin-cidrs"}),
             when=_admits_the_outside),
]


def preview_broken(stack: str, breakage: Breakage, monkeypatch: pytest.MonkeyPatch) -> Plan:
    """The stack's offline preview, with the program broken as `breakage` says."""
    module_name, class_name = breakage.resource_class.split(".")
    module = getattr(pulumi_aws, module_name)
    original = getattr(module, class_name)

    def build(resource_name: str, *args: Any, **kwargs: Any) -> Any:
        if breakage.when(kwargs):
            kwargs = {**kwargs, **breakage.changes}
        return original(resource_name, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(module, class_name, build)
        return run_preview(stack)
