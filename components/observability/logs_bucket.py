"""The logs bucket: the ALB's access logs, private and TLS-only, expired after the log retention.

Its policy names the region's log delivery principal from config/elb_accounts.py rather than
asking the provider: `aws.elb.getServiceAccount` fails ("unsupported AWS Region") in the regions
that have no ELB account, so a stack there could not even preview."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.edge.bucket_security import deny_insecure_transport, lock_down
from config.elb_accounts import log_delivery_principal

ALB_LOG_PREFIX = "alb"


@dataclass(frozen=True)
class LogsBucketArgs:
    name_prefix: str
    retention_days: int
    region: str


class LogsBucket(pulumi.ComponentResource):
    def __init__(self, name: str, args: LogsBucketArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:logs:LogsBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Role=logs tells the policy pack this bucket holds logs, not data to protect or version.
        self.bucket = aws.s3.Bucket(f"{name}-bucket", bucket_prefix=f"{args.name_prefix}-logs-",
                                    force_destroy=False, tags={"Role": "logs"}, opts=child)
        lock_down(name, self.bucket, parent=self)
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=self.bucket.id,
            rules=[{"id": "expire-logs", "status": "Enabled", "filter": {},
                    "expiration": {"days": args.retention_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7}}],
            opts=child)
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy", bucket=self.bucket.id,
            policy=alb_delivery_policy(self.bucket.arn, log_delivery_principal(args.region),
                                       account_id), opts=child)

        self.bucket_name = self.bucket.bucket
        self.alb_log_prefix = ALB_LOG_PREFIX
        self.register_outputs({"bucketName": self.bucket_name})


def alb_delivery_policy(bucket_arn: pulumi.Input[str], principal: dict,
                        account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """The region's Elastic Load Balancing log delivery may write this account's ALB logs,
    nothing else."""
    return pulumi.Output.json_dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowAlbLogDelivery", "Effect": "Allow",
             "Principal": principal, "Action": "s3:PutObject",
             "Resource": pulumi.Output.concat(bucket_arn, f"/{ALB_LOG_PREFIX}/AWSLogs/",
                                              account_id, "/*")},
            deny_insecure_transport(bucket_arn),
        ],
    })
