"""Final snapshot names that a second teardown does not collide with."""
from __future__ import annotations

import pulumi
import pulumi_random as random


def final_snapshot_name(name: str, identifier: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """`<identifier>-final-<8 hex>`: the suffix is made once per stack instance and kept in state,
    so a stack torn down and made again does not collide with its first final snapshot (a
    snapshot name is unique in the account and region)."""
    suffix = random.RandomId(name, byte_length=4, opts=pulumi.ResourceOptions(parent=parent))
    return pulumi.Output.concat(identifier, "-final-", suffix.hex)
