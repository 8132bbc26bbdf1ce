"""The logs bucket: the ALB's access logs, private and TLS-only, writable by the region's ELB
log delivery alone, and expired after the stack's log retention."""
import json

import pytest

from preview.mocks import ACCOUNT_ID
from tests.support import named

BUCKET = "aws:s3/bucket:Bucket"
SCALED = ["staging", "prod"]


def logs_bucket(plan):
    return named(plan, BUCKET, "logs-bucket")


def attached(plan, type_token, bucket):
    [resource] = [r for r in plan.of_type(type_token) if r.inputs["bucket"] == bucket.id]
    return resource.inputs


def statements(plan) -> dict:
    policy = attached(plan, "aws:s3/bucketPolicy:BucketPolicy", logs_bucket(plan))
    return {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}


@pytest.mark.parametrize("stack", SCALED)
def test_the_bucket_is_tagged_as_logs_and_never_force_destroyed(plan_of, stack):
    bucket = logs_bucket(plan_of(stack)).inputs
    assert bucket["tags"] == {"Role": "logs"}
    assert bucket["bucketPrefix"] == f"webstack-{stack}-logs-"
    assert bucket["forceDestroy"] is False


@pytest.mark.parametrize("stack", SCALED)
def test_public_access_is_blocked_in_all_four_ways(plan_of, stack):
    plan = plan_of(stack)
    block = attached(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", logs_bucket(plan))
    assert all(block[key] is True for key in ("blockPublicAcls", "blockPublicPolicy",
                                              "ignorePublicAcls", "restrictPublicBuckets"))


@pytest.mark.parametrize("stack", SCALED)
def test_acls_are_disabled(plan_of, stack):
    plan = plan_of(stack)
    ownership = attached(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", logs_bucket(plan))
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


@pytest.mark.parametrize("stack", SCALED)
def test_objects_are_encrypted_with_s3_managed_keys(plan_of, stack):
    # ALB access logs can be delivered only to buckets encrypted with SSE-S3, not KMS.
    plan = plan_of(stack)
    encryption = attached(plan, "aws:s3/bucketServerSideEncryptionConfiguration:"
                                "BucketServerSideEncryptionConfiguration", logs_bucket(plan))
    [rule] = encryption["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


@pytest.mark.parametrize("stack, days", [("staging", 30), ("prod", 90)])
def test_logs_expire_after_the_stacks_log_retention(plan_of, stack, days):
    plan = plan_of(stack)
    lifecycle = attached(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                         logs_bucket(plan))
    [rule] = lifecycle["rules"]
    assert (rule["status"], rule["filter"]) == ("Enabled", {})
    assert rule["expiration"] == {"days": days}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}


@pytest.mark.parametrize("stack", SCALED)
def test_only_the_regions_elb_account_may_write_and_only_this_accounts_alb_logs(plan_of, stack):
    plan = plan_of(stack)
    allow = statements(plan)["AllowAlbLogDelivery"]
    assert allow["Effect"] == "Allow"
    # Seoul's ELB account (ELB User Guide, access logs, bucket permissions).
    assert allow["Principal"] == {"AWS": "arn:aws:iam::600734575887:root"}
    assert allow["Action"] == "s3:PutObject"
    arn = logs_bucket(plan).outputs["arn"]
    assert allow["Resource"] == f"{arn}/alb/AWSLogs/{ACCOUNT_ID}/*"


@pytest.mark.parametrize("stack", SCALED)
def test_the_policy_refuses_every_request_made_without_tls(plan_of, stack):
    plan = plan_of(stack)
    deny = statements(plan)["DenyInsecureTransport"]
    arn = logs_bucket(plan).outputs["arn"]
    assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", "*", "s3:*")
    assert sorted(deny["Resource"]) == [arn, f"{arn}/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("stack", SCALED)
def test_the_policy_grants_nothing_else(plan_of, stack):
    assert set(statements(plan_of(stack))) == {"AllowAlbLogDelivery", "DenyInsecureTransport"}


@pytest.mark.parametrize("stack", SCALED)
def test_the_alb_writes_its_access_logs_under_the_prefix_the_policy_admits(plan_of, stack):
    plan = plan_of(stack)
    logs = plan.one("aws:lb/loadBalancer:LoadBalancer").inputs["accessLogs"]
    assert logs == {"enabled": True, "bucket": logs_bucket(plan).outputs["bucket"], "prefix": "alb"}
    assert "/alb/AWSLogs/" in statements(plan)["AllowAlbLogDelivery"]["Resource"]


@pytest.mark.parametrize("stack", SCALED)
def test_the_alb_is_created_after_the_policy_that_lets_it_write(plan_of, stack):
    # AWS checks at creation that ELB may write to the bucket, and fails the ALB otherwise.
    plan = plan_of(stack)
    policy = named(plan, "aws:s3/bucketPolicy:BucketPolicy", "logs-policy")
    assert policy.urn in plan.one("aws:lb/loadBalancer:LoadBalancer").dependencies


@pytest.mark.parametrize("stack", SCALED)
def test_the_bucket_name_is_an_output(plan_of, stack):
    plan = plan_of(stack)
    assert plan.outputs["logsBucket"] == logs_bucket(plan).outputs["bucket"]


def test_a_region_without_an_elb_account_grants_the_log_delivery_service(calgary_staging):
    """ca-west-1 opened after August 2022: no ELB account, the provider's getServiceAccount
    would fail there; the service principal is what AWS documents instead."""
    allow = statements(calgary_staging)["AllowAlbLogDelivery"]
    assert allow["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
