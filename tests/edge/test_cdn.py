"""CloudFront: the only way to the assets, HTTPS only, with the seed's security headers."""
from preview.engine import run_preview
from preview.mocks import MANAGED_CACHE_POLICIES

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
HEADERS = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"


def test_the_assets_origin_is_signed_with_origin_access_control(dev_plan):
    oac = dev_plan.one("aws:cloudfront/originAccessControl:OriginAccessControl")
    assert (oac.inputs["originAccessControlOriginType"], oac.inputs["signingBehavior"],
            oac.inputs["signingProtocol"]) == ("s3", "always", "sigv4")
    [origin] = dev_plan.one(DISTRIBUTION).inputs["origins"]
    assert origin["originAccessControlId"] == oac.id
    assert origin["domainName"].endswith(".s3.ap-northeast-2.amazonaws.com")
    assert "s3OriginConfig" not in origin  # no legacy origin access identity


def test_viewers_are_redirected_to_https(dev_plan):
    behavior = dev_plan.one(DISTRIBUTION).inputs["defaultCacheBehavior"]
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["cachePolicyId"] == MANAGED_CACHE_POLICIES["Managed-CachingOptimized"]
    assert set(behavior["allowedMethods"]) == {"GET", "HEAD", "OPTIONS"}


def test_every_response_carries_the_security_headers(dev_plan):
    policy = dev_plan.one(HEADERS)
    assert dev_plan.one(DISTRIBUTION).inputs["defaultCacheBehavior"]["responseHeadersPolicyId"] == policy.id
    headers = policy.inputs["securityHeadersConfig"]
    hsts = headers["strictTransportSecurity"]
    assert (hsts["accessControlMaxAgeSec"], hsts["includeSubdomains"]) == (31_536_000, True)
    assert headers["contentTypeOptions"]["override"] is True
    assert headers["frameOptions"]["frameOption"] == "DENY"
    assert headers["contentSecurityPolicy"]["contentSecurityPolicy"] == "default-src 'self'"


def test_price_class_follows_config(dev_plan):
    assert dev_plan.one(DISTRIBUTION).inputs["priceClass"] == "PriceClass_200"
    plan = run_preview("dev", overrides={"cdnPriceClass": "PriceClass_All"})
    assert plan.one(DISTRIBUTION).inputs["priceClass"] == "PriceClass_All"


def test_site_url_is_the_distribution_over_https(dev_plan):
    assert dev_plan.outputs["siteUrl"].startswith("https://d")
    assert dev_plan.outputs["siteUrl"].endswith(".cloudfront.net")
