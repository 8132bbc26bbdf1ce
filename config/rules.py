"""What each config key allows: the tables of allowed values and the rule functions.

A rule returns None when a value is allowed, else a description of what is; `config/keys.py`
puts that description in the error it raises, after the key and the value given.
"""
from __future__ import annotations

import difflib
import ipaddress
import json
import math
import re
from typing import Any, Callable, Mapping, Optional, Sequence

from config.catalogs import POSTGRES_MAJORS, REDIS_VERSIONS
from config.regions import REGION_ZONES, REGIONS

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)
CLOUDFRONT_PRICE_CLASSES = ("PriceClass_All", "PriceClass_200", "PriceClass_100")

_IDENTIFIER = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,62}$")
# CreateDBInstance's MasterUsername: "1 to 16 letters, numbers, or underscores; first character
# must be a letter" (RDS API reference, CreateDBInstance).
_MASTER_USERNAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,15}$")
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
# Names PostgreSQL or RDS already use: PostgreSQL reserves every role name starting with pg_
# (commit 293007898d, "Reserve the pg_ namespace for roles"); template0/template1 are PostgreSQL's
# template databases; rdsadmin, rdsrepladmin, rds_superuser and friends are RDS's own roles and
# database ("Understanding PostgreSQL roles and permissions", RDS User Guide). postgres, admin and
# root are refused as too easily guessed for the master user.
RESERVED_DB_NAMES = ("postgres", "template0", "template1", "rdsadmin", "rdsrepladmin",
                     "rds_superuser", "rds_replication", "rds_password", "rdstopmgr",
                     "rds_ad", "rds_iam", "admin", "root")
RESERVED_DB_PREFIXES = ("pg_",)
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
    # Serverless: seed 000's API alarms (5XX >= 1 over 5 periods, latency > 1000 ms over 3) and
    # seed 003's rollback triggers (Lambda errors > 5 %, API 5XX > 10 %); the throttle, duration
    # and DynamoDB thresholds are this program's (any throttle or system error is worth a look).
    "lambdaErrorRatePercent": 5, "lambdaThrottles": 1, "lambdaDurationP95Ms": 1000,
    "api5xxCount": 1, "api5xxRatePercent": 10, "apiLatencyP95Ms": 1000,
    "dynamodbThrottles": 1, "dynamodbSystemErrors": 1,
}
# Which tier has each alarm (components/observability/alarms.py builds them; a test checks both
# agree): a threshold for an alarm the stack does not have would be silently ignored.
ALARM_TIERS = {
    **dict.fromkeys(("alb5xxCount", "alb5xxRatePercent", "targetResponseTimeP95Ms",
                     "ecsCpuPercent", "ecsMemoryPercent"), ("scaled",)),
    **dict.fromkeys(("ec2StatusCheckFailed", "ec2CpuPercent"), ("mvp",)),
    **dict.fromkeys(("rdsCpuPercent", "rdsFreeStoragePercent", "rdsFreeableMemoryMiB",
                     "rdsConnections", "redisEngineCpuPercent", "redisMemoryPercent",
                     "redisEvictions", "cloudfront5xxRatePercent"), ("mvp", "scaled", "serverless")),
    **dict.fromkeys(("lambdaErrorRatePercent", "lambdaThrottles", "lambdaDurationP95Ms",
                     "api5xxCount", "api5xxRatePercent", "apiLatencyP95Ms", "dynamodbThrottles",
                     "dynamodbSystemErrors"), ("serverless",)),
}
# The only threshold where 0 means something (alarm on any eviction); at 0 every other alarm
# always fires (a count or a latency above 0, a status check ≥ 0) or never does (memory below 0).
ZERO_ALLOWED = ("redisEvictions",)
# The SNS documentation gives no grammar for e-mail endpoints; this is RFC 5322's dot-atom (no
# quoted local parts, no IP literals, ASCII only) with RFC 5321's lengths (64 local, 254 total).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_EMAIL = re.compile(rf"^(?=.{{3,254}}$)(?=[^@]{{1,64}}@){_ATEXT}(\.{_ATEXT})*@"
                    r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
# The OCI distribution reference grammar (distribution/reference v0.5.0 reference.go, lines 4-26):
# reference := name [":" tag] ["@" digest]; name := [domain "/"] path-component ["/" ...].
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_REGISTRY = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?)"
_PATH_COMPONENT = r"(?:[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*)"
_IMAGE = re.compile(rf"^(?:(?P<domain>{_REGISTRY})/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
                    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
                    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$")
# An OCI image-spec sha256 digest is exactly 64 lower-case hex digits.
_SHA256 = re.compile(r"^sha256:[a-f0-9]{64}$")


def one_of(*allowed: Any) -> Callable[[Any], Optional[str]]:
    return lambda v: None if v in allowed else "one of " + ", ".join(map(str, allowed))


def in_range(low: int, high: int) -> Callable[[int], Optional[str]]:
    return lambda v: None if low <= v <= high else f"an integer from {low} to {high}"


# The ranges a VPC should use: RFC 1918's private ranges and RFC 6598's shared address space.
PRIVATE_RANGES = tuple(ipaddress.IPv4Network(n) for n in
                       ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))


def vpc_cidr(value: str) -> Optional[str]:
    allowed = ("an IPv4 network in CIDR form with a prefix from /16 to /22 inside a private range "
               "(10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10), e.g. 10.0.0.0/16")
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        return allowed
    private = any(network.subnet_of(r) for r in PRIVATE_RANGES)
    return None if private and 16 <= network.prefixlen <= 22 else allowed


def cidr_list(values: list) -> Optional[str]:
    allowed = ("a list of distinct IPv4 CIDRs narrower than the whole internet, "
               "e.g. [\"203.0.113.7/32\"]")
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.IPv4Network(str(value), strict=True))
        except ValueError:
            return allowed
    if any(n.prefixlen == 0 for n in networks) or len(set(networks)) < len(networks):
        return allowed
    return None


def instance_type(prefix: str, catalog: Mapping[str, Sequence[str]]) -> Callable[[str], Optional[str]]:
    """A class or node type AWS sells: `<prefix><family>.<size>` with the size in that family."""
    def rule(value: str) -> Optional[str]:
        family, _, size = value[len(prefix):].partition(".") if value.startswith(prefix) else ("", "", "")
        if family in catalog:
            if size in catalog[family]:
                return None
            return (f"a size {prefix}{family} comes in: "
                    + ", ".join(f"{prefix}{family}.{s}" for s in catalog[family]))
        return f"'{prefix}<family>.<size>' with a family of " + ", ".join(catalog)

    return rule


def _reserved(value: str) -> Optional[str]:
    if value.lower() in RESERVED_DB_NAMES or value.lower().startswith(RESERVED_DB_PREFIXES):
        return ("a name other than " + ", ".join(RESERVED_DB_NAMES) + " (PostgreSQL's and RDS's "
                "own, or too easily guessed), not starting with pg_ (PostgreSQL's prefix)")
    return None


def db_name(value: str) -> Optional[str]:
    if not _IDENTIFIER.match(value):
        return "a letter followed by up to 62 letters, digits or _, e.g. app"
    return _reserved(value)


def db_username(value: str) -> Optional[str]:
    if not _MASTER_USERNAME.match(value):
        return "a letter followed by up to 15 letters, digits or _ (RDS's limit), e.g. webstack_admin"
    return _reserved(value)


def container_image(value: str) -> Optional[str]:
    allowed = ("an image reference [registry/]path[:tag][@sha256:<64 hex>] with a lower-case "
               "path, e.g. public.ecr.aws/nginx/nginx:stable")
    match = _IMAGE.match(value)
    if not match:
        return allowed
    digest = match.group("digest")
    if digest and digest.startswith("sha256:") and not _SHA256.match(digest):
        return allowed
    return None


def postgres_version(value: str) -> Optional[str]:
    """A PostgreSQL major RDS still supports, alone (RDS picks its newest minor) or major.minor."""
    match = re.match(r"^(\d+)(\.\d+)?$", value)
    if match and match.group(1) in POSTGRES_MAJORS:
        return None
    return (f"a PostgreSQL major from {POSTGRES_MAJORS[0]} to {POSTGRES_MAJORS[-1]}, alone or as "
            "major.minor, e.g. 16 or 16.4 (RDS ended standard support for 12 and older)")


def redis_version(value: str) -> Optional[str]:
    if value in REDIS_VERSIONS:
        return None
    return ("one of " + ", ".join(REDIS_VERSIONS)
            + " (ElastiCache Redis OSS 6.0 or later; 5.0.6 and 4.0.10 are refused)")


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
    """A commercial region config/regions.py knows; names are case-sensitive, as AWS's are."""
    if value in REGION_ZONES:
        return None
    near = ([value.lower()] if value.lower() in REGION_ZONES
            else difflib.get_close_matches(value.lower(), REGIONS, n=1, cutoff=0.75))
    hint = f" (did you mean {near[0]}?)" if near else ""
    return (f"a commercial AWS region in lower case, e.g. ap-northeast-2{hint}; "
            f"regions: {', '.join(REGIONS)}")


def domain_name(value: str) -> Optional[str]:
    return None if _DOMAIN.match(value) else "a DNS name such as www.example.com (lower case)"


def hosted_zone_id(value: str) -> Optional[str]:
    return None if re.match(r"^Z[A-Z0-9]{4,31}$", value) else "a Route 53 zone id such as Z0123456789ABCDEFGHIJ"


def email_list(values: list) -> Optional[str]:
    allowed = ('a list of distinct e-mail addresses (ASCII letters, digits and !#$%&\'*+/=?^_`{|}~- '
               'before the @, a domain after it), e.g. ["oncall@example.com"]')
    if not all(_EMAIL.match(v) for v in values):
        return allowed
    return None if len({v.lower() for v in values}) == len(values) else allowed


# AWS Chatbot's API takes [0-9A-Z]{1,255} team ids and [A-Za-z0-9]+ channel ids, "the 9-character
# string at the end of the URL" of the channel (botocore chatbot 2017-10-11 service-2.json). Slack
# ids carry their kind as first letter: T a workspace (T0123456789 in AWS's Kendra and Support App
# references), C a public channel, G a private one (Slack.Lookups, hexdocs.pm/slack).
_SLACK_IDS = {"workspace": re.compile(r"^T[0-9A-Z]{8,254}$"),
              "channel": re.compile(r"^[CG][0-9A-Z]{8,254}$")}


def slack_id(kind: str, example: str) -> Callable[[str], Optional[str]]:
    pattern = _SLACK_IDS[kind]
    where = ("the T… id in the workspace's URL, app.slack.com/client/<id>" if kind == "workspace"
             else "the C… or G… id at the end of the channel's link, not its #name")

    def rule(value: str) -> Optional[str]:
        return None if pattern.match(value) else f"a Slack {kind} id such as {example} ({where})"

    return rule


def _refuse_duplicate_names(pairs: list) -> dict:
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"a JSON object naming each alarm once; {', '.join(repeated)} given twice")
    return dict(pairs)


def object_of_numbers(raw: Any) -> dict:
    allowed = 'a JSON object of names to numbers, e.g. {"rdsConnections": 150}'
    try:
        value = (json.loads(raw, object_pairs_hook=_refuse_duplicate_names)
                 if isinstance(raw, str) else raw)
    except json.JSONDecodeError:
        raise ValueError(allowed) from None
    numbers = isinstance(value, dict) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values())
    if not numbers:
        raise ValueError(allowed)
    return value


def _threshold_ok(name: str, number: float) -> bool:
    if name not in ALARM_THRESHOLDS or not math.isfinite(number):
        return False
    if number < 0 or (number == 0 and name not in ZERO_ALLOWED):
        return False
    return number <= 100 or not name.endswith("Percent")


def threshold_problem(name: str, number: float) -> Optional[str]:
    """What one alarm's threshold allows, or None when `number` is allowed."""
    if _threshold_ok(name, number):
        return None
    zero = "≥ 0" if name in ZERO_ALLOWED else "> 0"
    top = ", at most 100" if name.endswith("Percent") else ""
    return f"a finite number {zero}{top}"


def alarm_thresholds(values: dict) -> Optional[str]:
    refused = [f"{name}: {number}" for name, number in values.items()
               if not _threshold_ok(name, number)]
    if not refused:
        return None
    return (f"finite numbers > 0 (redisEvictions ≥ 0; percentages ≤ 100) for the alarm names "
            f"{', '.join(ALARM_THRESHOLDS)}; not {', '.join(refused)}")


def alarms_of_tier(tier: str) -> list[str]:
    return [name for name, tiers in ALARM_TIERS.items() if tier in tiers]
