"""The whole dev stack: what it creates, how it is wired, and what it tells the user."""
import json
from collections import Counter

import pytest

from components.config import ConfigError
from preview.engine import run_preview
from tests.support import EGRESS, INGRESS, SG

# What `pulumi up --stack dev` creates. A change here is a change to the platform: review it.
DEV_RESOURCES = {
    "pulumi:providers:aws": 1,
    "random:index/randomPassword:RandomPassword": 1,
    "aws:ec2/vpc:Vpc": 1, "aws:ec2/subnet:Subnet": 4, "aws:ec2/internetGateway:InternetGateway": 1,
    "aws:ec2/routeTable:RouteTable": 2, "aws:ec2/route:Route": 1,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": 4,
    "aws:ec2/securityGroup:SecurityGroup": 3, INGRESS: 4, EGRESS: 1,
    "aws:s3/bucket:Bucket": 1, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
    "aws:s3/bucketVersioning:BucketVersioning": 1,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
    "aws:s3/bucketPolicy:BucketPolicy": 1,
    "aws:cloudfront/originAccessControl:OriginAccessControl": 1,
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": 1,
    "aws:cloudfront/distribution:Distribution": 1,
    "aws:cloudwatch/logGroup:LogGroup": 3, "aws:kms/key:Key": 1, "aws:kms/alias:Alias": 1,
    "aws:iam/role:Role": 1,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1, "aws:iam/rolePolicy:RolePolicy": 2,
    "aws:iam/instanceProfile:InstanceProfile": 1, "aws:ec2/instance:Instance": 1, "aws:ec2/eip:Eip": 1,
    "aws:rds/subnetGroup:SubnetGroup": 1, "aws:rds/parameterGroup:ParameterGroup": 1,
    "aws:rds/instance:Instance": 1,
    "aws:elasticache/subnetGroup:SubnetGroup": 1,
    "aws:elasticache/replicationGroup:ReplicationGroup": 1,
    "aws:secretsmanager/secret:Secret": 1, "aws:secretsmanager/secretVersion:SecretVersion": 1,
    "aws:ssm/parameter:Parameter": 5,
}
COMPONENTS = {"webstack:network:Network", "webstack:assets:AssetsBucket", "webstack:cdn:Cdn",
              "webstack:server:Server", "webstack:database:Database", "webstack:cache:Cache",
              "webstack:app:AppConfig", "webstack:logs:LogsKey"}


def test_dev_creates_exactly_the_mvp_platform(dev_plan):
    assert dict(dev_plan.count_by_type()) == DEV_RESOURCES


def test_every_resource_belongs_to_a_component(dev_plan):
    components = {r.urn: r.type for r in dev_plan if not r.custom}
    assert set(components.values()) == COMPONENTS
    for resource in dev_plan:
        if resource.custom and not resource.type.startswith("pulumi:providers:"):
            assert resource.parent in components, resource.name


def test_every_aws_resource_uses_the_tagged_explicit_provider(dev_plan):
    provider = dev_plan.one("pulumi:providers:aws")
    assert provider.inputs["region"] == "ap-northeast-2"
    # Providers receive nested config as JSON text, as the real engine sends it.
    assert json.loads(provider.inputs["defaultTags"])["tags"] == {
        "Project": "webstack", "Stack": "dev", "Tier": "mvp", "ManagedBy": "pulumi"}
    for resource in dev_plan:
        if resource.custom and resource.type.startswith("aws:"):
            assert resource.provider_urn == provider.urn, resource.name


def test_every_security_group_rule_references_a_group_of_the_plan(dev_plan):
    group_ids = {g.id for g in dev_plan.of_type(SG)}
    for rule in dev_plan.of_type(INGRESS) + dev_plan.of_type(EGRESS):
        assert rule.inputs["securityGroupId"] in group_ids, rule.name
        source = rule.inputs.get("referencedSecurityGroupId")
        assert source is None or source in group_ids, rule.name
        assert source is not None or rule.inputs.get("cidrIpv4"), rule.name


def test_every_security_group_has_a_role(dev_plan):
    roles = Counter(g.inputs["tags"]["Role"] for g in dev_plan.of_type(SG))
    assert roles == {"backend": 1, "database": 1, "cache": 1}


def test_outputs_tell_the_user_where_things_are(dev_plan):
    assert set(dev_plan.outputs) == {"tier", "region", "siteUrl", "assetsBucket", "backendUrl",
                                     "backendPublicIp", "databaseEndpoint", "cacheEndpoint"}
    assert all(isinstance(v, str) and v for v in dev_plan.outputs.values())


def test_no_output_is_or_contains_a_secret(dev_plan):
    assert dev_plan.secret_outputs == frozenset()
    secrets = [r.outputs["result"] for r in dev_plan.of_type("random:index/randomPassword:RandomPassword")]
    assert secrets
    for value in dev_plan.outputs.values():
        assert not any(secret in value for secret in secrets)


def test_secrets_flow_only_into_secret_inputs(dev_plan):
    secret = dev_plan.one("random:index/randomPassword:RandomPassword").outputs["result"]
    for resource in dev_plan:
        for key, value in resource.inputs.items():
            if secret in str(value):
                assert key in resource.secret_inputs, f"{resource.name}.{key} holds the token in clear"


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_scaled_stacks_are_refused_clearly_until_the_scaled_tier_exists(stack):
    registered = []
    with pytest.raises(ConfigError, match="webstack:tier = 'scaled' is not buildable yet"):
        run_preview(stack, registrations=registered)
    assert registered == []


def test_previews_are_repeatable(dev_plan):
    again = run_preview("dev")
    assert sorted((r.urn, r.id) for r in again) == sorted((r.urn, r.id) for r in dev_plan)
    assert again.outputs == dev_plan.outputs
