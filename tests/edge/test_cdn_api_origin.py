"""CloudFront in the scaled tier: the services' routes to the ALB uncached and signed with the
secret origin header (staging and prod: `web` at the default behavior, `api` at /api/*), the
assets bucket at /assets/*, over HTTPS end to end, behind the WAF."""
import fnmatch
import json

import pytest

from preview.mocks import MANAGED_CACHE_POLICIES, MANAGED_ORIGIN_REQUEST_POLICIES
from tests.support import named

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
SCALED = ["staging", "prod"]
ORIGIN_HOSTS = {"staging": "origin.staging.example.com", "prod": "origin.example.com"}
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}


def origins(plan) -> dict:
    return {o["originId"]: o for o in plan.one(DISTRIBUTION).inputs["origins"]}


def behaviors(plan) -> dict:
    return {b["pathPattern"]: b for b in plan.one(DISTRIBUTION).inputs["orderedCacheBehaviors"]}


def api_behavior(plan) -> dict:
    return behaviors(plan)["/api/*"]


@pytest.mark.parametrize("stack", SCALED)
def test_the_distribution_has_the_assets_and_the_api_as_origins(plan_of, stack):
    assert set(origins(plan_of(stack))) == {"assets", "api"}


@pytest.mark.parametrize("stack", SCALED)
def test_web_takes_the_default_and_the_assets_keep_their_path_signed_with_origin_access_control(
        plan_of, stack):
    plan = plan_of(stack)
    oac = plan.one("aws:cloudfront/originAccessControl:OriginAccessControl")
    assert origins(plan)["assets"]["originAccessControlId"] == oac.id
    distribution = plan.one(DISTRIBUTION).inputs
    default = distribution["defaultCacheBehavior"]
    assert (default["targetOriginId"], default["viewerProtocolPolicy"]) == ("api", "redirect-to-https")
    assets = behaviors(plan)["/assets/*"]
    assert (assets["targetOriginId"], assets["viewerProtocolPolicy"]) == ("assets", "redirect-to-https")
    assert assets["cachePolicyId"] == MANAGED_CACHE_POLICIES["Managed-CachingOptimized"]
    # The root object would be asked of the web service as /index.html.
    assert "defaultRootObject" not in distribution


def test_without_a_service_at_the_root_the_assets_keep_the_default(single_app_staging):
    """A stack without `services` (one `app` at /api/*) serves the site from the bucket."""
    distribution = single_app_staging.one(DISTRIBUTION).inputs
    assert distribution["defaultCacheBehavior"]["targetOriginId"] == "assets"
    assert distribution["defaultRootObject"] == "index.html"
    assert [b["pathPattern"] for b in distribution["orderedCacheBehaviors"]] == ["/api/*"]


@pytest.mark.parametrize("stack", SCALED)
def test_the_api_origin_is_the_albs_name_over_https_only(plan_of, stack):
    api = origins(plan_of(stack))["api"]
    assert api["domainName"] == ORIGIN_HOSTS[stack]
    config = api["customOriginConfig"]
    assert (config["originProtocolPolicy"], config["httpsPort"]) == ("https-only", 443)
    assert config["originSslProtocols"] == ["TLSv1.2"]


@pytest.mark.parametrize("stack", SCALED)
def test_cloudfront_sends_the_secret_header_the_alb_demands(plan_of, stack):
    plan = plan_of(stack)
    [header] = origins(plan)["api"]["customHeaders"]
    secret = named(plan, "random:index/randomPassword:RandomPassword", "api-origin-secret")
    assert header == {"name": "X-Origin-Verify", "value": secret.outputs["result"]}
    for rule in plan.of_type("aws:lb/listenerRule:ListenerRule"):
        [condition] = [c for c in rule.inputs["conditions"] if "httpHeader" in c]
        assert condition["httpHeader"]["httpHeaderName"] == header["name"]
    assert condition["httpHeader"]["values"] == [header["value"]]


@pytest.mark.parametrize("stack", SCALED)
def test_the_origins_are_secret_inputs_since_they_carry_the_header_value(plan_of, stack):
    assert "origins" in plan_of(stack).one(DISTRIBUTION).secret_inputs


@pytest.mark.parametrize("stack", SCALED)
def test_api_paths_go_to_the_alb_and_are_never_cached(plan_of, stack):
    behavior = api_behavior(plan_of(stack))
    assert (behavior["pathPattern"], behavior["targetOriginId"]) == ("/api/*", "api")
    assert behavior["cachePolicyId"] == MANAGED_CACHE_POLICIES["Managed-CachingDisabled"]


@pytest.mark.parametrize("stack", SCALED)
def test_api_requests_carry_the_viewers_headers_cookies_and_query_but_not_its_host(plan_of, stack):
    # The ALB's certificate names the origin, so the Host header must stay the origin's name.
    behavior = api_behavior(plan_of(stack))
    assert behavior["originRequestPolicyId"] == \
        MANAGED_ORIGIN_REQUEST_POLICIES["Managed-AllViewerExceptHostHeader"]


@pytest.mark.parametrize("stack", SCALED)
def test_the_api_accepts_every_method_over_https_only(plan_of, stack):
    behavior = api_behavior(plan_of(stack))
    assert set(behavior["allowedMethods"]) == ALL_METHODS
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"


@pytest.mark.parametrize("stack", SCALED)
def test_api_responses_carry_the_security_headers_too(plan_of, stack):
    plan = plan_of(stack)
    policy = plan.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    assert api_behavior(plan)["responseHeadersPolicyId"] == policy.id
    assert plan.one(DISTRIBUTION).inputs["defaultCacheBehavior"]["responseHeadersPolicyId"] == policy.id


@pytest.mark.parametrize("stack", SCALED)
def test_the_distribution_serves_ipv6_and_http3(plan_of, stack):
    # The site's AAAA alias needs IPv6 on the distribution.
    distribution = plan_of(stack).one(DISTRIBUTION).inputs
    assert distribution["isIpv6Enabled"] is True
    assert distribution["httpVersion"] == "http2and3"


@pytest.mark.parametrize("stack", SCALED)
def test_the_price_class_includes_the_seoul_edge(plan_of, stack):
    assert plan_of(stack).one(DISTRIBUTION).inputs["priceClass"] == "PriceClass_200"


@pytest.mark.parametrize("stack", SCALED)
def test_only_this_distribution_may_read_the_assets(plan_of, stack):
    plan = plan_of(stack)
    policy = named(plan, "aws:s3/bucketPolicy:BucketPolicy", "assets-policy").inputs["policy"]
    [allow] = [s for s in json.loads(policy)["Statement"] if s["Effect"] == "Allow"]
    assert allow["Condition"] == {"StringEquals": {
        "AWS:SourceArn": plan.one(DISTRIBUTION).outputs["arn"]}}


@pytest.mark.parametrize("stack", SCALED)
def test_the_api_url_is_the_site_url_with_the_api_path(plan_of, stack):
    """Issue 9: `<siteUrl>/api` did not match the `/api/*` behavior and went to S3 (403)."""
    plan = plan_of(stack)
    outputs = plan.outputs
    assert outputs["apiUrl"] == outputs["siteUrl"] + "/api/"
    behavior = api_behavior(plan)
    path = outputs["apiUrl"].removeprefix(outputs["siteUrl"])
    assert fnmatch.fnmatchcase(path, behavior["pathPattern"])


@pytest.mark.parametrize("stack", SCALED)
def test_the_uncached_api_behavior_does_not_ask_for_compression(plan_of, stack):
    """CachingDisabled enables no Gzip/Brotli, so `compress` there would do nothing."""
    behavior = api_behavior(plan_of(stack))
    assert behavior["compress"] is False


def test_the_mvp_has_no_api_origin(dev_plan):
    distribution = dev_plan.one(DISTRIBUTION).inputs
    assert [o["originId"] for o in distribution["origins"]] == ["assets"]
    assert "orderedCacheBehaviors" not in distribution
