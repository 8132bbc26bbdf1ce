"""CloudFront in front of the assets bucket: HTTPS only, security headers, origin access control."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.assets import AssetsBucket

CACHING_OPTIMIZED = "Managed-CachingOptimized"
ONE_YEAR_SECONDS = 31_536_000
# The seed's security headers (seed 004).
CONTENT_SECURITY_POLICY = "default-src 'self'"
ASSETS_ORIGIN_ID = "assets"


@dataclass(frozen=True)
class CdnArgs:
    name_prefix: str
    assets: AssetsBucket
    price_class: str


class Cdn(pulumi.ComponentResource):
    def __init__(self, name: str, args: CdnArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:cdn:Cdn", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        origin_access = aws.cloudfront.OriginAccessControl(
            f"{name}-oac", name=f"{args.name_prefix}-assets",
            description="CloudFront signs every request to the assets bucket",
            origin_access_control_origin_type="s3", signing_behavior="always",
            signing_protocol="sigv4", opts=child)
        self.headers_policy = security_headers_policy(name, args.name_prefix, child)
        cache_policy = aws.cloudfront.get_cache_policy_output(
            name=CACHING_OPTIMIZED, opts=pulumi.InvokeOutputOptions(parent=self))

        self.distribution = aws.cloudfront.Distribution(
            f"{name}-distribution",
            comment=f"{args.name_prefix} site",
            enabled=True, is_ipv6_enabled=True, http_version="http2and3",
            default_root_object="index.html", price_class=args.price_class,
            origins=[aws.cloudfront.DistributionOriginArgs(
                origin_id=ASSETS_ORIGIN_ID, domain_name=args.assets.regional_domain_name,
                origin_access_control_id=origin_access.id)],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=ASSETS_ORIGIN_ID, viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD", "OPTIONS"], cached_methods=["GET", "HEAD"],
                compress=True, cache_policy_id=cache_policy.id,
                response_headers_policy_id=self.headers_policy.id),
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
                    restriction_type="none")),
            viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
                cloudfront_default_certificate=True),
            opts=child)
        args.assets.admit_only(self.distribution.arn)

        self.domain_name = self.distribution.domain_name
        self.url = pulumi.Output.concat("https://", self.domain_name)
        self.register_outputs({"url": self.url, "distributionId": self.distribution.id})


def security_headers_policy(name: str, name_prefix: str,
                            opts: pulumi.ResourceOptions) -> aws.cloudfront.ResponseHeadersPolicy:
    """HSTS, nosniff, DENY framing, a same-origin CSP and a strict referrer policy on every response."""
    headers = aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs(
        strict_transport_security=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
            access_control_max_age_sec=ONE_YEAR_SECONDS, include_subdomains=True, preload=True,
            override=True),
        content_type_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs(
            override=True),
        frame_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs(
            frame_option="DENY", override=True),
        content_security_policy=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs(
            content_security_policy=CONTENT_SECURITY_POLICY, override=True),
        referrer_policy=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs(
            referrer_policy="strict-origin-when-cross-origin", override=True),
        xss_protection=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigXssProtectionArgs(
            protection=True, mode_block=True, override=True),
    )
    return aws.cloudfront.ResponseHeadersPolicy(
        f"{name}-security-headers", name=f"{name_prefix}-security-headers",
        comment="Security headers required by webstack", security_headers_config=headers, opts=opts)
