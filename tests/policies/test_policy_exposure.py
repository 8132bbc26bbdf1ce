"""Exposure: public databases, buckets, instances, tasks, and the CDN without WAF."""
import pytest
from policy_kit import (bucket_with, distribution, fires, instance, launch_template, passes,
                        rds_cluster, rds_instance, res)

from policies import _aws as aws

# ---- rds-not-publicly-accessible ----


@pytest.mark.parametrize("resource_type, props", [
    (aws.RDS_INSTANCE, rds_instance()), (aws.RDS_INSTANCE, {"engine": "postgres"}),
    (aws.RDS_CLUSTER_INSTANCE, {"clusterIdentifier": "c", "publiclyAccessible": False}),
    (aws.RDS_CLUSTER, rds_cluster()),
])
def test_rds_not_publicly_accessible_passes(resource_type, props):
    passes("rds-not-publicly-accessible", res(resource_type, props))


@pytest.mark.parametrize("resource_type, props", [
    (aws.RDS_INSTANCE, rds_instance(publiclyAccessible=True)),
    (aws.RDS_CLUSTER_INSTANCE, {"clusterIdentifier": "c", "publiclyAccessible": True}),
    (aws.RDS_CLUSTER, rds_cluster(publiclyAccessible=True)),
])
def test_rds_not_publicly_accessible_fires(resource_type, props):
    fires("rds-not-publicly-accessible", res(resource_type, props), says="publiclyAccessible")


# ---- s3-public-access-blocked ----


def test_public_access_blocked_passes_with_a_complete_block():
    passes("s3-public-access-blocked", *bucket_with())


@pytest.mark.parametrize("flag", ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                  "restrictPublicBuckets"])
def test_public_access_blocked_fires_on_each_missing_flag(flag):
    bucket = res(aws.BUCKET_V2, {})
    flags = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
             "restrictPublicBuckets": True, flag: False}
    block = res(aws.BUCKET_PUBLIC_ACCESS_BLOCK, {"bucket": bucket.id, **flags}, deps={"bucket": [bucket]})
    fires("s3-public-access-blocked", bucket, block, on=[bucket], says=flag)


def test_public_access_blocked_fires_without_a_block():
    bucket, *_ = parts = bucket_with(public_access_block=False)
    fires("s3-public-access-blocked", *parts, on=[bucket], says="no aws.s3.BucketPublicAccessBlock")


def test_public_access_blocked_accepts_a_complete_account_level_block():
    account = res(aws.ACCOUNT_PUBLIC_ACCESS_BLOCK, {"blockPublicAcls": True, "blockPublicPolicy": True,
                                                    "ignorePublicAcls": True, "restrictPublicBuckets": True})
    passes("s3-public-access-blocked", account, *bucket_with(public_access_block=False))
    partial = res(aws.ACCOUNT_PUBLIC_ACCESS_BLOCK, {"blockPublicAcls": True})
    fires("s3-public-access-blocked", partial, *bucket_with(public_access_block=False))


# ---- s3-no-public-acl ----


@pytest.mark.parametrize("resource_type, props", [
    (aws.BUCKET, {"acl": "private"}), (aws.BUCKET_V2, {"acl": "log-delivery-write"}),
    (aws.BUCKET_ACL[0], {"bucket": "b", "acl": "private"}),
    (aws.BUCKET_ACL[1], {"bucket": "b", "accessControlPolicy": {"owner": {"id": "o"}, "grants": [
        {"permission": "FULL_CONTROL", "grantee": {"type": "CanonicalUser", "id": "o"}}]}}),
    (aws.BUCKET_OBJECTS[0], {"bucket": "b", "key": "index.html", "acl": "private"}),
    (aws.BUCKET, {"grants": [{"type": "CanonicalUser", "id": "o", "permissions": ["FULL_CONTROL"]}]}),
])
def test_no_public_acl_passes(resource_type, props):
    passes("s3-no-public-acl", res(resource_type, props))


ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.mark.parametrize("resource_type, props, says", [
    (aws.BUCKET, {"acl": "public-read"}, "public-read"),
    (aws.BUCKET_V2, {"acl": "public-read-write"}, "public-read-write"),
    (aws.BUCKET, {"grants": [{"type": "Group", "uri": ALL_USERS, "permissions": ["READ"]}]}, "AllUsers"),
    (aws.BUCKET_V2, {"grants": [{"type": "Group", "uri": AUTHENTICATED, "permissions": ["READ"]}]},
     "AuthenticatedUsers"),
    (aws.BUCKET_ACL[0], {"bucket": "b", "acl": "authenticated-read"}, "authenticated-read"),
    (aws.BUCKET_ACL[1], {"bucket": "b", "accessControlPolicy": {"grants": [
        {"permission": "READ", "grantee": {"type": "Group", "uri": ALL_USERS}}]}}, "AllUsers"),
    (aws.BUCKET_OBJECTS[0], {"bucket": "b", "key": "k", "acl": "public-read"}, "public-read"),
    (aws.BUCKET_OBJECTS[1], {"bucket": "b", "key": "k", "acl": "public-read"}, "public-read"),
])
def test_no_public_acl_fires(resource_type, props, says):
    fires("s3-no-public-acl", res(resource_type, props), says=says)


# ---- ec2-imdsv2-required ----


@pytest.mark.parametrize("resource_type, props", [
    (aws.EC2_INSTANCE, instance()), (aws.EC2_SPOT_INSTANCE, instance()),
    (aws.EC2_LAUNCH_CONFIGURATION, instance()), (aws.EC2_LAUNCH_TEMPLATE, launch_template()),
    (aws.EC2_INSTANCE, instance(metadataOptions={"httpEndpoint": "disabled"})),
])
def test_imdsv2_passes(resource_type, props):
    passes("ec2-imdsv2-required", res(resource_type, props))


@pytest.mark.parametrize("resource_type, props, says", [
    (aws.EC2_INSTANCE, instance(metadataOptions={"httpTokens": "optional"}), "optional"),
    (aws.EC2_INSTANCE, {k: v for k, v in instance().items() if k != "metadataOptions"}, "unset"),
    (aws.EC2_SPOT_INSTANCE, instance(metadataOptions={"httpEndpoint": "enabled"}), "unset"),
    (aws.EC2_LAUNCH_CONFIGURATION, instance(metadataOptions={"httpTokens": "optional"}), "optional"),
    (aws.EC2_LAUNCH_TEMPLATE, launch_template(metadataOptions=None), "unset"),
])
def test_imdsv2_fires(resource_type, props, says):
    fires("ec2-imdsv2-required", res(resource_type, props), says=says)


# ---- ec2-no-public-ip ----

PUBLIC_IP_CASES = [
    (aws.EC2_INSTANCE, instance(associatePublicIpAddress=True), "associatePublicIpAddress"),
    (aws.EC2_SPOT_INSTANCE, instance(associatePublicIpAddress=True), "associatePublicIpAddress"),
    (aws.EC2_LAUNCH_CONFIGURATION, instance(associatePublicIpAddress=True), "associatePublicIpAddress"),
    (aws.EC2_LAUNCH_TEMPLATE, launch_template(networkInterfaces=[{"deviceIndex": 0,
                                                                  "associatePublicIpAddress": "true"}]),
     "networkInterfaces[0]"),
    (aws.EIP, {"domain": "vpc", "instance": "i-0123"}, "Elastic IP"),
]


@pytest.mark.parametrize("resource_type, props, says", PUBLIC_IP_CASES)
def test_no_public_ip_fires_in_the_scaled_tier(resource_type, props, says):
    fires("ec2-no-public-ip", res(resource_type, props), says=says)
    fires("ec2-no-public-ip", res(resource_type, props), config={"tier": "scaled"}, says=says)


@pytest.mark.parametrize("resource_type, props, says", PUBLIC_IP_CASES)
def test_no_public_ip_allows_the_mvp_server(resource_type, props, says):
    passes("ec2-no-public-ip", res(resource_type, props), config={"tier": "mvp"})


@pytest.mark.parametrize("resource_type, props", [
    (aws.EC2_INSTANCE, instance(associatePublicIpAddress=False)), (aws.EC2_INSTANCE, instance()),
    (aws.EC2_LAUNCH_TEMPLATE, launch_template(networkInterfaces=[{"associatePublicIpAddress": "false"}])),
    (aws.EIP, {"domain": "vpc", "tags": {"Name": "nat"}}),
    (aws.SUBNET, {"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/24", "mapPublicIpOnLaunch": False}),
    # Decided: a public subnet that maps public IPs is how public subnets work (NAT gateways and
    # load balancers live there); only an instance that takes an address from it is refused.
    (aws.SUBNET, {"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/24", "mapPublicIpOnLaunch": True}),
])
def test_no_public_ip_passes(resource_type, props):
    passes("ec2-no-public-ip", res(resource_type, props))


# ---- ecs-no-public-ip ----


@pytest.mark.parametrize("resource_type", [aws.ECS_SERVICE, aws.ECS_TASK_SET])
def test_ecs_no_public_ip(resource_type):
    network = {"subnets": ["subnet-1"], "securityGroups": ["sg-backend"]}
    passes("ecs-no-public-ip", res(resource_type, {"networkConfiguration": {**network, "assignPublicIp": False}}),
           res(resource_type, {"networkConfiguration": network}))
    fires("ecs-no-public-ip", res(resource_type, {"networkConfiguration": {**network, "assignPublicIp": True}}),
          says="assignPublicIp")


# ---- cloudfront-waf-attached ----


@pytest.mark.parametrize("resource_type", aws.DISTRIBUTIONS)
def test_cloudfront_waf_attached(resource_type):
    passes("cloudfront-waf-attached", res(resource_type, distribution()))
    without = {k: v for k, v in distribution().items() if k != "webAclId"}
    fires("cloudfront-waf-attached", res(resource_type, without), says="webAclId")
    passes("cloudfront-waf-attached", res(resource_type, without), config={"required": False})
