"""What each config key allows: the tables of allowed values and the rule functions.

A rule returns None when a value is allowed, else a description of what is; `config/keys.py`
puts that description in the error it raises, after the key and the value given.
"""
from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Callable, Optional, Sequence

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)
CLOUDFRONT_PRICE_CLASSES = ("PriceClass_All", "PriceClass_200", "PriceClass_100")

EC2_FAMILIES = ("t3", "t3a", "t4g", "m5", "m6i", "m6a", "m6g", "m7i", "m7g", "c5", "c6i", "c6g",
                "c7i", "c7g", "r5", "r6i", "r6g", "r7i", "r7g")
RDS_POSTGRES_FAMILIES = ("t3", "t4g", "m5", "m6i", "m6g", "m7i", "m7g", "r5", "r6i", "r6g", "r7i",
                         "r7g")
ELASTICACHE_FAMILIES = ("t3", "t4g", "m5", "m6g", "m7g", "r5", "r6g", "r7g")
_SIZE = r"(nano|micro|small|medium|large|\d*xlarge|metal)"
_IDENTIFIER = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,62}$")
_DOMAIN = re.compile(r"^(?=.{4,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
DEPLOYMENT_STRATEGIES = ("rolling", "blue_green", "canary", "linear")
MAX_BAKE_MINUTES = 1440  # ECS's limit on every bake time
# Fargate's CPU units → the memory sizes (MiB) it accepts with them.
FARGATE_MEMORY = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
# PostgreSQL and RDS reserve these as master user names.
RESERVED_DB_USERNAMES = ("postgres", "rdsadmin", "rdsrepladmin", "admin", "root")
# Each alarm's default threshold (the seeds' where they give one), in the unit its name ends with;
# `alarmThresholds` overrides them per stack. Which alarms a stack gets depends on its tier.
ALARM_THRESHOLDS = {
    "alb5xxCount": 1, "alb5xxRatePercent": 5, "targetResponseTimeP95Ms": 1000,
    "ecsCpuPercent": 80, "ecsMemoryPercent": 85,
    "ec2StatusCheckFailed": 1, "ec2CpuPercent": 80,
    "rdsCpuPercent": 80, "rdsFreeStoragePercent": 10, "rdsFreeableMemoryMiB": 256,
    "rdsConnections": 64,
    "redisEngineCpuPercent": 80, "redisMemoryPercent": 80, "redisEvictions": 0,
    "cloudfront5xxRatePercent": 5,
}
_EMAIL = re.compile(r"^[^@\s]+@([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,63}$")


def one_of(*allowed: Any) -> Callable[[Any], Optional[str]]:
    return lambda v: None if v in allowed else "one of " + ", ".join(map(str, allowed))


def in_range(low: int, high: int) -> Callable[[int], Optional[str]]:
    return lambda v: None if low <= v <= high else f"an integer from {low} to {high}"


def vpc_cidr(value: str) -> Optional[str]:
    allowed = "an IPv4 network in CIDR form with a prefix from /16 to /22, e.g. 10.0.0.0/16"
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        return allowed
    return None if 16 <= network.prefixlen <= 22 else allowed


def cidr_list(values: list) -> Optional[str]:
    allowed = "a list of IPv4 CIDRs narrower than the whole internet, e.g. [\"203.0.113.7/32\"]"
    for value in values:
        try:
            network = ipaddress.IPv4Network(str(value), strict=True)
        except ValueError:
            return allowed
        if network.prefixlen == 0:
            return allowed
    return None


def instance_type(prefix: str, families: Sequence[str]) -> Callable[[str], Optional[str]]:
    pattern = re.compile(rf"^{re.escape(prefix)}([a-z0-9]+)\.{_SIZE}$")
    allowed = f"'{prefix}<family>.<size>' with a family of " + ", ".join(families)

    def rule(value: str) -> Optional[str]:
        match = pattern.match(value)
        return None if match and match.group(1) in families else allowed

    return rule


def identifier(value: str) -> Optional[str]:
    return None if _IDENTIFIER.match(value) else "a letter followed by up to 62 letters, digits or _"


def db_username(value: str) -> Optional[str]:
    if value.lower() in RESERVED_DB_USERNAMES:
        return "a name other than the reserved " + ", ".join(RESERVED_DB_USERNAMES)
    return identifier(value)


def container_image(value: str) -> Optional[str]:
    ok = re.match(r"^[a-z0-9][a-z0-9.\-_/:@]*$", value) and " " not in value
    return None if ok else "a container image reference such as public.ecr.aws/nginx/nginx:stable"


def engine_version(value: str) -> Optional[str]:
    return None if re.match(r"^\d+(\.\d+)?$", value) else "a version such as 16 or 16.4"


def decimal_in(low: float, high: float) -> Callable[[str], Optional[str]]:
    allowed = f"a number from {low:g} to {high:g}"

    def rule(value: str) -> Optional[str]:
        try:
            number = float(value)
        except ValueError:
            return allowed
        return None if low <= number <= high else allowed

    return rule


def aws_region(value: str) -> Optional[str]:
    return None if re.match(r"^[a-z]{2}(-gov)?-[a-z]+-\d$", value) else "an AWS region such as ap-northeast-1"


def domain_name(value: str) -> Optional[str]:
    return None if _DOMAIN.match(value) else "a DNS name such as www.example.com (lower case)"


def hosted_zone_id(value: str) -> Optional[str]:
    return None if re.match(r"^Z[A-Z0-9]{4,31}$", value) else "a Route 53 zone id such as Z0123456789ABCDEFGHIJ"


def email_list(values: list) -> Optional[str]:
    allowed = 'a list of distinct e-mail addresses, e.g. ["oncall@example.com"]'
    if not all(_EMAIL.match(v) for v in values):
        return allowed
    return None if len({v.lower() for v in values}) == len(values) else allowed


def slack_id(kind: str, example: str) -> Callable[[str], Optional[str]]:
    # AWS Chatbot's patterns: workspace ids are upper-case letters and digits, channels alphanumeric.
    pattern = re.compile(r"^[0-9A-Z]{1,255}$" if kind == "workspace" else r"^[A-Za-z0-9]{1,255}$")
    return lambda v: None if pattern.match(v) else f"a Slack {kind} id such as {example}"


def object_of_numbers(raw: Any) -> dict:
    allowed = 'a JSON object of names to numbers, e.g. {"rdsConnections": 150}'
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        raise ValueError(allowed) from None
    numbers = isinstance(value, dict) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values())
    if not numbers:
        raise ValueError(allowed)
    return value


def alarm_thresholds(values: dict) -> Optional[str]:
    def ok(name: str, number: Any) -> bool:
        return (name in ALARM_THRESHOLDS and number >= 0
                and (number <= 100 or not name.endswith("Percent")))

    refused = [f"{name}: {number}" for name, number in values.items() if not ok(name, number)]
    if not refused:
        return None
    return (f"numbers ≥ 0 (percentages ≤ 100) for the alarm names {', '.join(ALARM_THRESHOLDS)}; "
            f"not {', '.join(refused)}")
