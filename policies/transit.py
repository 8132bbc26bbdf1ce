"""Encryption in transit: cache TLS, HTTPS at the load balancer and CloudFront, SSL-only databases
and buckets."""
from __future__ import annotations

import re
from typing import Any, Iterator, Mapping, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from policies import _aws as aws
from policies._policy import applies_to, list_setting, resource_policy, settings, stack_policy
from policies._props import (
    UNKNOWN, as_int, dig, elements, is_map, is_true, items, json_document, known, known_elements, peek, present)
from policies._refs import attached, resolve
from policies._s3 import check_every_bucket

# ---- ElastiCache ----


@applies_to(aws.CACHE_REPLICATION_GROUP, aws.CACHE_CLUSTER)
def elasticache_encrypted_in_transit(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type == aws.CACHE_CLUSTER and present(known(props, "replicationGroupId")):
        return  # a member node follows its replication group (or may: its id is not known yet)
    enabled = known(props, "transitEncryptionEnabled")
    if enabled is UNKNOWN:
        return
    if not is_true(enabled):
        report("transitEncryptionEnabled is not true")
    elif known(props, "transitEncryptionMode") == "preferred":
        report("transitEncryptionMode is 'preferred', which still accepts plaintext clients")


# ---- Load balancer listeners ----

# ELB security policies whose minimum is TLS 1.2 (TLS13-1-2*, TLS13-1-3*, TLS-1-2*, FS-1-2*).
TLS12_SSL_POLICY = re.compile(r"^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)(-|$)")


def redirects_to_https(action: Mapping) -> bool:
    """Whether an action redirects to HTTPS; an action not known yet counts as one (unproven)."""
    kind, protocol = known(action, "type"), known(action, "redirect", "protocol")
    if action is UNKNOWN or UNKNOWN in (kind, protocol):
        return True
    return kind == "redirect" and str(protocol).upper() == "HTTPS"


def _protocol(props: Mapping) -> str:
    return str(props.get("protocol") or "HTTP").upper()  # AWS's default for an ALB listener


@applies_to(*aws.LISTENERS)
def alb_listener_https(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    protocol = peek(lambda: _protocol(props))
    if protocol in ("HTTPS", "TLS"):
        ssl_policy = known(props, "sslPolicy")
        if ssl_policy is not UNKNOWN and not TLS12_SSL_POLICY.match(str(ssl_policy or "")):
            report(f"sslPolicy {ssl_policy or '(unset: AWS picks one allowing TLS 1.0)'} "
                   "does not require TLS 1.2 or later")
    elif protocol == "HTTP" and known(props, "defaultActions") is not UNKNOWN:
        actions = known_elements(props, "defaultActions")
        if not actions or not all(redirects_to_https(action) for action in actions):
            report("an HTTP listener whose default actions do not all redirect to HTTPS")


def alb_http_listener_rules_redirect(args: StackValidationArgs, report: ReportViolation) -> None:
    links = attached(args.resources, aws.LISTENERS, aws.LISTENER_RULES, "listenerArn", ("id", "arn"))
    for listener in links.parents:
        if peek(lambda listener=listener: _protocol(listener.props), default=None) != "HTTP":
            continue
        for rule in links.of(listener):
            forwards = peek(lambda rule=rule: not all(
                redirects_to_https(action) for action in items(rule.props.get("actions"))))
            if forwards is True:
                report(f"on HTTP listener {listener.name}, this rule serves traffic instead of "
                       "redirecting to HTTPS", rule.urn)


# ---- CloudFront ----

VIEWER_HTTPS_POLICIES = ("redirect-to-https", "https-only")
WEAK_ORIGIN_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1.1")
S3_WEBSITE_ENDPOINT = re.compile(r"\.s3-website[.-]")
VIEWER_SCHEMA = {
    "minimumProtocolVersions": list_setting(
        "string", ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"],
        "Security policies accepted as viewer_certificate.minimum_protocol_version with a "
        "custom certificate."),
}


def _cache_behaviors(props: Mapping) -> Iterator[tuple[str, Any]]:
    yield "defaultCacheBehavior", known(props, "defaultCacheBehavior")
    for key in ("orderedCacheBehaviors", "cacheBehaviors"):  # Distribution, MultitenantDistribution
        for index, behavior in enumerate(known_elements(props, key)):
            yield f"{key}[{index}]", behavior


@applies_to(*aws.DISTRIBUTIONS)
def cloudfront_viewer_https(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    for where, behavior in _cache_behaviors(props):
        policy = known(behavior, "viewerProtocolPolicy") if behavior is not UNKNOWN else UNKNOWN
        if policy is not UNKNOWN and policy not in VIEWER_HTTPS_POLICIES:
            report(f"{where}.viewerProtocolPolicy is {policy!r}, not redirect-to-https or https-only")
    default_certificate = known(props, "viewerCertificate", "cloudfrontDefaultCertificate")
    if default_certificate is UNKNOWN or is_true(default_certificate):
        return  # the *.cloudfront.net certificate's TLS policy cannot be chosen
    minimum = known(props, "viewerCertificate", "minimumProtocolVersion")
    if minimum is not UNKNOWN and minimum not in settings(args, VIEWER_SCHEMA)["minimumProtocolVersions"]:
        report(f"viewerCertificate.minimumProtocolVersion is {minimum or 'unset (TLSv1)'}, "
               "below TLSv1.2_2021")


def _custom_origins(resource_type: str, props: Mapping) -> Iterator[tuple[str, Any, Any]]:
    key = "customOriginConfig" if resource_type == aws.DISTRIBUTION else "customOriginConfigs"
    for index, origin in enumerate(known_elements(props, "origins")):
        for config in known_elements(origin, key) if origin is not UNKNOWN else []:
            if config is not UNKNOWN:
                yield f"origins[{index}]", known(origin, "domainName"), config


def _origin_problems(where: str, config: Mapping, http_allowed: bool = False) -> list[str]:
    """What is wrong with an origin config; `http_allowed` for an origin that may be an S3
    website endpoint (which speaks HTTP only), where only http-only is excused."""
    problems = []
    policy = known(config, "originProtocolPolicy")
    if policy is not UNKNOWN and policy != "https-only" and not (http_allowed and policy == "http-only"):
        problems.append(f"{where}.originProtocolPolicy is {policy!r}, not https-only")
    protocols = known(config, "originSslProtocols")
    if is_map(protocols):  # VpcOrigin wraps the list as {items, quantity}
        protocols = known(protocols, "items")
    listed = elements(protocols) if protocols is not UNKNOWN else []
    weak = [protocol for protocol in WEAK_ORIGIN_PROTOCOLS if protocol in listed]
    if weak:
        problems.append(f"{where}.originSslProtocols allows {', '.join(weak)}")
    return problems


@applies_to(aws.VPC_ORIGIN, *aws.DISTRIBUTIONS)
def cloudfront_origin_https(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == aws.VPC_ORIGIN:
        config = known(args.props, "vpcOriginEndpointConfig")
        problems = [] if config is UNKNOWN else _origin_problems("vpcOriginEndpointConfig", config)
    else:
        problems = []
        for where, domain, config in _custom_origins(args.resource_type, args.props):
            if S3_WEBSITE_ENDPOINT.search(str(domain or "")):
                continue  # S3 website endpoints speak HTTP only
            # A domain not known yet may be an S3 website endpoint: only http-only is excused.
            problems += _origin_problems(where, config, http_allowed=domain is UNKNOWN)
    for problem in problems:
        report(problem)


# ---- RDS: SSL forced through parameter groups ----

def _ssl_parameter(family: str) -> Optional[tuple[str, frozenset]]:
    """The parameter that forces SSL for a parameter group family, with its accepted values."""
    if family.startswith(("postgres", "aurora-postgresql", "sqlserver")):
        return "rds.force_ssl", frozenset({"1"})
    if family.startswith(("mysql", "mariadb", "aurora-mysql")):
        return "require_secure_transport", frozenset({"1", "ON"})
    return None


def _group_forces_ssl(props: Mapping) -> Optional[bool]:
    """Whether a parameter group forces SSL; None for families this policy does not know."""
    wanted = _ssl_parameter(str(props.get("family") or ""))
    if wanted is None:
        return None
    name, accepted = wanted
    return any(dig(p, "name") == name and str(dig(p, "value")).upper() in accepted
               for p in items(props.get("parameters")))


def _default_group_forces_ssl(props: Mapping) -> bool:
    # RDS for PostgreSQL 15 and later ships rds.force_ssl=1 in its default parameter group; with
    # no engineVersion, RDS picks its current default major version, which is newer.
    if props.get("engine") != "postgres":
        return False
    version = props.get("engineVersion")
    major = as_int(str(version).split(".")[0]) if present(version) else None
    return major is None or major >= 15


DATABASE_GROUP_LINKS = (
    (aws.RDS_INSTANCE, "parameterGroupName", aws.RDS_PARAMETER_GROUP),
    (aws.RDS_CLUSTER, "dbClusterParameterGroupName", aws.RDS_CLUSTER_PARAMETER_GROUP),
)


def _database_ssl_problem(database: Any, prop: str, groups: list) -> Optional[str]:
    props = database.props
    if not present(props.get(prop)) or str(props.get(prop)).startswith("default."):
        if _default_group_forces_ssl(props):
            return None
        return f"{prop} is unset or a default group, which does not force SSL for this engine version"
    if resolve(database, prop, groups, ("name", "id")) == []:
        return f"{prop} names a parameter group outside this stack; declare one here that forces SSL"
    return None


def rds_force_ssl(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = args.resources
    for group in (r for r in resources
                  if r.resource_type in (aws.RDS_PARAMETER_GROUP, aws.RDS_CLUSTER_PARAMETER_GROUP)):
        if peek(lambda group=group: _group_forces_ssl(group.props)) is False:
            parameter = _ssl_parameter(str(group.props.get("family")))[0]
            report(f"{parameter} is not set to force SSL", group.urn)
    for database_type, prop, group_type in DATABASE_GROUP_LINKS:
        groups = [r for r in resources if r.resource_type == group_type]
        for database in (r for r in resources if r.resource_type == database_type):
            problem = peek(lambda database=database, prop=prop, groups=groups:
                           _database_ssl_problem(database, prop, groups), default=None)
            if problem:
                report(problem, database.urn)


# ---- S3: bucket policies deny plain HTTP ----

def denies_insecure_transport(document: Optional[Mapping]) -> bool:
    return any(_is_tls_deny(statement) for statement in items(dig(document, "Statement")))


def _is_tls_deny(statement: Mapping) -> bool:
    principal = dig(statement, "Principal")
    everyone = principal == "*" or "*" in items(dig(principal, "AWS"))
    every_action = bool({"s3:*", "*"} & {a for a in items(dig(statement, "Action")) if isinstance(a, str)})
    insecure = [str(v).lower() for v in items(dig(statement, "Condition", "Bool", "aws:SecureTransport"))]
    return dig(statement, "Effect") == "Deny" and everyone and every_action and "false" in insecure


def s3_bucket_policy_requires_tls(args: StackValidationArgs, report: ReportViolation) -> None:
    check_every_bucket(
        args, report, child_types=(aws.BUCKET_POLICY,),
        inline_ok=lambda bucket: denies_insecure_transport(json_document(bucket.props.get("policy"))),
        child_ok=lambda props: denies_insecure_transport(json_document(props.get("policy"))),
        message="no bucket policy denies requests made without TLS (aws:SecureTransport=false)")


@applies_to(aws.BUCKET_POLICY)
def s3_bucket_policy_denies_insecure_transport(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # A bucket has one policy: this resource replaces it whole, so it must carry the deny itself.
    policy = peek(lambda: args.props.get("policy"))
    if policy is not UNKNOWN and not denies_insecure_transport(json_document(policy)):
        report("the policy has no statement denying requests made without TLS (aws:SecureTransport=false)")


POLICIES = [
    resource_policy(
        "elasticache-encrypted-in-transit",
        "Redis/Valkey must use TLS: set transit_encryption_enabled=True (with an auth_token or "
        "user groups) and leave transit_encryption_mode unset or 'required'.",
        elasticache_encrypted_in_transit),
    resource_policy(
        "alb-listener-https",
        "Load balancer listeners must be HTTPS/TLS with a TLS 1.2+ ssl_policy (e.g. "
        "ELBSecurityPolicy-TLS13-1-2-2021-06), or HTTP whose default actions only redirect to "
        "HTTPS (type='redirect', redirect.protocol='HTTPS').",
        alb_listener_https),
    stack_policy(
        "alb-http-listener-rules-redirect",
        "Rules on an HTTP listener must redirect to HTTPS too: attach forwarding rules to the "
        "HTTPS listener instead.",
        alb_http_listener_rules_redirect),
    resource_policy(
        "cloudfront-viewer-https",
        "CloudFront viewers must use HTTPS: viewer_protocol_policy 'redirect-to-https' or "
        "'https-only' on every cache behavior; with a custom certificate set "
        "minimum_protocol_version='TLSv1.2_2021' (or newer).",
        cloudfront_viewer_https, config=VIEWER_SCHEMA),
    resource_policy(
        "cloudfront-origin-https",
        "CloudFront must reach custom and VPC origins over HTTPS: origin_protocol_policy="
        "'https-only' and origin_ssl_protocols=['TLSv1.2']. Only S3 website endpoints may stay HTTP.",
        cloudfront_origin_https),
    stack_policy(
        "rds-force-ssl",
        "Databases must refuse plaintext connections: give each instance/cluster a parameter "
        "group declared in the stack with rds.force_ssl=1 (PostgreSQL, SQL Server) or "
        "require_secure_transport=1 (MySQL, MariaDB). PostgreSQL 15+ defaults already force SSL.",
        rds_force_ssl),
    stack_policy(
        "s3-bucket-policy-requires-tls",
        "Every bucket's policy must deny non-TLS requests: add a statement Effect=Deny, "
        "Principal='*', Action='s3:*', Condition={'Bool': {'aws:SecureTransport': 'false'}}.",
        s3_bucket_policy_requires_tls),
    resource_policy(
        "s3-bucket-policy-denies-insecure-transport",
        "Each aws.s3.BucketPolicy replaces the bucket's whole policy, so it must deny non-TLS "
        "requests itself: add Effect=Deny, Principal='*', Action='s3:*', "
        "Condition={'Bool': {'aws:SecureTransport': 'false'}}.",
        s3_bucket_policy_denies_insecure_transport),
]
