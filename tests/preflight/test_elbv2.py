"""Load balancer preflight rules, each shown firing on a broken plan."""
import json

from preflight import elbv2
from tests.preflight.broken import plan, resource


def test_load_balancer_names_over_32_characters_or_internal_are_refused():
    findings = elbv2.load_balancer_names(plan(
        resource(elbv2.LOAD_BALANCER, "long", {"name": "webstack-production-eu-central-alb"}),
        resource(elbv2.LOAD_BALANCER, "internal", {"name": "internal-api"}),
        resource(elbv2.LOAD_BALANCER, "fine", {"name": "webstack-prod-alb"})))
    assert sorted(f.resource for f in findings) == ["internal", "long"]


def test_an_auto_named_target_group_counts_pulumis_8_characters():
    long_name = "a-target-group-with-25-ch"  # 25 + 8 = 33
    [finding] = elbv2.target_group_names(plan(resource(elbv2.TARGET_GROUP, long_name, {})))
    assert "33 characters" in finding.message
    assert elbv2.target_group_names(plan(resource(elbv2.TARGET_GROUP, "api-app", {}))) == []


def test_an_https_listener_needs_a_known_policy_and_a_certificate():
    findings = elbv2.https_listeners_are_complete(plan(resource(
        elbv2.LISTENER, "https", {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-9"})))
    assert len(findings) == 2


def test_the_logs_bucket_must_admit_the_regions_log_delivery():
    balancer = resource(elbv2.LOAD_BALANCER, "alb", {"accessLogs": {"enabled": True}})

    def policy(principal):
        return resource(elbv2.BUCKET_POLICY, "logs-policy", {"policy": json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "s3:PutObject"}]})})
    seoul = {"AWS": "arn:aws:iam::600734575887:root"}
    assert elbv2.access_logs_writable_by_the_regions_elb(plan(balancer, policy(seoul))) == []
    [finding] = elbv2.access_logs_writable_by_the_regions_elb(
        plan(balancer, policy(seoul), region="ca-west-1"))
    assert "logdelivery.elasticloadbalancing.amazonaws.com" in finding.message
