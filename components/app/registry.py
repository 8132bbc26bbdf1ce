"""The ECR repository for one service's images: scanned on push, immutable tags, old images expired."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

from components.former_names import child_options

KEEP_RELEASES = 30  # tagged images kept: enough to roll back well past the last deployments
UNTAGGED_DAYS = 7


@dataclass(frozen=True)
class RegistryArgs:
    name_prefix: str
    service: str = "app"  # the repository is <prefix>/<service>
    # Child logical name → the URN it had before (components/former_names.py).
    formerly: Mapping[str, str] = field(default_factory=dict)


class Registry(pulumi.ComponentResource):
    def __init__(self, name: str, args: RegistryArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:registry:Registry", name, None, opts)
        self.repository = aws.ecr.Repository(
            f"{name}-repository", name=f"{args.name_prefix}/{args.service}",
            image_tag_mutability="IMMUTABLE", force_delete=False,
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                scan_on_push=True),
            encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                encryption_type="KMS")],
            opts=child_options(self, args.formerly, f"{name}-repository"))
        aws.ecr.LifecyclePolicy(f"{name}-lifecycle", repository=self.repository.name,
                                policy=json.dumps(lifecycle_rules()),
                                opts=child_options(self, args.formerly, f"{name}-lifecycle"))
        self.repository_url = self.repository.repository_url
        self.register_outputs({"repositoryUrl": self.repository_url})


def lifecycle_rules() -> dict:
    return {"rules": [
        {"rulePriority": 1, "description": f"Expire untagged images after {UNTAGGED_DAYS} days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                       "countUnit": "days", "countNumber": UNTAGGED_DAYS},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": f"Keep the last {KEEP_RELEASES} tagged images",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                       "countNumber": KEEP_RELEASES},
         "action": {"type": "expire"}},
    ]}
