"""The stack configuration model: every key webstack reads, its type, default and rules.

Only `__main__.py` touches `pulumi.Config`; it hands the raw strings to `parse_settings`, which
returns typed, validated settings or raises one `ConfigError` listing every bad key — before a
single resource is registered.
"""
from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence

from pulumi import RunError

PROJECT = "webstack"
TIERS = ("mvp", "scaled")

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


class ConfigError(RunError):
    """Bad stack configuration; the message names each key, the value given and what is allowed.

    A RunError, so the Pulumi CLI prints the message alone, without a Python traceback.
    """

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        lines = ["Invalid webstack configuration:", *(f"  - {p}" for p in self.problems),
                 "Fix it with `pulumi config set <key> <value>` or in Pulumi.<stack>.yaml."]
        super().__init__("\n".join(lines))


REQUIRED = object()
OPTIONAL = None  # a key that may stay unset: no default, the feature is off

@dataclass(frozen=True)
class Setting:
    """One config key: its Pulumi type, its default (REQUIRED if none) and its rule."""

    key: str
    type: str  # the Pulumi.yaml schema type: string, integer, boolean or array
    default: Any
    description: str
    rule: Optional[Callable[[Any], Optional[str]]] = None  # returns what is allowed, or None if ok
    # Reads a structured value the key keeps as text (the CLI's schema has no object type).
    parse: Optional[Callable[[Any], Any]] = None


# ---- rules: each returns None when the value is allowed, else a description of what is ----

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


SETTINGS: tuple[Setting, ...] = (
    Setting("tier", "string", REQUIRED,
            "Platform shape: 'mvp' (S3+CloudFront, one EC2 backend, small RDS and Redis) or "
            "'scaled' (multi-AZ VPC, ALB, ECS Fargate, RDS Multi-AZ, Redis failover, WAF).",
            one_of(*TIERS)),
    Setting("vpcCidr", "string", "10.0.0.0/16",
            "IPv4 range of the VPC (/16 to /22); each subnet gets 1/32 of it.", vpc_cidr),
    Setting("azCount", "integer", 2,
            "Availability zones the VPC spans (2 or more: RDS and ALB need two).", in_range(2, 6)),
    Setting("serverInstanceType", "string", "t3.micro",
            "EC2 instance type of the MVP backend (Graviton 'g' families get an arm64 AMI).",
            instance_type("", EC2_FAMILIES)),
    Setting("serverRootVolumeGb", "integer", 20,
            "Size of the backend's encrypted gp3 root volume, in GiB.", in_range(8, 16384)),
    Setting("adminCidrs", "array", [],
            "CIDRs allowed to reach the backend on SSH (22). Empty: no SSH, use Session Manager.",
            cidr_list),
    Setting("appImage", "string", "public.ecr.aws/nginx/nginx:stable",
            "Container image of the backend application.", container_image),
    Setting("appPort", "integer", 80,
            "Port the backend container listens on.", in_range(1, 65535)),
    Setting("dbInstanceClass", "string", "db.t3.micro",
            "RDS PostgreSQL instance class (dev db.t3.micro, staging db.t3.small, prod db.t3.large).",
            instance_type("db.", RDS_POSTGRES_FAMILIES)),
    Setting("dbEngineVersion", "string", "16",
            "PostgreSQL engine version (major, or major.minor).", engine_version),
    Setting("dbAllocatedStorage", "integer", 20,
            "Initial gp3 storage of the database, in GB (dev 20, staging/prod 100).",
            in_range(20, 65536)),
    Setting("dbMaxAllocatedStorage", "integer", 100,
            "Storage autoscaling ceiling in GB (prod 1000); 0 turns autoscaling off.",
            in_range(0, 65536)),
    Setting("dbBackupRetentionDays", "integer", 7,
            "Days RDS keeps automated backups (7 to 35; prod 30).", in_range(7, 35)),
    Setting("dbName", "string", "app", "Name of the application database.", identifier),
    Setting("dbUsername", "string", "webstack_admin",
            "Master user name; its password is generated and kept by RDS in Secrets Manager.",
            db_username),
    Setting("dbMultiAz", "boolean", False, "Run the database with a Multi-AZ standby."),
    Setting("cacheNodeType", "string", "cache.t3.micro",
            "ElastiCache node type (dev cache.t3.micro, staging cache.t3.small, prod cache.m6g.large).",
            instance_type("cache.", ELASTICACHE_FAMILIES)),
    Setting("cacheEngineVersion", "string", "7.1", "Redis engine version.", engine_version),
    Setting("cacheNodes", "integer", 1,
            "Redis nodes: 1 primary plus replicas (2 or more turn on automatic failover).",
            in_range(1, 6)),
    Setting("cacheSnapshotRetentionDays", "integer", 7,
            "Days ElastiCache keeps daily snapshots (0 turns them off).", in_range(0, 35)),
    Setting("cdnPriceClass", "string", "PriceClass_200",
            "CloudFront price class; PriceClass_200 or All include the Seoul edge.",
            one_of(*CLOUDFRONT_PRICE_CLASSES)),
    Setting("logRetentionDays", "integer", 30,
            "Days CloudWatch keeps the platform's log groups.", one_of(*LOG_RETENTION_DAYS)),
    Setting("alarmEmails", "array", [],
            "E-mail addresses that receive every alarm and its recovery (each confirms its "
            "subscription once per alarm topic).", email_list),
    Setting("slackTeamId", "string", OPTIONAL,
            "Slack workspace id authorized in AWS Chatbot; with slackChannelId, alarms also go to "
            "Slack. Unset: no Slack.", slack_id("workspace", "T07EA123LEP")),
    Setting("slackChannelId", "string", OPTIONAL,
            "Slack channel that receives the alarms (with slackTeamId).",
            slack_id("channel", "C07EZ1ABC23")),
    Setting("alarmThresholds", "string", OPTIONAL,
            "Per-alarm threshold overrides as a JSON object, alarm name → number in the unit the "
            "name ends with, e.g. '{\"rdsConnections\": 150}'; unset alarms keep their defaults.",
            alarm_thresholds, parse=object_of_numbers),
    Setting("natGateways", "integer", 1,
            "Scaled tier: NAT gateways for the private subnets (1 to azCount; one per AZ survives "
            "the loss of an AZ).", in_range(1, 6)),
    Setting("taskCpu", "integer", 512,
            "Scaled tier: CPU units of a Fargate task (staging 512, prod 1024).",
            one_of(*FARGATE_MEMORY)),
    Setting("taskMemory", "integer", 1024,
            "Scaled tier: memory of a Fargate task in MiB, valid for taskCpu (staging 1024, "
            "prod 2048).", in_range(512, 122880)),
    Setting("minTasks", "integer", 1, "Scaled tier: fewest running tasks (prod 2).",
            in_range(1, 1000)),
    Setting("desiredTasks", "integer", 1, "Scaled tier: tasks at first deployment (prod 3).",
            in_range(1, 1000)),
    Setting("maxTasks", "integer", 2, "Scaled tier: most running tasks (prod 10).",
            in_range(1, 1000)),
    Setting("scalingCpuTarget", "integer", 70,
            "Scaled tier: average task CPU % that auto scaling holds (staging 70, prod 75).",
            in_range(10, 95)),
    Setting("dbReadReplicas", "integer", 0, "Read replicas of the database (prod 1).",
            in_range(0, 5)),
    Setting("domain", "string", OPTIONAL,
            "Scaled tier: the site's DNS name. With hostedZoneId it gets ACM certificates and "
            "alias records; unset, the site runs on CloudFront's own domain.", domain_name),
    Setting("hostedZoneId", "string", OPTIONAL,
            "Scaled tier: the Route 53 public zone that holds `domain`.", hosted_zone_id),
    Setting("wafRateLimit", "integer", 2000,
            "Scaled tier: requests one IP may send in 5 minutes before the WAF blocks it.",
            in_range(10, 2_000_000_000)),
    Setting("backupRetentionDays", "integer", 7,
            "Days AWS Backup keeps the daily backups of the databases and EBS volumes (prod 30).",
            in_range(1, 3650)),
    Setting("drRegion", "string", OPTIONAL,
            "A second region that receives a copy of every backup, for disaster recovery; unset: "
            "no copy.", aws_region),
    Setting("deploymentStrategy", "string", "rolling",
            "Scaled tier: how ECS rolls out a new task definition: rolling, blue_green, canary or "
            "linear (staging blue_green, prod canary).", one_of(*DEPLOYMENT_STRATEGIES)),
    Setting("canaryPercent", "string", "5",
            "Scaled tier, canary: % of traffic the new revision gets first (0.1 to 100; a string "
            "because Pulumi config has no decimal type).", decimal_in(0.1, 100.0)),
    Setting("canaryBakeMinutes", "integer", 10,
            "Scaled tier, canary: minutes the canary runs before all traffic shifts (0 to 1440).",
            in_range(0, MAX_BAKE_MINUTES)),
    Setting("linearStepPercent", "string", "10",
            "Scaled tier, linear: % of traffic shifted at each step (3 to 100).",
            decimal_in(3.0, 100.0)),
    Setting("linearBakeMinutes", "integer", 5,
            "Scaled tier, linear: minutes between steps (0 to 1440).",
            in_range(0, MAX_BAKE_MINUTES)),
    Setting("rolloutBakeMinutes", "integer", 15,
            "Scaled tier, blue_green/canary/linear: minutes the old revision stays up after all "
            "traffic has moved, for an instant rollback (0 to 1440).",
            in_range(0, MAX_BAKE_MINUTES)),
    Setting("protectData", "boolean", True,
            "Protect stateful resources: Pulumi protect plus AWS deletion protection. "
            "Final snapshots are taken either way."),
)
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


# ---- typed settings handed to components ----

@dataclass(frozen=True)
class NetworkSettings:
    cidr: str
    az_count: int
    nat_gateways: int


@dataclass(frozen=True)
class ServerSettings:
    instance_type: str
    root_volume_gb: int
    admin_cidrs: tuple[str, ...]
    app_image: str
    app_port: int

    @property
    def architecture(self) -> str:
        family = self.instance_type.split(".")[0]
        # Graviton families carry a 'g' after the generation digit: t4g, m7g, c7gn, r8gd…
        return "arm64" if re.match(r"^[a-z]+\d+g", family) else "x86_64"


@dataclass(frozen=True)
class DatabaseSettings:
    instance_class: str
    engine_version: str
    allocated_storage: int
    max_allocated_storage: int
    backup_retention_days: int
    name: str
    username: str
    multi_az: bool
    read_replicas: int


@dataclass(frozen=True)
class CacheSettings:
    node_type: str
    engine_version: str
    nodes: int
    snapshot_retention_days: int

    @property
    def automatic_failover(self) -> bool:
        return self.nodes >= 2


@dataclass(frozen=True)
class ServiceSettings:
    """The scaled tier's Fargate service."""

    image: str
    port: int
    cpu: int
    memory: int
    min_tasks: int
    desired_tasks: int
    max_tasks: int
    cpu_target: int


@dataclass(frozen=True)
class DomainSettings:
    name: str
    hosted_zone_id: str

    @property
    def api_origin(self) -> str:
        """The name CloudFront uses to reach the ALB; the ALB's certificate covers it."""
        return f"origin.{self.name}"


@dataclass(frozen=True)
class EdgeSettings:
    """CloudFront and the WAF in front of it."""

    price_class: str
    waf_rate_limit: int
    domain: Optional[DomainSettings]


@dataclass(frozen=True)
class RolloutSettings:
    """How ECS moves traffic to a new revision; all but `rolling` use two target groups."""

    strategy: str
    canary_percent: float
    canary_bake_minutes: int
    linear_step_percent: float
    linear_bake_minutes: int
    bake_minutes: int

    @property
    def shifts_traffic(self) -> bool:
        return self.strategy != "rolling"


@dataclass(frozen=True)
class BackupSettings:
    retention_days: int
    dr_region: Optional[str]  # None: no copy to a second region


@dataclass(frozen=True)
class SlackSettings:
    team_id: str
    channel_id: str


@dataclass(frozen=True)
class MonitoringSettings:
    """Who hears about alarms, and each alarm's threshold (defaults merged with the overrides)."""

    alarm_emails: tuple[str, ...]
    slack: Optional[SlackSettings]  # None: no Slack delivery
    thresholds: Mapping[str, float]


@dataclass(frozen=True)
class StackSettings:
    project: str
    stack: str
    tier: str
    region: str
    protect_data: bool
    log_retention_days: int
    network: NetworkSettings
    server: ServerSettings
    database: DatabaseSettings
    cache: CacheSettings
    service: ServiceSettings
    rollout: RolloutSettings
    edge: EdgeSettings
    backup: BackupSettings
    monitoring: MonitoringSettings

    @property
    def name_prefix(self) -> str:
        return f"{self.project}-{self.stack}"


# ---- parsing ----

def _convert(setting: Setting, raw: Any) -> Any:
    """Turns a raw config string (or already-typed value) into the setting's type."""
    if setting.parse:
        return setting.parse(raw)
    if setting.type == "string":
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError("a non-empty string")
        return raw.strip()
    if setting.type == "integer":
        if isinstance(raw, bool):
            raise ValueError("an integer")
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ValueError("an integer") from None
    if setting.type == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text not in ("true", "false"):
            raise ValueError("true or false")
        return text == "true"
    if setting.type == "array":
        try:
            value = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            raise ValueError('a JSON list of strings, e.g. ["203.0.113.7/32"]') from None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError('a list of strings, e.g. ["203.0.113.7/32"]')
        return value
    raise AssertionError(f"unknown setting type {setting.type}")


def _read_values(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for setting in SETTINGS:
        given = raw.get(setting.key)
        if given is None:
            if setting.default is REQUIRED:
                problems.append(f"{PROJECT}:{setting.key} is required but not set; allowed: "
                                f"{_allowed(setting)}")
            else:
                values[setting.key] = setting.default
            continue
        try:
            value = _convert(setting, given)
        except ValueError as err:
            problems.append(f"{PROJECT}:{setting.key} = {given!r} is not valid; allowed: {err}")
            continue
        allowed = setting.rule(value) if setting.rule else None
        if allowed:
            problems.append(f"{PROJECT}:{setting.key} = {given!r} is not valid; allowed: {allowed}")
        else:
            values[setting.key] = value
    return values, problems


def _allowed(setting: Setting) -> str:
    if setting.key == "tier":
        return " or ".join(TIERS)
    return setting.type


def _combination_problems(v: Mapping[str, Any]) -> list[str]:
    """Rules that span keys: combinations AWS would reject or that make no sense."""
    problems = []
    storage, ceiling = v.get("dbAllocatedStorage"), v.get("dbMaxAllocatedStorage")
    # RDS requires the autoscaling ceiling to be at least 10 % above the allocated storage.
    if storage is not None and ceiling and ceiling < storage * 1.1:
        problems.append(
            f"{PROJECT}:dbMaxAllocatedStorage = {ceiling} must be 0 (off) or at least 10 % above "
            f"{PROJECT}:dbAllocatedStorage = {storage}, i.e. ≥ {-(-storage * 11 // 10)}")
    problems += _fargate_size_problems(v)
    problems += _task_count_problems(v)
    problems += _domain_problems(v)
    if v.get("tier") == "mvp" and v.get("deploymentStrategy", "rolling") != "rolling":
        problems.append(f"{PROJECT}:deploymentStrategy = {v['deploymentStrategy']!r} is not valid "
                        f"with {PROJECT}:tier = 'mvp'; allowed: rolling (traffic shifting needs the "
                        "scaled tier's load balancer and ECS service)")
    problems += _slack_problems(v)
    if v.get("tier") == "scaled" and v.get("natGateways", 0) > v.get("azCount", 6):
        problems.append(f"{PROJECT}:natGateways = {v['natGateways']} is not valid; allowed: at most "
                        f"{PROJECT}:azCount = {v['azCount']} (one NAT gateway per AZ at most)")
    return problems


def _fargate_size_problems(v: Mapping[str, Any]) -> list[str]:
    cpu, memory = v.get("taskCpu"), v.get("taskMemory")
    if cpu is None or memory is None or memory in FARGATE_MEMORY.get(cpu, ()):
        return []
    sizes = FARGATE_MEMORY[cpu]
    return [f"{PROJECT}:taskMemory = {memory} is not valid with {PROJECT}:taskCpu = {cpu}; "
            f"Fargate allows {', '.join(map(str, sizes))} MiB with {cpu} CPU units"]


def _task_count_problems(v: Mapping[str, Any]) -> list[str]:
    counts = [v.get(key) for key in ("minTasks", "desiredTasks", "maxTasks")]
    if None in counts or counts == sorted(counts):
        return []
    low, desired, high = counts
    return [f"{PROJECT}:minTasks = {low}, {PROJECT}:desiredTasks = {desired} and "
            f"{PROJECT}:maxTasks = {high} are not valid together; allowed: "
            "minTasks ≤ desiredTasks ≤ maxTasks"]


def _domain_problems(v: Mapping[str, Any]) -> list[str]:
    domain, zone = v.get("domain"), v.get("hostedZoneId")
    if (domain is None) == (zone is None):
        return []
    missing, given = ("hostedZoneId", "domain") if zone is None else ("domain", "hostedZoneId")
    return [f"{PROJECT}:{given} = {v[given]!r} needs {PROJECT}:{missing} as well; allowed: both "
            "set (certificates and DNS records) or neither (CloudFront's own domain)"]


def _slack_problems(v: Mapping[str, Any]) -> list[str]:
    team, channel = v.get("slackTeamId"), v.get("slackChannelId")
    if (team is None) == (channel is None):
        return []
    given, missing = (("slackTeamId", "slackChannelId") if channel is None
                      else ("slackChannelId", "slackTeamId"))
    return [f"{PROJECT}:{given} = {v[given]!r} needs {PROJECT}:{missing} as well; allowed: both "
            "set (alarms also go to that Slack channel) or neither (no Slack)"]


def parse_settings(raw: Mapping[str, Any], *, stack: str, region: Optional[str]) -> StackSettings:
    """Validates raw config (key → string as Pulumi passes it) into StackSettings, or raises."""
    values, problems = _read_values(raw)
    problems += _combination_problems(values)
    if region and values.get("drRegion") == region:
        problems.append(f"{PROJECT}:drRegion = {region!r} is not valid; allowed: a region other "
                        f"than the stack's aws:region ({region})")
    if not region:
        problems.append("aws:region is required but not set; allowed: an AWS region such as "
                        "ap-northeast-2")
    if problems:
        raise ConfigError(problems)
    return _build(values, stack=stack, region=region)


def _build(v: Mapping[str, Any], *, stack: str, region: str) -> StackSettings:
    return StackSettings(
        project=PROJECT, stack=stack, tier=v["tier"], region=region,
        protect_data=v["protectData"], log_retention_days=v["logRetentionDays"],
        network=NetworkSettings(cidr=v["vpcCidr"], az_count=v["azCount"],
                                nat_gateways=v["natGateways"]),
        server=ServerSettings(
            instance_type=v["serverInstanceType"], root_volume_gb=v["serverRootVolumeGb"],
            admin_cidrs=tuple(v["adminCidrs"]), app_image=v["appImage"], app_port=v["appPort"]),
        database=DatabaseSettings(
            instance_class=v["dbInstanceClass"], engine_version=v["dbEngineVersion"],
            allocated_storage=v["dbAllocatedStorage"],
            max_allocated_storage=v["dbMaxAllocatedStorage"],
            backup_retention_days=v["dbBackupRetentionDays"], name=v["dbName"],
            username=v["dbUsername"], multi_az=v["dbMultiAz"],
            read_replicas=v["dbReadReplicas"]),
        cache=CacheSettings(
            node_type=v["cacheNodeType"], engine_version=v["cacheEngineVersion"],
            nodes=v["cacheNodes"], snapshot_retention_days=v["cacheSnapshotRetentionDays"]),
        service=ServiceSettings(
            image=v["appImage"], port=v["appPort"], cpu=v["taskCpu"], memory=v["taskMemory"],
            min_tasks=v["minTasks"], desired_tasks=v["desiredTasks"], max_tasks=v["maxTasks"],
            cpu_target=v["scalingCpuTarget"]),
        rollout=RolloutSettings(
            strategy=v["deploymentStrategy"], canary_percent=float(v["canaryPercent"]),
            canary_bake_minutes=v["canaryBakeMinutes"],
            linear_step_percent=float(v["linearStepPercent"]),
            linear_bake_minutes=v["linearBakeMinutes"], bake_minutes=v["rolloutBakeMinutes"]),
        edge=EdgeSettings(
            price_class=v["cdnPriceClass"], waf_rate_limit=v["wafRateLimit"],
            domain=(DomainSettings(v["domain"], v["hostedZoneId"]) if v["domain"] else None)),
        backup=BackupSettings(retention_days=v["backupRetentionDays"], dr_region=v["drRegion"]),
        monitoring=MonitoringSettings(
            alarm_emails=tuple(v["alarmEmails"]),
            slack=(SlackSettings(v["slackTeamId"], v["slackChannelId"])
                   if v["slackTeamId"] else None),
            thresholds={**ALARM_THRESHOLDS, **(v["alarmThresholds"] or {})}),
    )


def check_zone_count(settings: StackSettings, zones: Sequence[str]) -> None:
    """azCount must not exceed the zones the region offers (known only after the AZ lookup)."""
    if settings.network.az_count > len(zones):
        raise ConfigError([
            f"{PROJECT}:azCount = {settings.network.az_count} is not valid; allowed: at most "
            f"{len(zones)}, the availability zones of {settings.region} ({', '.join(zones)})"])
