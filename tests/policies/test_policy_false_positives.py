"""Cases users call compliant, each decided explicitly (issue 11: fewer false positives)."""
import json

import pytest
from policy_kit import UNKNOWN, fires, instance, passes, res, security_group

from policies import _aws as aws

ALL_TRAFFIC = "sg-no-all-traffic-ingress"


# ---- security groups: a group admitting its own members ----

def test_an_inline_self_reference_may_admit_all_traffic():
    group = res(aws.SECURITY_GROUP, {**security_group("backend"), "ingress": [
        {"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]})
    passes(ALL_TRAFFIC, group)


def test_a_security_group_rule_with_self_may_admit_all_traffic():
    passes(ALL_TRAFFIC, res(aws.SECURITY_GROUP_RULE, {"type": "ingress", "protocol": "-1", "fromPort": 0,
                                                      "toPort": 0, "self": True, "securityGroupId": "sg-1"}))


def test_a_vpc_rule_referencing_its_own_group_may_admit_all_traffic():
    passes(ALL_TRAFFIC, res(aws.SECURITY_GROUP_INGRESS_RULE, {"securityGroupId": "sg-1", "ipProtocol": "-1",
                                                              "referencedSecurityGroupId": "sg-1"}))


@pytest.mark.parametrize("extra", [{"cidrBlocks": ["10.0.0.0/8"]}, {"securityGroups": ["sg-other"]},
                                   {"prefixListIds": ["pl-1"]}])
def test_self_plus_any_other_source_is_still_all_traffic(extra):
    group = res(aws.SECURITY_GROUP, {**security_group("backend"), "ingress": [
        {"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True, **extra}]})
    fires(ALL_TRAFFIC, group)


def test_a_vpc_rule_from_another_group_or_an_unknown_one_is_still_all_traffic():
    fires(ALL_TRAFFIC, res(aws.SECURITY_GROUP_INGRESS_RULE, {"securityGroupId": "sg-1", "ipProtocol": "-1",
                                                             "referencedSecurityGroupId": "sg-2"}))
    fires(ALL_TRAFFIC, res(aws.SECURITY_GROUP_INGRESS_RULE, {"securityGroupId": UNKNOWN, "ipProtocol": "-1",
                                                             "referencedSecurityGroupId": UNKNOWN}))


# ---- path MTU discovery ICMP from anywhere ----

@pytest.mark.parametrize("protocol, icmp_type, cidr", [("icmp", 3, "0.0.0.0/0"), ("icmpv6", 2, "::/0"),
                                                        ("1", 3, "0.0.0.0/0")])
def test_path_mtu_discovery_icmp_may_be_public(protocol, icmp_type, cidr):
    key = "ipv6CidrBlocks" if ":" in cidr else "cidrBlocks"
    group = res(aws.SECURITY_GROUP, {**security_group("edge"), "ingress": [
        {"protocol": protocol, "fromPort": icmp_type, "toPort": 4, key: [cidr]}]})
    passes("sg-public-ingress-only-on-public-ports", group)


def test_echo_requests_from_anywhere_are_still_refused():
    group = res(aws.SECURITY_GROUP, {**security_group("edge"), "ingress": [
        {"protocol": "icmp", "fromPort": 8, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]})
    fires("sg-public-ingress-only-on-public-ports", group)


# ---- public subnets: scoped to the instances that take an address from them ----

def _public_subnet():
    return res(aws.SUBNET, {"vpcId": "vpc-1", "cidrBlock": "10.0.0.0/24", "mapPublicIpOnLaunch": True})


def test_an_instance_in_a_public_subnet_without_an_explicit_choice_is_refused():
    subnet = _public_subnet()
    server = res(aws.EC2_INSTANCE, instance(subnetId=subnet.id), deps={"subnetId": [subnet]})
    fires("ec2-no-public-ip-from-subnet", subnet, server, on=[server], says=f"subnet {subnet.name}")


def test_a_public_subnet_alone_or_with_an_instance_that_declines_an_address_passes():
    subnet = _public_subnet()
    declines = res(aws.EC2_INSTANCE, instance(subnetId=subnet.id, associatePublicIpAddress=False),
                   deps={"subnetId": [subnet]})
    passes("ec2-no-public-ip-from-subnet", subnet)
    passes("ec2-no-public-ip-from-subnet", subnet, declines)


def test_the_mvp_server_may_take_its_address_from_the_subnet():
    subnet = _public_subnet()
    server = res(aws.EC2_INSTANCE, instance(subnetId=subnet.id), deps={"subnetId": [subnet]})
    passes("ec2-no-public-ip-from-subnet", subnet, server, config={"tier": "mvp"})


# ---- the rest of the review ----

def test_the_log_delivery_canned_acl_is_not_public():
    passes("s3-no-public-acl", res(aws.BUCKET_ACL[0], {"bucket": "logs", "acl": "log-delivery-write"}))


@pytest.mark.parametrize("name", ["OAUTH_TOKEN_URL", "DB_SECRET_ARN", "API_KEY_HEADER", "SECRETS_REGION"])
def test_variables_that_point_at_a_secret_are_not_secrets(name):
    containers = json.dumps([{"name": "app", "environment": [{"name": name, "value": "x"}]}])
    passes("ecs-task-no-plaintext-secrets", res(aws.ECS_TASK_DEFINITION, {"containerDefinitions": containers}))


def test_a_reference_suffix_does_not_hide_a_name_the_config_lists_exactly():
    containers = json.dumps([{"name": "app", "environment": [{"name": "APP_SECRET_PATH", "value": "x"}]}])
    fires("ecs-task-no-plaintext-secrets", res(aws.ECS_TASK_DEFINITION, {"containerDefinitions": containers}),
          config={"secretNames": ["APP_SECRET_PATH"]})


def test_a_cloudfront_read_policy_narrowed_to_one_distribution_is_not_public():
    statement = {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::b/*"}
    passes("s3-bucket-policy-not-public", res(aws.BUCKET_POLICY, {"policy": json.dumps({"Statement": [statement]})}))
