"""Where the backend finds its data stores: endpoints in SSM Parameter Store, secrets by ARN.

The backend starts before RDS and ElastiCache finish, so it reads these at every start instead of
having them baked into its user data. It may read exactly the secrets named here: the data
stores' and those the services list in `secrets`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

from components.iam import allow_reading_secrets


@dataclass(frozen=True)
class AppConfigArgs:
    parameter_path: str
    values: Mapping[str, pulumi.Input[str]]  # parameter name (below the path) → value
    secret_arns: tuple[pulumi.Input[str], ...]
    reader_role_name: pulumi.Input[str]
    parameter_arns: tuple[str, ...] = ()  # SSM parameters the services read as secrets
    customer_keys: bool = False  # the services list secrets of their own (perhaps under a CMK)


class AppConfig(pulumi.ComponentResource):
    def __init__(self, name: str, args: AppConfigArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:app:AppConfig", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.parameters = [
            aws.ssm.Parameter(f"{name}-{key.replace('/', '-')}",
                              name=f"{args.parameter_path}/{key}", type="String", value=value,
                              opts=child)
            for key, value in args.values.items()
        ]
        allow_reading_secrets(f"{name}-read-secrets", args.reader_role_name, "ReadAppSecrets",
                              args.secret_arns, parent=self,
                              parameter_arns=args.parameter_arns,
                              customer_keys=args.customer_keys)
        self.register_outputs({"parameterPath": args.parameter_path})
