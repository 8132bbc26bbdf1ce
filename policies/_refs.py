"""Finding which resources another resource's property points at, in a stack policy.

A reference is followed through the property's dependencies (the engine records them for every
Output passed as input, known or not), else by matching the value against the candidates' known
identifiers. When neither works (unknown value, no dependency) the answer is None: callers skip
such a reference instead of raising a false alarm during `pulumi preview`.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

from policies._props import UNKNOWN, elements, peek


def identifiers(resource: Any, keys: Iterable[str]) -> set[str]:
    """The known, non-empty values of `keys` (e.g. id, arn, name) among the resource's props."""
    found = set()
    for key in keys:
        value = peek(lambda key=key: resource.props.get(key), default=None)
        if isinstance(value, str) and value:
            found.add(value)
    return found


def dependency_urns(resource: Any, prop: str) -> set[str]:
    """The URNs of the resources whose outputs flowed into `resource.props[prop]`."""
    return {dependency.urn for dependency in resource.property_dependencies.get(prop, [])}


def resolve(source: Any, prop: str, candidates: Sequence[Any],
            keys: Iterable[str] = ("id",)) -> Optional[list]:
    """The candidates that `source.props[prop]` refers to; None if that cannot be told."""
    candidate_urns = {candidate.urn for candidate in candidates}
    via_dependencies = [dep for dep in source.property_dependencies.get(prop, [])
                        if dep.urn in candidate_urns]
    if via_dependencies:
        return via_dependencies
    value = peek(lambda: source.props.get(prop))
    if value is UNKNOWN:
        return None
    wanted = elements(value)
    if UNKNOWN in wanted:
        return None
    wanted, keys = {str(element) for element in wanted}, tuple(keys)
    return [candidate for candidate in candidates if identifiers(candidate, keys) & wanted]


def attached(resources: Sequence[Any], parent_types: Iterable[str], child_types: Iterable[str],
             prop: str, keys: Iterable[str]) -> "Attachments":
    """Which children (e.g. bucket policies) point, through `prop`, at which parents (buckets)."""
    parent_types, child_types, keys = set(parent_types), set(child_types), tuple(keys)
    parents = [r for r in resources if r.resource_type in parent_types]
    by_parent: dict[str, list] = {parent.urn: [] for parent in parents}
    unresolved = False
    for child in (r for r in resources if r.resource_type in child_types):
        targets = resolve(child, prop, parents, keys)
        if targets is None:
            unresolved = True
            continue
        for target in targets:
            by_parent[target.urn].append(child)
    return Attachments(parents, by_parent, unresolved)


def unattached(resources: Sequence[Any], parent_types: Iterable[str], child_types: Iterable[str],
               prop: str, keys: Iterable[str]) -> list:
    """The parents (e.g. secrets) that no child (e.g. a rotation) provably points at; none is
    listed while some child's target is unknown."""
    links = attached(resources, parent_types, child_types, prop, keys)
    return [parent for parent in links.parents if not links.of(parent) and not links.undecidable(parent)]


class Attachments:
    def __init__(self, parents: list, by_parent: dict[str, list], unresolved: bool):
        self.parents = parents
        self._by_parent = by_parent
        self._unresolved = unresolved

    def of(self, parent: Any) -> list:
        return self._by_parent.get(parent.urn, [])

    def undecidable(self, parent: Any) -> bool:
        """Nothing is known to point at `parent`, but some child's target is unknown."""
        return not self.of(parent) and self._unresolved
