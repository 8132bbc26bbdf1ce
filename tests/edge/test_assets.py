"""The assets bucket: private, encrypted, versioned, owner-enforced, readable by CloudFront alone."""
import json

from preview.engine import run_preview

BUCKET = "aws:s3/bucket:Bucket"


def bucket_policy(plan) -> dict:
    return json.loads(plan.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])


def test_all_four_public_access_block_settings_are_on(dev_plan):
    block = dev_plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.inputs["bucket"] == dev_plan.one(BUCKET).id
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block.inputs[flag] is True, flag


def test_objects_are_encrypted_server_side(dev_plan):
    encryption = dev_plan.one("aws:s3/bucketServerSideEncryptionConfiguration:"
                              "BucketServerSideEncryptionConfiguration")
    rule = encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert rule["sseAlgorithm"] in ("AES256", "aws:kms")


def test_versioning_is_on_and_old_versions_expire(dev_plan):
    versioning = dev_plan.one("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    lifecycle = dev_plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    rule = lifecycle.inputs["rules"][0]
    assert rule["status"] == "Enabled"
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 30


def test_ownership_is_enforced_so_acls_are_off(dev_plan):
    ownership = dev_plan.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"


def test_the_policy_admits_only_this_distribution(dev_plan):
    distribution = dev_plan.one("aws:cloudfront/distribution:Distribution")
    allows = [s for s in bucket_policy(dev_plan)["Statement"] if s["Effect"] == "Allow"]
    assert len(allows) == 1
    assert allows[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allows[0]["Action"] == "s3:GetObject"
    assert allows[0]["Condition"] == {"StringEquals": {
        "AWS:SourceArn": f"arn:aws:cloudfront::123456789012:distribution/{distribution.id}"}}


def test_the_policy_denies_requests_without_tls(dev_plan):
    denies = [s for s in bucket_policy(dev_plan)["Statement"] if s["Effect"] == "Deny"]
    assert denies and denies[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert all(r.startswith("arn:aws:s3:::webstack-dev-assets-") for r in denies[0]["Resource"])


def test_the_bucket_is_never_force_destroyed_and_protection_follows_config(dev_plan):
    assert dev_plan.one(BUCKET).inputs["forceDestroy"] is False
    assert dev_plan.one(BUCKET).protect is False  # dev sets protectData: false
    assert run_preview("dev", overrides={"protectData": "true"}).one(BUCKET).protect is True
