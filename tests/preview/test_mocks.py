"""The offline engine's mocks: realistic answers, and a loud failure for an invoke they don't know."""
import pytest
from pulumi.runtime import MockCallArgs

from config.keys import ConfigError
from preview.engine import run_preview
from preview.mocks import MANAGED_CACHE_POLICIES, WebstackMocks


def call(token: str, args: dict | None = None) -> dict:
    return WebstackMocks("ap-northeast-2").call(MockCallArgs(token, args or {}, ""))


def test_an_unknown_invoke_names_its_token():
    with pytest.raises(NotImplementedError, match="no mock for invoke aws:ec2/getVpc:getVpc"):
        call("aws:ec2/getVpc:getVpc")


def test_zones_belong_to_the_region():
    zones = call("aws:index/getAvailabilityZones:getAvailabilityZones")
    assert zones["names"] == ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c",
                              "ap-northeast-2d"]
    assert zones["zoneIds"] == ["apne2-az1", "apne2-az2", "apne2-az3", "apne2-az4"]


@pytest.mark.parametrize("region, count", [("us-west-1", 2), ("eu-west-1", 3), ("us-east-1", 6)])
def test_each_region_has_its_own_number_of_zones(region, count):
    zones = WebstackMocks(region).call(MockCallArgs(
        "aws:index/getAvailabilityZones:getAvailabilityZones", {}, ""))
    assert len(zones["names"]) == len(zones["zoneIds"]) == count
    assert all(name.startswith(region) for name in zones["names"])


def test_a_scaled_stack_previews_in_another_region_with_that_regions_zones(plan_in_region):
    """Issue 9: aws:region=us-west-2 raised LookupError in the mocks (ELB account table)."""
    plan = plan_in_region("prod", "us-west-2")
    zones = {s.inputs["availabilityZone"] for s in plan.of_type("aws:ec2/subnet:Subnet")}
    assert zones == {"us-west-2a", "us-west-2b", "us-west-2c"}


def test_a_region_with_too_few_zones_is_refused_by_name():
    with pytest.raises(ConfigError, match=r"azCount = 3 .*at most 2.*us-west-1"):
        run_preview("prod", overrides={"aws:region": "us-west-1"})


def test_the_ami_matches_the_requested_architecture():
    answer = call("aws:ec2/getAmi:getAmi", {"filters": [{"name": "architecture", "values": ["arm64"]}]})
    assert answer["architecture"] == "arm64" and answer["id"].startswith("ami-")


def test_cache_policies_are_the_managed_ones_or_an_error():
    assert call("aws:cloudfront/getCachePolicy:getCachePolicy",
                {"name": "Managed-CachingOptimized"})["id"] == MANAGED_CACHE_POLICIES["Managed-CachingOptimized"]
    with pytest.raises(LookupError, match="Managed-Nope"):
        call("aws:cloudfront/getCachePolicy:getCachePolicy", {"name": "Managed-Nope"})
