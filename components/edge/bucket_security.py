"""What every webstack bucket gets: no public access, no ACLs, encryption, and TLS-only requests."""
from __future__ import annotations

import pulumi
import pulumi_aws as aws


def lock_down(name: str, bucket: aws.s3.Bucket, parent: pulumi.Resource) -> None:
    """All four public-access blocks, ACLs disabled (owner enforced) and SSE-S3 with bucket keys.

    SSE-S3 rather than KMS: ALB access logs and CloudFront's origin access accept it without a
    key policy, and the data is already private.
    """
    child = pulumi.ResourceOptions(parent=parent)
    aws.s3.BucketPublicAccessBlock(f"{name}-public-access-block", bucket=bucket.id,
                                   block_public_acls=True, block_public_policy=True,
                                   ignore_public_acls=True, restrict_public_buckets=True,
                                   opts=child)
    aws.s3.BucketOwnershipControls(f"{name}-ownership", bucket=bucket.id,
                                   rule={"object_ownership": "BucketOwnerEnforced"}, opts=child)
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption", bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"},
                "bucket_key_enabled": True}], opts=child)


def deny_insecure_transport(bucket_arn: pulumi.Input[str]) -> dict:
    """The bucket policy statement that refuses every request made without TLS."""
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
