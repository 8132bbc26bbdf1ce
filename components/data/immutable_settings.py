"""A record of the settings a deployed stack cannot change, read back by the next preview.

Each value is an SSM parameter under `/<project>/<stack>/immutable/`; the program looks them up
before registering anything and refuses a changed one with a ConfigError (config/keys.py), so a
`dbName` or `vpcCidr` edit never starts replacing the database halfway through an update.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws


def immutable_path(project: str, stack: str) -> str:
    return f"/{project}/{stack}/immutable"


@dataclass(frozen=True)
class ImmutableSettingsArgs:
    path: str
    values: Mapping[str, str]  # config key → the value deployed


class ImmutableSettings(pulumi.ComponentResource):
    def __init__(self, name: str, args: ImmutableSettingsArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:data:ImmutableSettings", name, None, opts)
        for key, value in args.values.items():
            # SSM parameter names: letters, digits and .-_/ (SSM PutParameter, Name).
            aws.ssm.Parameter(f"{name}-{key}", name=f"{args.path}/{key}", type="String",
                              value=value, description=f"webstack:{key} as deployed",
                              opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"path": args.path})


def deployed_values(path: str, provider: aws.Provider) -> dict[str, str]:
    """The values the last `pulumi up` recorded under `path`; none on a stack's first run."""
    found = aws.ssm.get_parameters_by_path(path=path, opts=pulumi.InvokeOptions(provider=provider))
    return {name.rsplit("/", 1)[-1]: value for name, value in zip(found.names, found.values)}
