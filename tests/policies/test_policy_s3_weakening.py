"""Every resource that can weaken a bucket is judged, standalone and across the stack: public
access blocks, bucket policies (public principal, no TLS deny), ownership controls, versioning."""
import json

import pytest
from policy_kit import TAGS, UNKNOWN, bucket_with, fires, passes, res, run, tls_only_policy

from policies import _aws as aws

FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
COMPLETE = {flag: True for flag in FLAGS}


@pytest.mark.parametrize("resource_type", [aws.BUCKET_PUBLIC_ACCESS_BLOCK, aws.ACCOUNT_PUBLIC_ACCESS_BLOCK])
@pytest.mark.parametrize("flag", FLAGS)
def test_a_public_access_block_with_a_flag_off_or_left_out_is_refused_by_itself(resource_type, flag):
    passes("s3-public-access-block-complete", res(resource_type, {"bucket": "elsewhere", **COMPLETE}))
    fires("s3-public-access-block-complete", res(resource_type, {**COMPLETE, flag: False}), says=f"{flag} is false")
    left_out = {k: v for k, v in COMPLETE.items() if k != flag}
    fires("s3-public-access-block-complete", res(resource_type, left_out), says=flag)


def test_a_bucket_with_no_public_access_block_at_all_is_refused_across_the_stack():
    bucket, *rest = bucket_with(public_access_block=False)
    fires("s3-public-access-blocked", bucket, *rest, on=[bucket], says="no aws.s3.BucketPublicAccessBlock")


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


PUBLIC_READ = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
               "Resource": "arn:aws:s3:::b/*"}


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::1:root", "*"]}])
def test_a_bucket_policy_allowing_anyone_is_refused(principal):
    policy = res(aws.BUCKET_POLICY, {"bucket": "b", "policy": _policy({**PUBLIC_READ, "Principal": principal})})
    fires("s3-bucket-policy-not-public", policy, says="statement PublicRead allows any principal")


def test_an_inline_bucket_policy_allowing_anyone_is_refused_too():
    fires("s3-bucket-policy-not-public", res(aws.BUCKET, {"policy": json.loads(_policy(PUBLIC_READ))}))


@pytest.mark.parametrize("condition", [{"StringEquals": {"aws:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}},
                                       {"StringEquals": {"AWS:SourceAccount": "123456789012"}},
                                       {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}},
                                       {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}])
def test_a_narrowing_condition_makes_anyone_not_public(condition):
    passes("s3-bucket-policy-not-public", res(aws.BUCKET_POLICY, {"policy": _policy({**PUBLIC_READ, "Condition": condition})}))


def test_deny_statements_and_fixed_principals_are_not_public():
    passes("s3-bucket-policy-not-public", res(aws.BUCKET_POLICY, {"policy": tls_only_policy()}))
    passes("s3-bucket-policy-not-public", res(aws.BUCKET_POLICY, {"policy": UNKNOWN}))


def test_a_condition_that_does_not_narrow_the_principal_does_not_count():
    statement = {**PUBLIC_READ, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    fires("s3-bucket-policy-not-public", res(aws.BUCKET_POLICY, {"policy": _policy(statement)}))


def test_each_bucket_policy_must_carry_the_tls_deny_itself():
    passes("s3-bucket-policy-denies-insecure-transport", res(aws.BUCKET_POLICY, {"bucket": "b", "policy": tls_only_policy()}))
    fires("s3-bucket-policy-denies-insecure-transport",
          res(aws.BUCKET_POLICY, {"bucket": "outside-the-stack", "policy": _policy({**PUBLIC_READ, "Principal": {
              "Service": "cloudfront.amazonaws.com"}})}), says="no statement denying")


@pytest.mark.parametrize("ownership, ok", [("BucketOwnerEnforced", True), ("BucketOwnerPreferred", True),
                                           ("ObjectWriter", False)])
def test_object_writer_ownership_is_refused(ownership, ok):
    controls = res(aws.BUCKET_OWNERSHIP_CONTROLS, {"bucket": "b", "rule": {"objectOwnership": ownership}})
    (passes if ok else fires)("s3-ownership-not-object-writer", controls)


def test_suspended_versioning_is_refused_on_the_versioning_resource():
    bucket, encryption, block, versioning, policy = bucket_with()
    suspended = res(aws.BUCKET_VERSIONING[0], {"bucket": bucket.id, "versioningConfiguration": {"status": "Suspended"}},
                    deps={"bucket": [bucket]})
    found = fires("s3-data-bucket-versioning", bucket, suspended, says="Suspended on a data bucket")
    assert {v.name for v in found} == {bucket.name, suspended.name}


def test_suspended_versioning_on_a_bucket_outside_the_stack_is_judged_by_itself():
    suspended = res(aws.BUCKET_VERSIONING[1], {"bucket": "someone-elses-bucket",
                                               "versioningConfiguration": {"status": "Suspended"}})
    fires("s3-data-bucket-versioning", suspended, on=[suspended])


def test_suspended_versioning_on_a_logs_bucket_is_allowed():
    logs = res(aws.BUCKET, {"bucketPrefix": "logs-", "tags": {**TAGS, "Role": "logs"}})
    suspended = res(aws.BUCKET_VERSIONING[0], {"bucket": logs.id, "versioningConfiguration": {"status": "Suspended"}},
                    deps={"bucket": [logs]})
    passes("s3-data-bucket-versioning", logs, suspended)


def test_a_bucket_without_ownership_controls_keeps_aws_default_and_passes():
    """Decided: new buckets default to BucketOwnerEnforced (ACLs disabled); no resource is needed."""
    bucket, *parts = bucket_with()
    assert run("s3-ownership-not-object-writer", bucket, *parts) == []
