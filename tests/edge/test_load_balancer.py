"""The ALB: in the public subnets, reachable from CloudFront's origin-facing addresses only,
forwarding only requests that carry CloudFront's secret header, over modern TLS."""
import pytest

from tests.support import (egress_of, ingress_of, named, ports, security_group, service_group,
                           tasks_group)

ALB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
SCALED = ["staging", "prod"]
# The id the offline preview answers for com.amazonaws.global.cloudfront.origin-facing; a lookup
# of any other prefix list name fails the preview.
CLOUDFRONT_PREFIX_LIST = "pl-22a6434b"
APP_PORT = 80


def origin_secret(plan):
    return named(plan, "random:index/randomPassword:RandomPassword", "api-origin-secret")


@pytest.mark.parametrize("stack", SCALED)
def test_it_is_an_internet_facing_application_load_balancer_in_every_public_subnet(plan_of, stack):
    plan = plan_of(stack)
    alb = plan.one(ALB).inputs
    assert (alb["loadBalancerType"], alb["internal"]) == ("application", False)
    public = [s for s in plan.of_type("aws:ec2/subnet:Subnet")
              if s.inputs["tags"]["SubnetKind"] == "public"]
    assert sorted(alb["subnets"]) == sorted(s.id for s in public)
    # AWS refuses an ALB whose subnets cover fewer than two AZs.
    assert len({s.inputs["availabilityZone"] for s in public}) >= 2


@pytest.mark.parametrize("stack", SCALED)
def test_its_only_security_group_is_the_edge_group(plan_of, stack):
    plan = plan_of(stack)
    assert plan.one(ALB).inputs["securityGroups"] == [security_group(plan, "edge").id]


@pytest.mark.parametrize("stack", SCALED)
def test_it_drops_invalid_header_fields(plan_of, stack):
    assert plan_of(stack).one(ALB).inputs["dropInvalidHeaderFields"] is True


def test_prod_has_deletion_protection(prod_plan):
    assert prod_plan.one(ALB).inputs["enableDeletionProtection"] is True


@pytest.mark.parametrize("stack", SCALED)
def test_only_cloudfront_origin_facing_addresses_reach_it_on_https(plan_of, stack):
    plan = plan_of(stack)
    [rule] = ingress_of(plan, security_group(plan, "edge"))
    assert rule.inputs["prefixListId"] == CLOUDFRONT_PREFIX_LIST
    assert (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"]) == ("tcp", 443, 443)
    assert not {"cidrIpv4", "cidrIpv6", "referencedSecurityGroupId"} & set(rule.inputs)


@pytest.mark.parametrize("stack", SCALED)
def test_it_talks_only_to_the_app_port_inside_the_vpc(plan_of, stack):
    plan = plan_of(stack)
    [rule] = egress_of(plan, security_group(plan, "edge"))
    vpc_cidr = plan.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"]
    assert (rule.inputs["cidrIpv4"], rule.inputs["ipProtocol"]) == (vpc_cidr, "tcp")
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (APP_PORT, APP_PORT)


@pytest.mark.parametrize("stack", SCALED)
def test_the_https_listener_uses_the_tls13_policy_and_the_origin_certificate(plan_of, stack):
    plan = plan_of(stack)
    listener = named(plan, LISTENER, "api-https").inputs
    assert listener["loadBalancerArn"] == plan.one(ALB).outputs["arn"]
    assert (listener["port"], listener["protocol"]) == (443, "HTTPS")
    assert listener["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    validation = named(plan, "aws:acm/certificateValidation:CertificateValidation",
                       "certificates-origin-validation")
    assert listener["certificateArn"] == validation.outputs["certificateArn"]


@pytest.mark.parametrize("stack", SCALED)
def test_a_request_without_the_secret_header_gets_a_403(plan_of, stack):
    [action] = named(plan_of(stack), LISTENER, "api-https").inputs["defaultActions"]
    assert action["type"] == "fixed-response"
    assert action["fixedResponse"]["statusCode"] == "403"


@pytest.mark.parametrize("stack", SCALED)
@pytest.mark.parametrize("service, paths", [("web", ["/*"]), ("api", ["/api/*"])])
def test_only_requests_with_cloudfronts_secret_header_are_forwarded_to_each_service(
        plan_of, stack, service, paths):
    plan = plan_of(stack)
    rule = named(plan, RULE, f"{service}-from-cloudfront")
    assert rule.inputs["listenerArn"] == named(plan, LISTENER, "api-https").outputs["arn"]
    header, path = rule.inputs["conditions"]
    assert header["httpHeader"] == {"httpHeaderName": "X-Origin-Verify",
                                    "values": [origin_secret(plan).outputs["result"]]}
    assert path["pathPattern"] == {"values": paths}
    [action] = rule.inputs["actions"]
    # Both of its target groups, all weight on the primary (tests/app/test_rollout.py).
    assert action["type"] == "forward"
    assert {g["arn"] for g in action["forward"]["targetGroups"]} == {
        named(plan, TARGET_GROUP, f"{service}-tg{suffix}").outputs["arn"]
        for suffix in ("", "-alt")}


@pytest.mark.parametrize("stack", SCALED)
def test_the_more_specific_api_rule_is_evaluated_before_webs_catch_all(plan_of, stack):
    plan = plan_of(stack)
    priorities = {service: named(plan, RULE, f"{service}-from-cloudfront").inputs["priority"]
                  for service in ("web", "api")}
    assert 1 <= priorities["api"] < priorities["web"] <= 50_000


@pytest.mark.parametrize("stack", SCALED)
def test_the_header_value_is_a_long_random_secret_kept_out_of_clear_state(plan_of, stack):
    plan = plan_of(stack)
    secret = origin_secret(plan)
    assert secret.inputs["length"] >= 32
    # ALB header conditions treat * and ? as wildcards: letters and digits only.
    assert secret.inputs["special"] is False
    assert "result" in secret.additional_secret_outputs
    assert all("conditions" in rule.secret_inputs for rule in plan.of_type(RULE))


@pytest.mark.parametrize("stack", SCALED)
def test_every_listener_is_reachable_through_the_albs_security_group(plan_of, stack):
    """Issue 9: the :80 redirect listener sat behind a group that admits 443 only."""
    plan = plan_of(stack)
    [listener] = plan.of_type(LISTENER)
    admitted = ports(ingress_of(plan, security_group(plan, "edge")))
    assert admitted == {(listener.inputs["port"], listener.inputs["port"])}
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (443, "HTTPS")


@pytest.mark.parametrize("stack", SCALED)
def test_the_target_group_checks_health_on_slash_health(plan_of, stack):
    plan = plan_of(stack)
    group = named(plan, TARGET_GROUP, "api-tg").inputs
    assert (group["targetType"], group["protocol"], group["port"]) == ("ip", "HTTP", APP_PORT)
    assert group["vpcId"] == plan.one("aws:ec2/vpc:Vpc").id
    check = group["healthCheck"]
    assert (check["enabled"], check["path"], check["matcher"]) == (True, "/health", "200")


@pytest.mark.parametrize("stack", SCALED)
def test_web_admits_only_the_alb_and_api_only_the_alb_and_web_on_the_app_port(plan_of, stack):
    """`web` lists `api` in dependsOn: api admits web's tasks; nothing else reaches either."""
    plan = plan_of(stack)
    web, api = service_group(plan, "web"), service_group(plan, "api")
    sources = {name: {(rule.inputs["referencedSecurityGroupId"], rule.inputs["fromPort"],
                       rule.inputs["toPort"]) for rule in ingress_of(plan, group)}
               for name, group in (("web", web), ("api", api))}
    edge = security_group(plan, "edge").id
    assert sources == {"web": {(edge, APP_PORT, APP_PORT)},
                       "api": {(edge, APP_PORT, APP_PORT), (web.id, APP_PORT, APP_PORT)}}
    assert not ingress_of(plan, tasks_group(plan))
    [web_to_api] = [rule for rule in egress_of(plan, web)
                    if rule.inputs.get("referencedSecurityGroupId") == api.id]
    assert (web_to_api.inputs["fromPort"], web_to_api.inputs["toPort"]) == (APP_PORT, APP_PORT)
    assert not [rule for rule in egress_of(plan, api)
                if rule.inputs.get("referencedSecurityGroupId") == web.id]


@pytest.mark.parametrize("stack", SCALED)
def test_the_alb_dns_name_is_an_output(plan_of, stack):
    plan = plan_of(stack)
    assert plan.outputs["albDnsName"] == plan.one(ALB).outputs["dnsName"]
