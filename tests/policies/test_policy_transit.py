"""Encryption in transit: caches, listeners, CloudFront, databases and bucket policies."""
import pytest
from policy_kit import (UNKNOWN, bucket_with, distribution, fires, http_redirect_listener,
                        https_listener, passes, pg_parameter_group, rds_cluster, rds_instance,
                        replication_group, res, tls_only_policy)

from policies import _aws as aws

# ---- elasticache-encrypted-in-transit ----


@pytest.mark.parametrize("resource_type, props", [
    (aws.CACHE_REPLICATION_GROUP, replication_group()),
    (aws.CACHE_REPLICATION_GROUP, replication_group(transitEncryptionMode="required")),
    (aws.CACHE_CLUSTER, {"replicationGroupId": "webstack-redis"}),
    (aws.CACHE_CLUSTER, {"engine": "memcached", "transitEncryptionEnabled": True}),
])
def test_elasticache_in_transit_passes(resource_type, props):
    passes("elasticache-encrypted-in-transit", res(resource_type, props))


@pytest.mark.parametrize("resource_type, props, says", [
    (aws.CACHE_REPLICATION_GROUP, replication_group(transitEncryptionEnabled=False), "transitEncryptionEnabled"),
    (aws.CACHE_REPLICATION_GROUP, {"engine": "redis", "description": "no tls"}, "transitEncryptionEnabled"),
    (aws.CACHE_REPLICATION_GROUP, replication_group(transitEncryptionMode="preferred"), "preferred"),
    (aws.CACHE_CLUSTER, {"engine": "memcached", "numCacheNodes": 1}, "transitEncryptionEnabled"),
])
def test_elasticache_in_transit_fires(resource_type, props, says):
    fires("elasticache-encrypted-in-transit", res(resource_type, props), says=says)


# ---- alb-listener-https ----

TLS12_POLICIES = ["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                  "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS-1-2-2017-01",
                  "ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10",
                  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04"]
OLD_TLS_POLICIES = ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-1-2017-01",
                    "ELBSecurityPolicy-TLS13-1-0-2021-06", "ELBSecurityPolicy-TLS13-1-1-2021-06",
                    "ELBSecurityPolicy-FS-2018-06", "ELBSecurityPolicy-FS-1-1-2019-08"]


@pytest.mark.parametrize("listener_type", aws.LISTENERS)
@pytest.mark.parametrize("ssl_policy", TLS12_POLICIES)
def test_alb_listener_https_accepts_tls12_policies(listener_type, ssl_policy):
    passes("alb-listener-https", res(listener_type, https_listener(sslPolicy=ssl_policy)))


@pytest.mark.parametrize("ssl_policy", OLD_TLS_POLICIES)
def test_alb_listener_https_refuses_older_tls_policies(ssl_policy):
    fires("alb-listener-https", res(aws.LISTENERS[0], https_listener(sslPolicy=ssl_policy)), says=ssl_policy)


@pytest.mark.parametrize("props", [
    {k: v for k, v in https_listener().items() if k != "sslPolicy"},
    https_listener(protocol="TLS", sslPolicy="ELBSecurityPolicy-2016-08"),
])
def test_alb_listener_https_fires_on_weak_or_default_tls(props):
    fires("alb-listener-https", res(aws.LISTENERS[1], props), says="TLS 1.2")


@pytest.mark.parametrize("listener_type", aws.LISTENERS)
def test_alb_listener_https_accepts_http_that_only_redirects(listener_type):
    passes("alb-listener-https", res(listener_type, http_redirect_listener()))


@pytest.mark.parametrize("actions", [
    [{"type": "forward", "targetGroupArn": "arn:tg"}],
    [{"type": "redirect", "redirect": {"protocol": "HTTP", "port": "8080", "statusCode": "HTTP_302"}}],
    [{"type": "redirect", "redirect": {"protocol": "#{protocol}", "statusCode": "HTTP_301"}}],
    [{"type": "fixed-response", "fixedResponse": {"contentType": "text/plain", "statusCode": "200"}}],
    [],
])
def test_alb_listener_https_fires_on_http_that_serves(actions):
    props = {"protocol": "HTTP", "port": 80, "defaultActions": actions}
    fires("alb-listener-https", res(aws.LISTENERS[0], props), says="redirect")


def test_alb_listener_https_treats_a_listener_without_protocol_as_http():
    fires("alb-listener-https", res(aws.LISTENERS[0], {"port": 80, "defaultActions": [{"type": "forward"}]}))


def test_alb_listener_https_ignores_network_load_balancer_listeners():
    passes("alb-listener-https", res(aws.LISTENERS[0], {"protocol": "TCP", "port": 5432,
                                                          "defaultActions": [{"type": "forward"}]}))


# ---- alb-http-listener-rules-redirect ----


def _listener_and_rule(listener_props, actions, linked_by="deps"):
    listener = res(aws.LISTENERS[0], listener_props)
    props = {"listenerArn": listener.id, "priority": 10, "actions": actions,
             "conditions": [{"pathPattern": {"values": ["/api/*"]}}]}
    rule = res(aws.LISTENER_RULES[1], props, deps={"listenerArn": [listener]} if linked_by == "deps" else None)
    return listener, rule


def test_http_listener_rules_that_redirect_pass():
    redirect = [{"type": "redirect", "redirect": {"protocol": "HTTPS", "statusCode": "HTTP_301"}}]
    passes("alb-http-listener-rules-redirect", *_listener_and_rule(http_redirect_listener(), redirect))


def test_forwarding_rules_on_an_https_listener_pass():
    passes("alb-http-listener-rules-redirect",
           *_listener_and_rule(https_listener(), [{"type": "forward", "targetGroupArn": "arn:tg"}]))


@pytest.mark.parametrize("linked_by", ["deps", "id"])
def test_forwarding_rule_on_an_http_listener_fires(linked_by):
    listener, rule = _listener_and_rule(http_redirect_listener(), [{"type": "forward"}], linked_by)
    fires("alb-http-listener-rules-redirect", listener, rule, on=[rule], says="HTTP listener")


def test_rule_on_an_unknown_listener_is_skipped():
    listener = res(aws.LISTENERS[0], http_redirect_listener())
    rule = res(aws.LISTENER_RULES[0], {"listenerArn": UNKNOWN, "actions": [{"type": "forward"}]})
    passes("alb-http-listener-rules-redirect", listener, rule)


# ---- cloudfront-viewer-https ----


@pytest.mark.parametrize("props", [
    distribution(),
    distribution(viewerCertificate={"cloudfrontDefaultCertificate": True}),
    distribution(viewerCertificate={"acmCertificateArn": "arn:c", "minimumProtocolVersion": "TLSv1.2_2025"}),
])
def test_cloudfront_viewer_https_passes(props):
    passes("cloudfront-viewer-https", res(aws.DISTRIBUTION, props))


@pytest.mark.parametrize("props, says", [
    (distribution(defaultCacheBehavior={"targetOriginId": "assets", "viewerProtocolPolicy": "allow-all"}),
     "defaultCacheBehavior"),
    (distribution(orderedCacheBehaviors=[{"pathPattern": "/*", "viewerProtocolPolicy": "allow-all"}]),
     "orderedCacheBehaviors[0]"),
    (distribution(viewerCertificate={"acmCertificateArn": "arn:c", "minimumProtocolVersion": "TLSv1.2_2019"}),
     "TLSv1.2_2019"),
    (distribution(viewerCertificate={"acmCertificateArn": "arn:c", "sslSupportMethod": "sni-only"}), "unset"),
    (distribution(viewerCertificate={"iamCertificateId": "cert", "minimumProtocolVersion": "TLSv1"}), "TLSv1"),
])
def test_cloudfront_viewer_https_fires(props, says):
    fires("cloudfront-viewer-https", res(aws.DISTRIBUTION, props), says=says)


def test_cloudfront_viewer_https_reads_multitenant_cache_behaviors():
    props = {"defaultCacheBehavior": {"viewerProtocolPolicy": "https-only"},
             "cacheBehaviors": [{"pathPattern": "/legacy/*", "viewerProtocolPolicy": "allow-all"}],
             "viewerCertificate": {"cloudfrontDefaultCertificate": True}}
    fires("cloudfront-viewer-https", res(aws.MULTITENANT_DISTRIBUTION, props), says="cacheBehaviors[0]")


def test_cloudfront_viewer_https_minimum_is_configurable():
    props = distribution(viewerCertificate={"acmCertificateArn": "arn:c", "minimumProtocolVersion": "TLSv1.2_2021"})
    fires("cloudfront-viewer-https", res(aws.DISTRIBUTION, props),
          config={"minimumProtocolVersions": ["TLSv1.3_2025"]})


# ---- cloudfront-origin-https ----

def _custom_origin(**config):
    return {"originId": "o", "domainName": "alb.example.com",
            "customOriginConfig": {"httpPort": 80, "httpsPort": 443, "originProtocolPolicy": "https-only",
                                   "originSslProtocols": ["TLSv1.2"], **config}}


@pytest.mark.parametrize("origins", [
    distribution()["origins"],
    [{"originId": "site", "domainName": "site.s3-website.ap-northeast-2.amazonaws.com",
      "customOriginConfig": {"originProtocolPolicy": "http-only", "originSslProtocols": ["TLSv1.2"]}}],
    [{"originId": "old-site", "domainName": "site.s3-website-ap-northeast-2.amazonaws.com",
      "customOriginConfig": {"originProtocolPolicy": "http-only", "originSslProtocols": ["TLSv1.2"]}}],
])
def test_cloudfront_origin_https_passes(origins):
    passes("cloudfront-origin-https", res(aws.DISTRIBUTION, distribution(origins=origins)))


@pytest.mark.parametrize("config, says", [
    ({"originProtocolPolicy": "http-only"}, "http-only"),
    ({"originProtocolPolicy": "match-viewer"}, "match-viewer"),
    ({"originSslProtocols": ["TLSv1", "TLSv1.1", "TLSv1.2"]}, "TLSv1, TLSv1.1"),
    ({"originSslProtocols": ["SSLv3"]}, "SSLv3"),
])
def test_cloudfront_origin_https_fires(config, says):
    props = distribution(origins=[_custom_origin(**config)])
    fires("cloudfront-origin-https", res(aws.DISTRIBUTION, props), says=says)


def test_cloudfront_origin_https_reads_multitenant_origin_lists():
    origin = {"id": "alb", "domainName": "alb.example.com", "customOriginConfigs": [
        {"httpPort": 80, "httpsPort": 443, "originProtocolPolicy": "http-only", "originSslProtocols": ["TLSv1.2"]}]}
    fires("cloudfront-origin-https", res(aws.MULTITENANT_DISTRIBUTION, {"origins": [origin]}), says="origins[0]")


@pytest.mark.parametrize("endpoint, expected", [
    ({"originProtocolPolicy": "https-only", "originSslProtocols": {"items": ["TLSv1.2"], "quantity": 1}}, None),
    ({"originProtocolPolicy": "http-only", "originSslProtocols": {"items": ["TLSv1.2"], "quantity": 1}}, "http-only"),
    ({"originProtocolPolicy": "https-only", "originSslProtocols": {"items": ["TLSv1.1"], "quantity": 1}}, "TLSv1.1"),
])
def test_cloudfront_origin_https_checks_vpc_origins(endpoint, expected):
    props = {"vpcOriginEndpointConfig": {"name": "alb", "arn": "arn:alb", "httpPort": 80, "httpsPort": 443,
                                         **endpoint}}
    if expected:
        fires("cloudfront-origin-https", res(aws.VPC_ORIGIN, props), says=expected)
    else:
        passes("cloudfront-origin-https", res(aws.VPC_ORIGIN, props))


def test_cloudfront_origin_https_skips_an_origin_whose_domain_is_unknown():
    origin = {**_custom_origin(originProtocolPolicy="http-only"), "domainName": UNKNOWN}
    passes("cloudfront-origin-https", res(aws.DISTRIBUTION, distribution(origins=[origin])))


# ---- rds-force-ssl ----


def _database_with_group(group_props, instance_props=None, linked_by="deps"):
    group = res(aws.RDS_PARAMETER_GROUP, group_props)
    props = rds_instance(parameterGroupName=group_props.get("name", group.id), **(instance_props or {}))
    database = res(aws.RDS_INSTANCE, props,
                   deps={"parameterGroupName": [group]} if linked_by == "deps" else None)
    return group, database


@pytest.mark.parametrize("linked_by", ["deps", "name"])
def test_rds_force_ssl_passes_with_a_forcing_group(linked_by):
    passes("rds-force-ssl", *_database_with_group(pg_parameter_group(), linked_by=linked_by))


@pytest.mark.parametrize("family, parameter", [
    ("mysql8.0", {"name": "require_secure_transport", "value": "ON"}),
    ("mariadb10.11", {"name": "require_secure_transport", "value": "1"}),
    ("sqlserver-se-16.0", {"name": "rds.force_ssl", "value": "1"}),
])
def test_rds_force_ssl_knows_each_engine_s_parameter(family, parameter):
    group_props = {"family": family, "name": "g", "parameters": [parameter]}
    passes("rds-force-ssl", *_database_with_group(group_props, {"engine": family.split("-")[0].rstrip("0123456789.")}))


@pytest.mark.parametrize("parameters", [
    [{"name": "log_min_duration_statement", "value": "1000"}],
    [{"name": "rds.force_ssl", "value": "0"}],
    [],
])
def test_rds_force_ssl_fires_on_a_group_that_does_not_force_ssl(parameters):
    group, database = _database_with_group(pg_parameter_group(parameters=parameters))
    fires("rds-force-ssl", group, database, on=[group], says="rds.force_ssl")


def test_rds_force_ssl_checks_cluster_parameter_groups():
    group = res(aws.RDS_CLUSTER_PARAMETER_GROUP, {"family": "aurora-mysql8.0", "name": "cg", "parameters": [
        {"name": "require_secure_transport", "value": "OFF"}]})
    cluster = res(aws.RDS_CLUSTER, rds_cluster(engine="aurora-mysql", dbClusterParameterGroupName="cg"),
                  deps={"dbClusterParameterGroupName": [group]})
    fires("rds-force-ssl", group, cluster, on=[group], says="require_secure_transport")
    good = res(aws.RDS_CLUSTER_PARAMETER_GROUP, {"family": "aurora-postgresql16", "name": "cg2", "parameters": [
        {"name": "rds.force_ssl", "value": "1"}]})
    passes("rds-force-ssl", good, res(aws.RDS_CLUSTER, rds_cluster(dbClusterParameterGroupName="cg2")))


@pytest.mark.parametrize("props", [
    rds_instance(engineVersion="16.4"), rds_instance(engineVersion="15"), rds_instance(engineVersion=None),
    rds_instance(parameterGroupName="default.postgres16"),
])
def test_rds_force_ssl_trusts_postgres_15_defaults(props):
    passes("rds-force-ssl", res(aws.RDS_INSTANCE, props))


@pytest.mark.parametrize("resource_type, props, says", [
    (aws.RDS_INSTANCE, rds_instance(engineVersion="14.12"), "parameterGroupName is unset"),
    (aws.RDS_INSTANCE, rds_instance(engine="mysql", engineVersion="8.0"), "parameterGroupName is unset"),
    (aws.RDS_INSTANCE, rds_instance(engineVersion="13", parameterGroupName="default.postgres13"), "default"),
    (aws.RDS_INSTANCE, rds_instance(parameterGroupName="shared-group-elsewhere"), "outside this stack"),
    (aws.RDS_CLUSTER, rds_cluster(), "dbClusterParameterGroupName is unset"),
])
def test_rds_force_ssl_fires_on_databases_without_a_forcing_group(resource_type, props, says):
    database = res(resource_type, props)
    fires("rds-force-ssl", database, on=[database], says=says)


def test_rds_force_ssl_skips_an_unknown_group_reference():
    passes("rds-force-ssl", res(aws.RDS_INSTANCE, rds_instance(engineVersion="14", parameterGroupName=UNKNOWN)))


# ---- s3-bucket-policy-requires-tls ----


def test_bucket_policy_requires_tls_passes():
    passes("s3-bucket-policy-requires-tls", *bucket_with())


@pytest.mark.parametrize("deny", [
    {"Principal": {"AWS": "*"}},
    {"Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject", "s3:*"]},
    {"Action": "*", "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}},
    {"Condition": {"Bool": {"aws:SecureTransport": False}}},
])
def test_bucket_policy_requires_tls_accepts_equivalent_statements(deny):
    bucket = res(aws.BUCKET, {})
    policy = res(aws.BUCKET_POLICY, {"bucket": bucket.id, "policy": tls_only_policy(**deny)})
    passes("s3-bucket-policy-requires-tls", bucket, policy)


def test_bucket_policy_requires_tls_accepts_an_inline_policy_document_object():
    import json

    bucket = res(aws.BUCKET_V2, {"policy": json.loads(tls_only_policy())})
    passes("s3-bucket-policy-requires-tls", bucket)


@pytest.mark.parametrize("deny", [
    {"Effect": "Allow"},
    {"Principal": {"Service": "cloudfront.amazonaws.com"}},
    {"Action": "s3:GetObject"},
    {"Condition": {"Bool": {"aws:SecureTransport": "true"}}},
    {"Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}},
])
def test_bucket_policy_requires_tls_fires_on_statements_that_do_not_deny_plain_http(deny):
    bucket = res(aws.BUCKET, {})
    policy = res(aws.BUCKET_POLICY, {"bucket": bucket.id, "policy": tls_only_policy(**deny)},
                 deps={"bucket": [bucket]})
    fires("s3-bucket-policy-requires-tls", bucket, policy, on=[bucket], says="aws:SecureTransport")


def test_bucket_policy_requires_tls_fires_without_a_policy():
    bucket, *_ = parts = bucket_with(tls_policy=False)
    fires("s3-bucket-policy-requires-tls", *parts, on=[bucket])


def test_bucket_policy_requires_tls_skips_a_policy_unknown_in_preview():
    bucket = res(aws.BUCKET, {})
    policy = res(aws.BUCKET_POLICY, {"bucket": bucket.id, "policy": UNKNOWN}, deps={"bucket": [bucket]})
    passes("s3-bucket-policy-requires-tls", bucket, policy)
