"""Tagging: required tags from the resource or from its provider's default tags."""
import json

import pytest
from policy_kit import TAGS, UNKNOWN, fires, passes, res

from policies import _aws as aws


def provider(default_tags, encode=True):
    props = {"region": "ap-northeast-2"}
    if default_tags is not None:
        value = {"tags": default_tags}
        props["defaultTags"] = json.dumps(value) if encode else value
    return res(aws.AWS_PROVIDER, props, name="aws", id="provider-id", custom=True)


def test_required_tags_pass_on_the_resource_itself():
    passes("required-tags", res(aws.RDS_INSTANCE, {"tags": dict(TAGS)}))


@pytest.mark.parametrize("encode", [True, False])
def test_required_tags_pass_through_the_provider_s_default_tags(encode):
    aws_provider = provider(TAGS, encode=encode)
    passes("required-tags", aws_provider, res(aws.SNS_TOPIC, {"name": "alerts"}, provider=aws_provider))


def test_required_tags_combine_the_provider_s_and_the_resource_s():
    aws_provider = provider({"Project": "webstack", "Stack": "dev"})
    passes("required-tags", aws_provider,
           res(aws.BUCKET, {"tags": {"ManagedBy": "pulumi"}}, provider=aws_provider))


def test_required_tags_fire_naming_the_missing_keys():
    aws_provider = provider({"Project": "webstack"})
    bucket = res(aws.BUCKET, {"tags": {"Stack": "dev"}}, provider=aws_provider)
    fires("required-tags", aws_provider, bucket, on=[bucket], says="missing tags: ManagedBy")


def test_required_tags_fire_without_any_tags_or_provider():
    fires("required-tags", res(aws.EC2_INSTANCE, {"instanceType": "t3.micro"}),
          says="Project, Stack, ManagedBy")


def test_required_tags_are_configurable():
    fires("required-tags", res(aws.LOG_GROUP, {"tags": dict(TAGS)}), config={"requiredTags": ["CostCenter"]},
          says="CostCenter")


def test_required_tags_ignore_untaggable_and_component_resources():
    passes("required-tags", res(aws.BUCKET_POLICY, {"bucket": "b", "policy": "{}"}),
           res(aws.BUCKET_PUBLIC_ACCESS_BLOCK, {"bucket": "b"}),
           res("webstack:database:Database", {}, custom=False), provider(None))


def test_required_tags_skip_tags_computed_during_preview():
    passes("required-tags", res(aws.SNS_TOPIC, {"tags": UNKNOWN}))
