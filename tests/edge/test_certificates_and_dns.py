"""The site's own domain: DNS-validated ACM certificates and Route 53 aliases when a domain and
zone are configured; without them, the platform on CloudFront's domain, still locked down."""
import shutil

import pytest

from policies.offline import evaluate, load_pack_config
from preview.engine import REPO_ROOT, run_preview
from tests.support import ingress_of, named, security_group

CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
LISTENER = "aws:lb/listener:Listener"
ALB = "aws:lb/loadBalancer:LoadBalancer"
ZONE = "ZEXAMPLEREPLACEME"
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"  # every CloudFront distribution's alias target zone
DOMAINS = {"staging": "staging.example.com", "prod": "example.com"}
SCALED = ["staging", "prod"]


@pytest.fixture(scope="module")
def no_domain_plan(tmp_path_factory):
    """staging as a user without a domain would run it: the stack file minus domain and zone."""
    project = tmp_path_factory.mktemp("no-domain")
    shutil.copy(REPO_ROOT / "Pulumi.yaml", project)
    shutil.copy(REPO_ROOT / "__main__.py", project)
    shutil.copytree(REPO_ROOT / "components", project / "components")
    shutil.copytree(REPO_ROOT / "policies" / "config", project / "policies" / "config")  # the budget
    lines = (REPO_ROOT / "Pulumi.staging.yaml").read_text().splitlines(keepends=True)
    kept = [line for line in lines if not line.lstrip().startswith(("webstack:domain:",
                                                                   "webstack:hostedZoneId:"))]
    assert len(kept) == len(lines) - 2
    (project / "Pulumi.staging.yaml").write_text("".join(kept))
    return run_preview("staging", project_dir=project)


def provider_region(plan, resource) -> str:
    return plan.by_urn(resource.provider_urn).inputs["region"]


def validation_of(plan, name):
    return named(plan, VALIDATION, f"{name}-validation")


# ---- with a domain (staging and prod) ----

@pytest.mark.parametrize("stack", SCALED)
def test_the_site_certificate_names_the_domain_and_lives_in_us_east_1(plan_of, stack):
    # CloudFront takes certificates only from us-east-1.
    plan = plan_of(stack)
    certificate = named(plan, CERTIFICATE, "certificates-site")
    assert certificate.inputs == {"domainName": DOMAINS[stack], "validationMethod": "DNS"}
    assert provider_region(plan, certificate) == "us-east-1"
    assert provider_region(plan, validation_of(plan, "certificates-site")) == "us-east-1"


@pytest.mark.parametrize("stack", SCALED)
def test_the_origin_certificate_names_the_origin_and_lives_in_the_stack_region(plan_of, stack):
    # An ALB takes certificates only from its own region.
    plan = plan_of(stack)
    certificate = named(plan, CERTIFICATE, "certificates-origin")
    assert certificate.inputs == {"domainName": f"origin.{DOMAINS[stack]}", "validationMethod": "DNS"}
    assert provider_region(plan, certificate) == "ap-northeast-2"
    assert provider_region(plan, validation_of(plan, "certificates-origin")) == "ap-northeast-2"


@pytest.mark.parametrize("stack", SCALED)
@pytest.mark.parametrize("name", ["certificates-site", "certificates-origin"])
def test_each_certificate_is_validated_by_the_record_acm_asks_for(plan_of, stack, name):
    plan = plan_of(stack)
    certificate = named(plan, CERTIFICATE, name)
    [proof] = certificate.outputs["domainValidationOptions"]
    record = named(plan, RECORD, f"{name}-validation-record").inputs
    assert record["zoneId"] == ZONE
    assert (record["name"], record["type"], record["records"]) == (
        proof["resourceRecordName"], proof["resourceRecordType"], [proof["resourceRecordValue"]])
    validation = validation_of(plan, name).inputs
    assert validation["certificateArn"] == certificate.outputs["arn"]
    assert validation["validationRecordFqdns"] == [proof["resourceRecordName"].rstrip(".")]


@pytest.mark.parametrize("stack", SCALED)
def test_cloudfront_and_the_alb_use_the_validated_certificates(plan_of, stack):
    # The validated ARN resolves only once ACM has issued the certificate: nothing waits on a
    # pending one.
    plan = plan_of(stack)
    site = validation_of(plan, "certificates-site").outputs["certificateArn"]
    origin = validation_of(plan, "certificates-origin").outputs["certificateArn"]
    viewer = plan.one(DISTRIBUTION).inputs["viewerCertificate"]
    assert viewer["acmCertificateArn"] == site and site.startswith("arn:aws:acm:us-east-1:")
    assert named(plan, LISTENER, "api-https").inputs["certificateArn"] == origin


@pytest.mark.parametrize("stack", SCALED)
@pytest.mark.parametrize("record_type", ["A", "AAAA"])
def test_the_site_name_is_an_alias_of_the_distribution(plan_of, stack, record_type):
    plan = plan_of(stack)
    record = named(plan, RECORD, f"dns-site-{record_type.lower()}").inputs
    assert (record["zoneId"], record["name"], record["type"]) == (ZONE, DOMAINS[stack], record_type)
    assert record["aliases"] == [{
        "name": plan.one(DISTRIBUTION).outputs["domainName"], "zoneId": CLOUDFRONT_ZONE,
        "evaluateTargetHealth": False}]


@pytest.mark.parametrize("stack", SCALED)
def test_the_origin_name_is_an_alias_of_the_alb(plan_of, stack):
    plan = plan_of(stack)
    record = named(plan, RECORD, "dns-api-origin").inputs
    alb = plan.one(ALB).outputs
    assert (record["zoneId"], record["name"], record["type"]) == (ZONE, f"origin.{DOMAINS[stack]}", "A")
    assert record["aliases"] == [{"name": alb["dnsName"], "zoneId": alb["zoneId"],
                                  "evaluateTargetHealth": True}]


@pytest.mark.parametrize("stack", SCALED)
def test_the_distribution_answers_for_the_domain_with_modern_tls(plan_of, stack):
    distribution = plan_of(stack).one(DISTRIBUTION).inputs
    assert distribution["aliases"] == [DOMAINS[stack]]
    viewer = distribution["viewerCertificate"]
    assert (viewer["sslSupportMethod"], viewer["minimumProtocolVersion"]) == ("sni-only", "TLSv1.2_2021")
    assert "cloudfrontDefaultCertificate" not in viewer


@pytest.mark.parametrize("stack", SCALED)
def test_the_site_url_is_the_domain(plan_of, stack):
    outputs = plan_of(stack).outputs
    assert outputs["siteUrl"] == f"https://{DOMAINS[stack]}"


def test_the_mvp_has_no_certificates_or_records(dev_plan):
    assert not dev_plan.of_type(CERTIFICATE) and not dev_plan.of_type(RECORD)


# ---- without a domain ----

def test_without_a_domain_the_platform_still_builds(no_domain_plan, staging_plan):
    expected = {t for t in staging_plan.count_by_type()
                if not t.startswith(("aws:acm/", "aws:route53/"))}
    assert set(no_domain_plan.count_by_type()) == expected


def test_without_a_domain_there_are_no_certificates_or_dns_records(no_domain_plan):
    assert not no_domain_plan.of_type(CERTIFICATE)
    assert not no_domain_plan.of_type(VALIDATION)
    assert not no_domain_plan.of_type(RECORD)


def test_without_a_domain_cloudfront_reaches_the_alb_over_http_on_port_80(no_domain_plan):
    origins = {o["originId"]: o for o in no_domain_plan.one(DISTRIBUTION).inputs["origins"]}
    api = origins["api"]
    assert api["domainName"] == no_domain_plan.one(ALB).outputs["dnsName"]
    assert api["customOriginConfig"]["originProtocolPolicy"] == "http-only"
    assert api["customOriginConfig"]["httpPort"] == 80


def test_without_a_domain_only_cloudfront_reaches_the_alb_and_only_on_port_80(no_domain_plan):
    [rule] = ingress_of(no_domain_plan, security_group(no_domain_plan, "edge"))
    assert rule.inputs["prefixListId"] == "pl-22a6434b"  # the CloudFront origin-facing list
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (80, 80)
    assert not {"cidrIpv4", "cidrIpv6", "referencedSecurityGroupId"} & set(rule.inputs)


def test_without_a_domain_the_http_listener_still_demands_the_secret_header(no_domain_plan):
    [listener] = no_domain_plan.of_type(LISTENER)
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (80, "HTTP")
    [default] = listener.inputs["defaultActions"]
    assert (default["type"], default["fixedResponse"]["statusCode"]) == ("fixed-response", "403")
    rules = no_domain_plan.of_type("aws:lb/listenerRule:ListenerRule")
    assert len(rules) == 2  # web's and api's
    for rule in rules:
        assert rule.inputs["listenerArn"] == listener.outputs["arn"]
        assert rule.inputs["conditions"][0]["httpHeader"]["httpHeaderName"] == "X-Origin-Verify"


def test_without_a_domain_cloudfront_serves_its_own_certificate_and_name(no_domain_plan):
    distribution = no_domain_plan.one(DISTRIBUTION)
    assert distribution.inputs["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert "aliases" not in distribution.inputs
    assert no_domain_plan.outputs["siteUrl"] == f"https://{distribution.outputs['domainName']}"
    assert no_domain_plan.outputs["siteUrl"].endswith(".cloudfront.net")


def test_without_a_domain_the_waf_still_guards_cloudfront(no_domain_plan):
    acl = no_domain_plan.one("aws:wafv2/webAcl:WebAcl")
    assert no_domain_plan.one(DISTRIBUTION).inputs["webAclId"] == acl.outputs["arn"]


def test_without_a_domain_the_policy_pack_names_the_clear_text_hop(no_domain_plan):
    """Documented: CloudFront → ALB is then HTTP, which the pack refuses until a domain is set."""
    violations = evaluate(no_domain_plan, load_pack_config("staging"))
    assert {v.policy for v in violations if v.mandatory} == {
        "alb-listener-https", "alb-http-listener-rules-redirect", "cloudfront-origin-https"}
