"""Exposure: what the internet can reach directly (databases, buckets, instances, tasks, the CDN)."""
from __future__ import annotations

from typing import Any, Mapping

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from policies import _aws as aws
from policies._policy import applies_to, resource_policy, settings, stack_policy
from policies._props import (UNKNOWN, dig, is_map, is_true, items, json_document, known, known_elements, peek,
                             present)
from policies._refs import resolve
from policies._s3 import check_every_bucket


@applies_to(aws.RDS_INSTANCE, aws.RDS_CLUSTER_INSTANCE, aws.RDS_CLUSTER)
def rds_not_publicly_accessible(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if is_true(args.props.get("publiclyAccessible")):
        report("publiclyAccessible is true")


PUBLIC_ACCESS_BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                             "restrictPublicBuckets")


def _flags_off(props: Mapping) -> list[str]:
    return [flag for flag in PUBLIC_ACCESS_BLOCK_FLAGS if not is_true(props.get(flag))]


def _missing_block_message(blocks: list) -> str:
    if not blocks:
        return "no aws.s3.BucketPublicAccessBlock applies to this bucket"
    off = peek(lambda: _flags_off(blocks[0].props), default=[])
    return f"its public access block leaves {', '.join(off) or 'some flags'} off"


def s3_public_access_blocked(args: StackValidationArgs, report: ReportViolation) -> None:
    account_blocks = [r for r in args.resources if r.resource_type == aws.ACCOUNT_PUBLIC_ACCESS_BLOCK]
    if any(peek(lambda r=r: not _flags_off(r.props), default=False) is True for r in account_blocks):
        return  # the account-wide block covers every bucket
    check_every_bucket(args, report, child_types=(aws.BUCKET_PUBLIC_ACCESS_BLOCK,),
                       inline_ok=lambda bucket: False,
                       child_ok=lambda props: not _flags_off(props),
                       message=_missing_block_message)


@applies_to(aws.BUCKET_PUBLIC_ACCESS_BLOCK, aws.ACCOUNT_PUBLIC_ACCESS_BLOCK)
def s3_public_access_block_complete(args: ResourceValidationArgs, report: ReportViolation) -> None:
    off = [flag for flag in PUBLIC_ACCESS_BLOCK_FLAGS
           if (value := known(args.props, flag)) is not UNKNOWN and not is_true(value)]
    if off:
        report(f"{', '.join(off)} {'is' if len(off) == 1 else 'are'} false or unset")


# S3 calls a policy public unless it grants only to fixed principals or is narrowed by one of these
# condition keys (S3 API reference, PublicAccessBlockConfiguration: "Amazon S3 considers a bucket
# policy public unless ..."; https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html).
NARROWING_CONDITION_KEYS = frozenset(key.lower() for key in (
    "aws:SourceIp", "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceOwner",
    "aws:SourceAccount", "s3:x-amz-server-side-encryption-aws-kms-key-id", "aws:userid",
    "aws:PrincipalOrgID", "aws:PrincipalAccount", "aws:PrincipalArn"))


def _is_anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return is_map(principal) and "*" in items(dig(principal, "AWS"))


def _narrowing_keys(condition: Any) -> set[str]:
    if not is_map(condition):
        return set()
    return {str(key).lower() for operator in condition.values() if is_map(operator) for key in operator}


def public_statements(document: Any) -> list[str]:
    """The Sids (or indexes) of statements that allow anyone without a narrowing condition."""
    found = []
    for index, statement in enumerate(items(dig(document, "Statement"))):
        if not is_map(statement) or dig(statement, "Effect") != "Allow":
            continue
        anyone = _is_anyone(dig(statement, "Principal")) or dig(statement, "NotPrincipal") is not None
        if anyone and not (_narrowing_keys(dig(statement, "Condition")) & NARROWING_CONDITION_KEYS):
            sid = dig(statement, "Sid")
            found.append(sid if isinstance(sid, str) and sid else f"Statement[{index}]")
    return found


@applies_to(aws.BUCKET_POLICY, *aws.BUCKETS)
def s3_bucket_policy_not_public(args: ResourceValidationArgs, report: ReportViolation) -> None:
    policy = known(args.props, "policy")
    if policy is UNKNOWN:
        return
    for statement in public_statements(json_document(policy)):
        report(f"policy statement {statement} allows any principal without a narrowing condition")


# A bucket without ownership controls is fine: new buckets default to BucketOwnerEnforced, ACLs
# disabled (S3 user guide, "Controlling ownership of objects and disabling ACLs for your bucket":
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html).
@applies_to(aws.BUCKET_OWNERSHIP_CONTROLS)
def s3_ownership_not_object_writer(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if known(args.props, "rule", "objectOwnership") == "ObjectWriter":
        report("rule.objectOwnership is ObjectWriter, which turns ACLs back on")


PUBLIC_CANNED_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEES = ("http://acs.amazonaws.com/groups/global/AllUsers",
                   "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


@applies_to(*aws.BUCKETS, *aws.BUCKET_ACL, *aws.BUCKET_OBJECTS)
def s3_no_public_acl(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    acl = known(props, "acl")
    if acl in PUBLIC_CANNED_ACLS:
        report(f"acl is {acl}")
    grants = [known(grant, "uri") for grant in known_elements(props, "grants")]
    grants += [known(grant, "grantee", "uri")
               for grant in known_elements(props, "accessControlPolicy", "grants")]
    for grantee in sorted({uri for uri in grants if uri in PUBLIC_GRANTEES}):
        report(f"a grant gives {grantee.rsplit('/', 1)[-1]} access")


@applies_to(aws.EC2_LAUNCH_TEMPLATE, *aws.EC2_INSTANCE_LIKE)
def ec2_imdsv2_required(args: ResourceValidationArgs, report: ReportViolation) -> None:
    options = args.props.get("metadataOptions")
    if dig(options, "httpEndpoint") == "disabled":
        return  # no metadata service at all
    if dig(options, "httpTokens") != "required":
        report(f"metadataOptions.httpTokens is {dig(options, 'httpTokens') or 'unset (optional)'}")


TIER_SCHEMA = {
    "tier": {"type": "string", "enum": ["mvp", "scaled"], "default": "scaled",
             "description": "The stack's tier; the MVP's single server may have a public IP."},
}


def _public_ip_sources(resource_type: str, props: Mapping) -> list[str]:
    if resource_type in aws.EC2_INSTANCE_LIKE:
        return ["associatePublicIpAddress"] if is_true(known(props, "associatePublicIpAddress")) else []
    if resource_type == aws.EC2_LAUNCH_TEMPLATE:
        return [f"networkInterfaces[{index}].associatePublicIpAddress"
                for index, interface in enumerate(known_elements(props, "networkInterfaces"))
                if is_true(known(interface, "associatePublicIpAddress"))]
    # An unknown instance id still attaches the address to an instance.
    return ["an Elastic IP attached to an instance"] if present(known(props, "instance")) else []


@applies_to(aws.EC2_LAUNCH_TEMPLATE, aws.EIP, *aws.EC2_INSTANCE_LIKE)
def ec2_no_public_ip(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if settings(args, TIER_SCHEMA)["tier"] != "scaled":
        return
    for source in _public_ip_sources(args.resource_type, args.props):
        report(f"public IPv4 address from {source}")


SUBNET_INSTANCES = (aws.EC2_INSTANCE, aws.EC2_SPOT_INSTANCE)


def ec2_no_public_ip_from_subnet(args: StackValidationArgs, report: ReportViolation) -> None:
    """A public subnet that maps public IPs is how public subnets work (NAT gateways, load
    balancers get their addresses anyway); only an instance launched into it gets one by it."""
    if settings(args, TIER_SCHEMA)["tier"] != "scaled":
        return
    subnets = [r for r in args.resources if r.resource_type == aws.SUBNET]
    for instance in (r for r in args.resources if r.resource_type in SUBNET_INSTANCES):
        if known(instance.props, "associatePublicIpAddress") is not None:
            continue  # set either way: the instance decides, and ec2-no-public-ip judges it
        for subnet in resolve(instance, "subnetId", subnets) or []:
            if is_true(known(subnet.props, "mapPublicIpOnLaunch")):
                report(f"launched into subnet {subnet.name}, which maps public IPs, without "
                       "associatePublicIpAddress=False", instance.urn)


@applies_to(aws.ECS_SERVICE, aws.ECS_TASK_SET)
def ecs_no_public_ip(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if is_true(dig(args.props, "networkConfiguration", "assignPublicIp")):
        report("networkConfiguration.assignPublicIp is true")


WAF_SCHEMA = {
    "required": {"type": "boolean", "default": True,
                 "description": "Whether distributions must have a WAF web ACL (prod: yes)."},
}


@applies_to(*aws.DISTRIBUTIONS)
def cloudfront_waf_attached(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # A web ACL ARN not known yet (the ACL is created in the same update) is still set.
    if settings(args, WAF_SCHEMA)["required"] and not present(known(args.props, "webAclId")):
        report("webAclId is not set")


POLICIES = [
    resource_policy(
        "rds-not-publicly-accessible",
        "Databases must stay private: set publicly_accessible=False and place them in isolated "
        "subnets; reach them through the backend or Session Manager port forwarding.",
        rds_not_publicly_accessible),
    stack_policy(
        "s3-public-access-blocked",
        "Every bucket needs a complete public access block: add aws.s3.BucketPublicAccessBlock "
        "with block_public_acls, block_public_policy, ignore_public_acls and "
        "restrict_public_buckets all True (or one complete account-level block).",
        s3_public_access_blocked),
    resource_policy(
        "s3-public-access-block-complete",
        "A public access block must turn on all four flags: block_public_acls, "
        "block_public_policy, ignore_public_acls and restrict_public_buckets = True (a flag left "
        "out is false).",
        s3_public_access_block_complete),
    resource_policy(
        "s3-bucket-policy-not-public",
        "Bucket policies must not allow any principal ('*' or {'AWS': '*'}) unless a condition "
        "narrows it (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, aws:SourceVpce, ...): "
        "serve public content through CloudFront with origin access control.",
        s3_bucket_policy_not_public),
    resource_policy(
        "s3-ownership-not-object-writer",
        "Bucket ownership controls must not be ObjectWriter (ACLs enabled): use "
        "object_ownership='BucketOwnerEnforced' (or 'BucketOwnerPreferred' where a log delivery "
        "service needs ACLs).",
        s3_ownership_not_object_writer),
    resource_policy(
        "s3-no-public-acl",
        "S3 ACLs must not grant public access: drop public-read / public-read-write / "
        "authenticated-read and AllUsers/AuthenticatedUsers grants; use BucketOwnershipControls "
        "'BucketOwnerEnforced' and serve public content through CloudFront.",
        s3_no_public_acl),
    resource_policy(
        "ec2-imdsv2-required",
        "Instances must require IMDSv2: metadata_options={'http_tokens': 'required'} on the "
        "instance or launch template (or http_endpoint='disabled').",
        ec2_imdsv2_required),
    resource_policy(
        "ec2-no-public-ip",
        "In the scaled tier nothing runs on a public IP: set associate_public_ip_address=False "
        "on instances and launch templates, attach no Elastic IP to instances, and reach "
        "instances through the ALB or Session Manager.",
        ec2_no_public_ip, config=TIER_SCHEMA),
    stack_policy(
        "ec2-no-public-ip-from-subnet",
        "In the scaled tier an instance must not get a public IP from its subnet: set "
        "associate_public_ip_address=False on instances in subnets with map_public_ip_on_launch, "
        "or launch them in private subnets.",
        ec2_no_public_ip_from_subnet, config=TIER_SCHEMA),
    resource_policy(
        "ecs-no-public-ip",
        "ECS tasks must not get public IPs: network_configuration.assign_public_ip=False in "
        "private subnets, with a NAT gateway or VPC endpoints for outbound traffic.",
        ecs_no_public_ip),
    resource_policy(
        "cloudfront-waf-attached",
        "Distributions must be protected by a WAF web ACL: create an aws.wafv2.WebAcl with "
        "scope='CLOUDFRONT' (in us-east-1) and pass its ARN as web_acl_id.",
        cloudfront_waf_attached, config=WAF_SCHEMA),
]
