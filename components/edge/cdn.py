"""CloudFront: the assets bucket (origin access control) and, in the scaled tier, the ALB for the
services' routes (`/api/*` by default), in the serverless tier API Gateway's stage; HTTPS only,
security headers, the WAF and the site's own domain when given. A service that takes `/*` gets the
default behavior; the assets then keep `/assets/*`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.edge.assets import AssetsBucket
from config.services import ASSETS_PATH, literal_prefix

CACHING_OPTIMIZED = "Managed-CachingOptimized"
CACHING_DISABLED = "Managed-CachingDisabled"
# Every viewer header, query string and cookie except Host: the ALB's certificate names the
# origin, not the site, so CloudFront must send the origin's own name as Host.
ALL_VIEWER_EXCEPT_HOST = "Managed-AllViewerExceptHostHeader"
API_PATH = "/api/*"
SITE_ROOT = "/*"
API_ORIGIN_ID = "api"
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
MODERN_TLS = "TLSv1.2_2021"
ONE_YEAR_SECONDS = 31_536_000
# The seed's security headers (seed 004).
CONTENT_SECURITY_POLICY = "default-src 'self'"
ASSETS_ORIGIN_ID = "assets"


@dataclass(frozen=True)
class ApiOrigin:
    """The ALB (or API Gateway) as CloudFront reaches it, and the secret header that proves a
    request came this way (API Gateway: its API key, x-api-key)."""

    domain_name: pulumi.Input[str]
    https: bool
    secret_header: str
    secret_value: pulumi.Input[str]
    paths: Sequence[str] = (API_PATH,)  # the services' routes; `/*` takes the default behavior
    origin_path: Optional[str] = None  # API Gateway: its stage, e.g. /v1


@dataclass(frozen=True)
class CdnArgs:
    name_prefix: str
    assets: AssetsBucket
    price_class: str
    api: Optional[ApiOrigin] = None
    web_acl_arn: Optional[pulumi.Input[str]] = None
    aliases: Sequence[str] = ()
    certificate_arn: Optional[pulumi.Input[str]] = None  # from us-east-1; needed with aliases


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
        self._cache_policy = aws.cloudfront.get_cache_policy_output(
            name=CACHING_OPTIMIZED, opts=pulumi.InvokeOutputOptions(parent=self))
        site_on_api = args.api is not None and SITE_ROOT in args.api.paths

        self.distribution = aws.cloudfront.Distribution(
            f"{name}-distribution",
            comment=f"{args.name_prefix} site",
            enabled=True, is_ipv6_enabled=True, http_version="http2and3",
            default_root_object=None if site_on_api else "index.html",
            price_class=args.price_class,
            origins=[aws.cloudfront.DistributionOriginArgs(
                origin_id=ASSETS_ORIGIN_ID, domain_name=args.assets.regional_domain_name,
                origin_access_control_id=origin_access.id),
                *([api_origin(args.api)] if args.api else [])],
            default_cache_behavior=(
                aws.cloudfront.DistributionDefaultCacheBehaviorArgs(**self._api_behavior())
                if site_on_api else
                aws.cloudfront.DistributionDefaultCacheBehaviorArgs(**self._assets_behavior())),
            ordered_cache_behaviors=self._ordered_behaviors(args, site_on_api) or None,
            web_acl_id=args.web_acl_arn, aliases=list(args.aliases) or None,
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
                    restriction_type="none")),
            viewer_certificate=viewer_certificate(args.certificate_arn),
            opts=child)
        args.assets.admit_only(self.distribution.arn)

        self.domain_name = self.distribution.domain_name
        self.hosted_zone_id = self.distribution.hosted_zone_id
        self.url = pulumi.Output.concat("https://", args.aliases[0] if args.aliases
                                        else self.domain_name)
        self.register_outputs({"url": self.url, "distributionId": self.distribution.id})


    def _ordered_behaviors(self, args: CdnArgs, site_on_api: bool
                           ) -> list[aws.cloudfront.DistributionOrderedCacheBehaviorArgs]:
        """The services' paths, most specific first (CloudFront takes the first match), and the
        assets' path when a service has the default behavior."""
        paths = sorted((path for path in (args.api.paths if args.api else ()) if path != SITE_ROOT),
                       key=lambda path: (-len(literal_prefix(path)), path))
        behaviors = [aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
            path_pattern=path, **self._api_behavior()) for path in paths]
        if site_on_api:
            behaviors.append(aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
                path_pattern=ASSETS_PATH, **self._assets_behavior()))
        return behaviors

    def _assets_behavior(self) -> dict:
        return dict(target_origin_id=ASSETS_ORIGIN_ID, viewer_protocol_policy="redirect-to-https",
                    allowed_methods=["GET", "HEAD", "OPTIONS"], cached_methods=["GET", "HEAD"],
                    compress=True, cache_policy_id=self._cache_policy.id,
                    response_headers_policy_id=self.headers_policy.id)

    def _api_behavior(self) -> dict:
        """API calls pass through uncached, with the viewer's headers, cookies and query."""
        lookup = pulumi.InvokeOutputOptions(parent=self)
        return dict(
            target_origin_id=API_ORIGIN_ID,
            viewer_protocol_policy="redirect-to-https",
            # CloudFront compresses only through a cache policy with Gzip/Brotli on, which
            # CachingDisabled is not (CloudFront Developer Guide, "Serve compressed files").
            allowed_methods=ALL_METHODS, cached_methods=["GET", "HEAD"], compress=False,
            cache_policy_id=aws.cloudfront.get_cache_policy_output(
                name=CACHING_DISABLED, opts=lookup).id,
            origin_request_policy_id=aws.cloudfront.get_origin_request_policy_output(
                name=ALL_VIEWER_EXCEPT_HOST, opts=lookup).id,
            response_headers_policy_id=self.headers_policy.id)


def api_origin(api: ApiOrigin) -> aws.cloudfront.DistributionOriginArgs:
    return aws.cloudfront.DistributionOriginArgs(
        origin_id=API_ORIGIN_ID, domain_name=api.domain_name, origin_path=api.origin_path,
        custom_headers=[aws.cloudfront.DistributionOriginCustomHeaderArgs(
            name=api.secret_header, value=api.secret_value)],
        custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
            http_port=80, https_port=443,
            # Without a domain the ALB has no certificate CloudFront could verify.
            origin_protocol_policy="https-only" if api.https else "http-only",
            origin_ssl_protocols=["TLSv1.2"], origin_read_timeout=30,
            origin_keepalive_timeout=5))


def viewer_certificate(certificate_arn: Optional[pulumi.Input[str]]
                       ) -> aws.cloudfront.DistributionViewerCertificateArgs:
    if certificate_arn is None:
        return aws.cloudfront.DistributionViewerCertificateArgs(cloudfront_default_certificate=True)
    return aws.cloudfront.DistributionViewerCertificateArgs(
        acm_certificate_arn=certificate_arn, ssl_support_method="sni-only",
        minimum_protocol_version=MODERN_TLS)


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
