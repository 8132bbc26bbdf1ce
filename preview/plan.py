"""What an offline preview registers: the plan that tests, the policy check and the printer read."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional


@dataclass(frozen=True)
class PlannedResource:
    """One resource registration, as the Pulumi engine would receive it.

    `inputs` uses the engine's (camelCase) property names, e.g. `storageEncrypted`, exactly as
    pulumi-policy's `args.props` does, so the same policy functions read both.
    """

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    custom: bool
    parent: Optional[str] = None
    protect: bool = False
    provider: Optional[str] = None  # provider reference "<provider urn>::<id>", None = default
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ignore_changes: tuple[str, ...] = ()
    delete_before_replace: Optional[bool] = None
    retain_on_delete: bool = False
    additional_secret_outputs: tuple[str, ...] = ()
    id: str = ""
    outputs: Mapping[str, Any] = field(default_factory=dict)  # the mock engine's answer
    secret_inputs: frozenset[str] = frozenset()  # input names whose value is (or holds) a secret
    # Pulumi's customTimeouts as registered: "create"/"update"/"delete" → e.g. "53m"; empty: the
    # provider's defaults.
    custom_timeouts: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # the URNs it had before, as registered (full URNs only)

    @property
    def provider_urn(self) -> Optional[str]:
        return self.provider.rsplit("::", 1)[0] if self.provider else None


@dataclass
class Plan:
    """Every resource a stack registers (in registration order) and its stack outputs."""

    stack: str
    resources: list[PlannedResource]
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: frozenset[str] = frozenset()

    def __iter__(self) -> Iterator[PlannedResource]:
        return iter(self.resources)

    def of_type(self, type_token: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str) -> PlannedResource:
        found = self.of_type(type_token)
        if len(found) != 1:
            raise LookupError(f"expected one {type_token}, found {len(found)}")
        return found[0]

    def by_urn(self, urn: str) -> PlannedResource:
        for resource in self.resources:
            if resource.urn == urn:
                return resource
        raise LookupError(f"no resource with URN {urn}")

    def by_id(self, resource_id: str) -> PlannedResource:
        for resource in self.resources:
            if resource.id == resource_id:
                return resource
        raise LookupError(f"no resource with id {resource_id}")

    def children_of(self, urn: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.parent == urn]

    def count_by_type(self, custom_only: bool = True) -> Counter:
        return Counter(r.type for r in self.resources if r.custom or not custom_only)
