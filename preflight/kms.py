"""KMS: alias names, one per account and region."""
from __future__ import annotations

from collections import defaultdict

from preflight.model import cites, found, known, region_of
from preview.plan import Plan

ALIAS = "aws:kms/alias:Alias"


@cites("https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html")
def kms_alias_names_unique(plan: Plan) -> list:
    """CreateAlias: "The alias must be unique in the account and Region": no two aliases of one
    name in one region (the stack's logs key and the edge's, when the stack runs in us-east-1)."""
    holders = defaultdict(list)
    for alias in plan.of_type(ALIAS):
        if known(name := alias.inputs.get("name")):
            holders[region_of(plan, alias), name].append(alias)
    return [found(kms_alias_names_unique, alias,
                  f"alias {name!r} is also {first.name!r}'s in {region}; CreateAlias refuses the "
                  "second (AlreadyExistsException): give each key's alias its own name")
            for (region, name), (first, *rest) in holders.items() for alias in rest]


RULES = [kms_alias_names_unique]
