"""The static assets and images bucket: private, encrypted, versioned, readable only by CloudFront."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.edge.bucket_security import deny_insecure_transport, lock_down

NONCURRENT_VERSION_DAYS = 30


@dataclass(frozen=True)
class AssetsArgs:
    name_prefix: str
    protect: bool


class AssetsBucket(pulumi.ComponentResource):
    def __init__(self, name: str, args: AssetsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:assets:AssetsBucket", name, None, opts)
        self._base_name = name
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", bucket_prefix=f"{args.name_prefix}-assets-",
                                    force_destroy=False,
                                    opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        lock_down(name, self.bucket, parent=self)
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"}, opts=child)
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=self.bucket.id,
            rules=[{"id": "expire-old-versions", "status": "Enabled", "filter": {},
                    "noncurrent_version_expiration": {"noncurrent_days": NONCURRENT_VERSION_DAYS},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7}}],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]))

        self.bucket_name = self.bucket.bucket
        self.bucket_arn = self.bucket.arn
        self.regional_domain_name = self.bucket.bucket_regional_domain_name
        self.register_outputs({"bucketName": self.bucket_name})

    def admit_only(self, distribution_arn: pulumi.Input[str]) -> aws.s3.BucketPolicy:
        """The bucket policy: reads by this CloudFront distribution alone, TLS-only access."""
        policy = pulumi.Output.json_dumps({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AllowCloudFrontDistributionRead", "Effect": "Allow",
                 "Principal": {"Service": "cloudfront.amazonaws.com"},
                 "Action": "s3:GetObject",
                 "Resource": pulumi.Output.concat(self.bucket_arn, "/*"),
                 "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}}},
                deny_insecure_transport(self.bucket_arn),
            ],
        })
        return aws.s3.BucketPolicy(f"{self._base_name}-policy", bucket=self.bucket.id, policy=policy,
                                   opts=pulumi.ResourceOptions(parent=self))
