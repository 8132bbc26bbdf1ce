"""EC2/VPC preflight rules, each shown firing on a broken plan."""
from preflight import ec2
from preflight.model import UNKNOWN
from tests.preflight.broken import plan, resource

SG = ec2.SECURITY_GROUP
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def test_an_apostrophe_in_a_group_or_rule_description_is_refused():
    """Issue 9, item 2: EC2 refused "ALB: CloudFront's origin-facing addresses only"."""
    findings = ec2.security_group_texts(plan(
        resource(SG, "alb", {"description": "ALB: CloudFront's origin-facing addresses only"}),
        resource(INGRESS, "rule", {"description": "To the app's tasks"}),
        resource(SG, "fine", {"description": "ALB: CloudFront origin-facing (443) #1"})))
    assert [f.resource for f in findings] == ["alb", "rule"]
    assert "\"'\"" in findings[0].message and findings[0].source.startswith("https://")


def test_a_description_over_255_characters_is_refused():
    [finding] = ec2.security_group_texts(plan(resource(SG, "long", {"description": "a" * 256})))
    assert "256 characters" in finding.message


def test_an_unknown_description_is_not_judged():
    assert ec2.security_group_texts(plan(resource(SG, "later", {"description": UNKNOWN}))) == []


def test_a_second_prefix_list_rule_exceeds_the_60_rule_quota():
    rules = [resource(INGRESS, f"cf-{port}", {"securityGroupId": "sg-1", "prefixListId": "pl-1",
                                              "fromPort": port, "toPort": port})
             for port in (80, 443)]
    [finding] = ec2.security_group_rule_quota(plan(resource(SG, "alb", {}, id="sg-1"), *rules))
    assert finding.resource == "alb" and "110 inbound" in finding.message
    assert ec2.security_group_rule_quota(plan(resource(SG, "alb", {}, id="sg-1"), rules[0])) == []


def test_rules_of_groups_whose_ids_are_unknown_are_not_lumped_together():
    """On a first run every group's id is the same unknown: 55 + 6 rules of different groups
    once read as 61 rules of one (prod's ALB group and its services' groups)."""
    rules = [resource(INGRESS, "cf", {"securityGroupId": UNKNOWN, "prefixListId": "pl-1",
                                      "fromPort": 443, "toPort": 443})]
    rules += [resource(INGRESS, f"from-alb-{n}", {"securityGroupId": UNKNOWN, "fromPort": 80,
                                                  "toPort": 80}) for n in range(6)]
    assert ec2.security_group_rule_quota(plan(*rules)) == []


def test_a_subnet_in_a_zone_the_region_lacks_is_refused():
    """us-west-1 has two zones, a and b (moto's table in config/regions.py)."""
    subnet = resource(ec2.SUBNET, "private-c", {"availabilityZone": "us-west-1c"})
    [finding] = ec2.subnets_in_real_zones(plan(subnet, region="us-west-1"))
    assert "us-west-1a, us-west-1b" in finding.message
    fine = resource(ec2.SUBNET, "private-b", {"availabilityZone": "us-west-1b"})
    assert ec2.subnets_in_real_zones(plan(fine, region="us-west-1")) == []


def test_user_data_counts_its_raw_bytes_before_base64_and_unknown_is_not_judged():
    import base64
    at_limit, over = (base64.b64encode(b"x" * size).decode() for size in (16384, 16385))
    instance = lambda name, inputs: resource(ec2.INSTANCE, name, inputs)  # noqa: E731
    findings = ec2.user_data_size(plan(
        instance("fits", {"userDataBase64": at_limit}), instance("over", {"userDataBase64": over}),
        instance("multibyte", {"userData": "é" * 8193}), instance("later", {"userData": UNKNOWN})))
    assert [(f.resource, f.message.split(";")[0]) for f in findings] == [
        ("over", "user data of 16385 bytes"), ("multibyte", "user data of 16386 bytes")]
