"""EC2 and VPC: security group texts and rule quotas, subnets in the region's real zones, the size
of an instance's user data."""
from __future__ import annotations

import base64
import binascii
import re
from collections import defaultdict
from typing import Optional

from config.regions import REGION_ZONES
from preflight.model import cites, found, known, of_types, region_of
from preview.plan import Plan

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
RULE_TYPES = {"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "inbound",
              "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "outbound"}
SUBNET = "aws:ec2/subnet:Subnet"
INSTANCE = "aws:ec2/instance:Instance"
# The guide's 16 KB, read as 16384 bytes (github.com/kubicorn/kubicorn/issues/667 quotes EC2
# refusing a longer script: its base64 form "must have length less than or equal to 21847").
USER_DATA_MAX_BYTES = 16 * 1024
EC2_TEXT = re.compile(r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*")
DESCRIPTION_MAX = 255
RULES_PER_GROUP = 60
# A managed prefix list counts as its maximum entries; CloudFront's origin-facing list has 55
# (the largest list this program references, so any list is weighed as that).
PREFIX_LIST_WEIGHT = 55


@cites("https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ec2/aws.sdk.kotlin.services.ec2.model/-create-security-group-request/description.html")
def security_group_texts(plan: Plan) -> list:
    """Group and rule descriptions: up to 255 characters of a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$*."""
    findings = []
    for resource in of_types(plan, SECURITY_GROUP, *RULE_TYPES):
        text = resource.inputs.get("description")
        if not isinstance(text, str) or not known(text):
            continue
        bad = sorted(set(EC2_TEXT.sub("", text)))
        if bad or len(text) > DESCRIPTION_MAX:
            findings.append(found(security_group_texts, resource,
                                  f"description {text!r}: characters {bad} not allowed"
                                  if bad else f"description has {len(text)} characters (> 255)"))
    return findings



def _rule_weight(rule) -> int:
    return PREFIX_LIST_WEIGHT if rule.inputs.get("prefixListId") else 1


@cites("https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html")
def security_group_rule_quota(plan: Plan) -> list:
    """At most 60 inbound and 60 outbound rules per group, a prefix list weighing its entries."""
    weights: dict[tuple, int] = defaultdict(int)
    for rule in of_types(plan, *RULE_TYPES):
        group_id = rule.inputs.get("securityGroupId")
        if not known(group_id):
            continue  # on a first run every group's id is unknown: they cannot be told apart
        weights[group_id, RULE_TYPES[rule.type]] += _rule_weight(rule)
    groups = {g.id: g for g in plan.of_type(SECURITY_GROUP)}
    return [found(security_group_rule_quota, groups.get(group_id, str(group_id)),
                  f"{weight} {direction} rule entries (prefix lists counted by their entries); "
                  f"the default quota is {RULES_PER_GROUP}")
            for (group_id, direction), weight in sorted(weights.items(), key=str)
            if weight > RULES_PER_GROUP]



# Zones: config/regions.py
@cites("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html")
def subnets_in_real_zones(plan: Plan) -> list:
    """Every subnet's zone exists in its provider's region."""
    findings = []
    for subnet in plan.of_type(SUBNET):
        zone, region = subnet.inputs.get("availabilityZone"), region_of(plan, subnet)
        if not known(zone) or region not in REGION_ZONES:
            continue
        zones = [name for name, _ in REGION_ZONES[region]]
        if zone not in zones:
            findings.append(found(subnets_in_real_zones, subnet,
                                  f"zone {zone} is not one of {region}'s: {', '.join(zones)}"))
    return findings


def _user_data_bytes(inputs: dict) -> Optional[int]:
    """The raw user data's size: `userData` as given, or `userDataBase64` decoded."""
    if known(inputs.get("userData")):
        return len(inputs["userData"].encode())
    if known(inputs.get("userDataBase64")):
        try:
            return len(base64.b64decode(inputs["userDataBase64"], validate=True))
        except (binascii.Error, ValueError):
            return None
    return None


@cites("https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html")
def user_data_size(plan: Plan) -> list:
    """An instance's user data: at most 16 KB in raw form, before it is base64-encoded."""
    findings = []
    for instance in plan.of_type(INSTANCE):
        size = _user_data_bytes(instance.inputs)
        if size is not None and size > USER_DATA_MAX_BYTES:
            findings.append(found(user_data_size, instance,
                                  f"user data of {size} bytes; EC2 takes at most "
                                  f"{USER_DATA_MAX_BYTES} (16 KB) before base64 (on the MVP: "
                                  "fewer services, or shorter images and routes)"))
    return findings


RULES = [security_group_texts, security_group_rule_quota, subnets_in_real_zones, user_data_size]
