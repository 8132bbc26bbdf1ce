"""The offline engine's mocks: realistic answers, and a loud failure for an invoke they don't know."""
import pytest
from pulumi.runtime import MockCallArgs

from preview.mocks import MANAGED_CACHE_POLICIES, WebstackMocks


def call(token: str, args: dict | None = None) -> dict:
    return WebstackMocks("ap-northeast-2").call(MockCallArgs(token, args or {}, ""))


def test_an_unknown_invoke_names_its_token():
    with pytest.raises(NotImplementedError, match="no mock for invoke aws:ec2/getVpc:getVpc"):
        call("aws:ec2/getVpc:getVpc")


def test_zones_belong_to_the_region():
    zones = call("aws:index/getAvailabilityZones:getAvailabilityZones")["names"]
    assert zones == ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"]


def test_the_ami_matches_the_requested_architecture():
    answer = call("aws:ec2/getAmi:getAmi", {"filters": [{"name": "architecture", "values": ["arm64"]}]})
    assert answer["architecture"] == "arm64" and answer["id"].startswith("ami-")


def test_cache_policies_are_the_managed_ones_or_an_error():
    assert call("aws:cloudfront/getCachePolicy:getCachePolicy",
                {"name": "Managed-CachingOptimized"})["id"] == MANAGED_CACHE_POLICIES["Managed-CachingOptimized"]
    with pytest.raises(LookupError, match="Managed-Nope"):
        call("aws:cloudfront/getCachePolicy:getCachePolicy", {"name": "Managed-Nope"})
