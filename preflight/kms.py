"""KMS: alias names, one per account and region."""
from __future__ import annotations

from collections import defaultdict

from preflight.model import cites, found, known, region_of
from preview.plan import Plan

ALIAS = "aws:kms/alias:Alias"


@cites("https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html")
def kms_alias_names_unique(plan: Plan) -> list:
    """CreateAlias: "The alias must be unique in the account and Region"; two aliases of one name in one
    region (the stack's own keys and the edge's in us-east-1, when the stack runs there)."""
    holders = defaultdict(list)
    for alias in plan.of_type(ALIAS):
        if known(name := alias.inputs.get("name")):
            holders[region_of(plan, alias), name].append(alias)
    return [found(kms_alias_names_unique, alias,
                  f"alias {name!r} is also {others[0].name!r}'s in {region}; CreateAlias refuses "
                  "the second (AlreadyExistsException): give each key's alias its own name")
            for (region, name), aliases in holders.items() if len(aliases) > 1
            for alias in aliases[1:] for others in [aliases[:1]]]


RULES = [kms_alias_names_unique]
