"""S3: bucket names."""
from __future__ import annotations

import re

from preflight.model import cites, found, physical_name
from preview.plan import Plan

BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_NAME = r"[a-z0-9][a-z0-9.-]*[a-z0-9]"


@cites("https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html")
def bucket_names(plan: Plan) -> list:
    """3 to 63 lower-case letters, digits, dots and hyphens, a letter or digit at each end, no
    '..', not an IP address (a `bucketPrefix` leaves 26 characters to the provider)."""
    findings = []
    for bucket in plan.resources:
        if bucket.type not in BUCKET_TYPES:
            continue
        name = physical_name(bucket, key="bucket", prefix_key="bucketPrefix")
        if name is None:
            continue
        problems = []
        if not 3 <= len(name) <= 63:
            problems.append(f"name {name!r} has {len(name)} characters; allowed: 3 to 63")
        if not re.fullmatch(BUCKET_NAME, name) or ".." in name:
            problems.append(f"name {name!r}: lower-case letters, digits, '.' and '-' only")
        if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name):
            problems.append(f"name {name!r} looks like an IP address")
        findings += [found(bucket_names, bucket, p) for p in problems]
    return findings


RULES = [bucket_names]
