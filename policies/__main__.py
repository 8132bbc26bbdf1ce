"""Entry point the Pulumi CLI runs (`pulumi preview --policy-pack policies`): serves the pack.

The CLI starts this file with the pack's directory as working directory; the policies live in
the `policies` package, so the repository root goes on sys.path first.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack  # noqa: E402

from policies.pack import ALL_POLICIES, PACK_ENFORCEMENT_LEVEL, PACK_NAME  # noqa: E402

PolicyPack(name=PACK_NAME, policies=ALL_POLICIES, enforcement_level=PACK_ENFORCEMENT_LEVEL)
