"""Children that moved: a component may be told the URN each of its children had before (its
logical name → the old URN), so Pulumi updates that resource in place instead of replacing it
(https://www.pulumi.com/docs/iac/concepts/options/aliases/)."""
from __future__ import annotations

from typing import Mapping, Optional

import pulumi


def child_options(parent: pulumi.Resource, formerly: Mapping[str, str], name: str,
                  **options) -> pulumi.ResourceOptions:
    """Options of the child `name` of `parent`, aliased to its old URN when it had one."""
    return pulumi.ResourceOptions(parent=parent, aliases=aliases_to(formerly.get(name)),
                                  **options)


def old_urn(type_chain: str, name: str) -> str:
    """The URN a resource had in this stack: `type_chain` is its parent's qualified type, then
    its own, joined by `$`, the root stack's type left out (the engine's NewURN,
    github.com/pulumi/pulumi sdk/go/common/resource/urn.go)."""
    return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{type_chain}::{name}"


def aliases_to(urn: Optional[str]) -> Optional[list[str]]:
    """The aliases of a resource that had `urn` before (None: it did not move)."""
    return [urn] if urn else None
