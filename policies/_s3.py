"""S3 buckets and the separate resources that configure them, for the bucket stack policies.

A bucket passes a check when its own (deprecated) inline block passes, or when one of the
separate resources pointing at it through `bucket` passes. Unknown values and references that
cannot be followed during preview skip the bucket rather than fail it.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Union

from pulumi_policy import ReportViolation, StackValidationArgs

from policies._aws import BUCKET_V2, BUCKETS
from policies._props import UNKNOWN, dig, is_true, items, known, peek, tag_value
from policies._refs import attached

BUCKET_KEYS = ("id", "bucket", "arn")
ROLE_TAG = "Role"
EXEMPT_BUCKET_ROLES_SETTING = {
    "type": "array", "items": {"type": "string"}, "default": ["logs"],
    "description": f"Buckets whose `{ROLE_TAG}` tag is one of these hold no primary data "
                   "(e.g. access logs) and are exempt.",
}

PropsCheck = Callable[[Mapping], bool]  # a child resource's props
BucketCheck = Callable[[Any], bool]  # the bucket itself (its type decides the inline shape)


def is_data_bucket(props: Mapping, exempt_roles: Iterable[str]) -> bool:
    """Not tagged with an exempt role; a Role tag not known yet proves nothing either way."""
    if known(props, "tags", ROLE_TAG) is UNKNOWN:
        return False
    return tag_value(props, ROLE_TAG) not in list(exempt_roles)


def is_v2(resource_type: str) -> bool:
    return resource_type == BUCKET_V2


def check_every_bucket(args: StackValidationArgs, report: ReportViolation, *,
                       child_types: Iterable[str], inline_ok: BucketCheck, child_ok: PropsCheck,
                       message: Union[str, Callable[[list], str]],
                       applies: BucketCheck = lambda bucket: True) -> None:
    """Reports each bucket that neither its inline block nor an attached resource satisfies."""
    links = attached(args.resources, BUCKETS, child_types, "bucket", BUCKET_KEYS)
    for bucket in links.parents:
        if not applies(bucket):
            continue
        outcomes = [peek(lambda bucket=bucket: inline_ok(bucket))]
        outcomes += [peek(lambda child=child: child_ok(child.props)) for child in links.of(bucket)]
        if True in outcomes or UNKNOWN in outcomes or links.undecidable(bucket):
            continue
        report(message if isinstance(message, str) else message(links.of(bucket)), bucket.urn)


# ---- inline blocks of aws:s3/bucket:Bucket (objects) and aws:s3/bucketV2:BucketV2 (lists) ----

def inline_sse_algorithms(bucket: Any) -> list:
    props = bucket.props
    if is_v2(bucket.resource_type):
        return [dig(default, "sseAlgorithm")
                for config in items(props.get("serverSideEncryptionConfigurations"))
                for rule in items(dig(config, "rules"))
                for default in items(dig(rule, "applyServerSideEncryptionByDefaults"))]
    return [dig(props, "serverSideEncryptionConfiguration", "rule",
                "applyServerSideEncryptionByDefault", "sseAlgorithm")]


def inline_versioning_enabled(bucket: Any) -> bool:
    props = bucket.props
    if is_v2(bucket.resource_type):
        return any(is_true(dig(v, "enabled")) for v in items(props.get("versionings")))
    return is_true(dig(props, "versioning", "enabled"))
