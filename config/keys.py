"""The stack configuration: every key webstack reads, its type, default and rule, and the parser.

Only `__main__.py` touches `pulumi.Config`; it hands the raw strings to `parse_settings`, which
returns typed, validated settings (config/settings.py) or raises one `ConfigError` listing
every bad key — before a single resource is registered. What each key allows lives in
config/rules.py.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Optional, Sequence

from pulumi import RunError

from config.catalogs import EC2_INSTANCE_TYPES, ELASTICACHE_NODE_TYPES, RDS_POSTGRES_CLASSES
from config.regions import zone_names
from config.rules import (ALARM_THRESHOLDS, ALARM_TIERS, CLOUDFRONT_PRICE_CLASSES,
                          DEPLOYMENT_STRATEGIES, FARGATE_MEMORY, LOG_RETENTION_DAYS,
                          MAX_BAKE_MINUTES, alarm_thresholds, alarms_of_tier, aws_region,
                          cidr_list, container_image, db_name, db_username, decimal_in,
                          domain_name, email_list, hosted_zone_id, in_range, instance_type,
                          object_of_numbers, one_of, postgres_version, redis_version, slack_id,
                          vpc_cidr)
from config.functions import RUNTIMES, handler_rule, parse_functions
from config.service_overrides import ROLLOUT_KEYS, rollout_of
from config.instance_services import default_instance_service
from config.services import ServicesError, default_service, load_object, parse_services
from config.settings import (BackupSettings, CacheSettings, DatabaseSettings, DomainSettings,
                                 EdgeSettings, FunctionSettings, MonitoringSettings,
                                 NetworkSettings, ServerSettings, ServerlessSettings,
                                 ServiceSettings, SlackSettings,
                                 StackSettings)
from config.tables import TablesError, load_tables, parse_tables

PROJECT = "webstack"
TIERS = ("mvp", "scaled", "serverless")
# https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html:
# the predefined deployment configurations of the AWS Lambda compute platform.
LAMBDA_DEPLOYMENT_CONFIGS = tuple(f"CodeDeployDefault.Lambda{name}" for name in (
    "Canary10Percent5Minutes", "Canary10Percent10Minutes", "Canary10Percent15Minutes",
    "Canary10Percent30Minutes", "Linear10PercentEvery1Minute", "Linear10PercentEvery2Minutes",
    "Linear10PercentEvery3Minutes", "Linear10PercentEvery10Minutes", "AllAtOnce"))
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html: an account's
# throttle quota per region is 10,000 requests per second with a burst of 5,000.
API_RATE_LIMIT, API_BURST_LIMIT = 10_000, 5_000


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
    type: str  # the Pulumi.yaml schema type: string, integer, boolean, array or object
    default: Any
    description: str
    rule: Optional[Callable[[Any], Optional[str]]] = None  # returns what is allowed, or None if ok
    # Reads a structured value the key keeps as text (the CLI's schema has no object type).
    parse: Optional[Callable[[Any], Any]] = None
    example: Optional[str] = None  # an array key's example value, shown when the JSON is wrong


SETTINGS: tuple[Setting, ...] = (
    Setting("tier", "string", REQUIRED,
            "Platform shape: 'mvp' (S3+CloudFront, one EC2 backend, small RDS and Redis), "
            "'scaled' (multi-AZ VPC, ALB, ECS Fargate, RDS Multi-AZ, Redis failover, WAF) or "
            "'serverless' (CloudFront, WAF, API Gateway, Lambda functions shifted by CodeDeploy, "
            "optionally RDS and Redis).",
            one_of(*TIERS)),
    Setting("vpcCidr", "string", "10.0.0.0/16",
            "IPv4 range of the VPC (/16 to /22); each subnet gets 1/32 of it. Immutable once "
            "deployed.", vpc_cidr),
    Setting("azCount", "integer", 2,
            "Availability zones the VPC spans (2 or more: RDS and ALB need two).", in_range(2, 6)),
    Setting("serverInstanceType", "string", "t3.micro",
            "EC2 instance type of the MVP backend (Graviton 'g' families get an arm64 AMI).",
            instance_type("", EC2_INSTANCE_TYPES)),
    Setting("serverRootVolumeGb", "integer", 20,
            "Size of the backend's encrypted gp3 root volume, in GiB.", in_range(8, 16384)),
    Setting("adminCidrs", "array", [],
            "CIDRs allowed to reach the backend on SSH (22). Empty: no SSH, use Session Manager.",
            cidr_list, example='["203.0.113.7/32"]'),
    Setting("appImage", "string", "public.ecr.aws/nginx/nginx:stable",
            "Container image of the backend application.", container_image),
    Setting("appPort", "integer", 80,
            "Port the backend container listens on.", in_range(1, 65535)),
    Setting("dbInstanceClass", "string", "db.t3.micro",
            "RDS PostgreSQL instance class (dev db.t3.micro, staging db.t3.small, prod db.t3.large).",
            instance_type("db.", RDS_POSTGRES_CLASSES)),
    Setting("dbEngineVersion", "string", "16",
            "PostgreSQL engine version (major, or major.minor); a higher major upgrades in place, "
            "a lower one is refused.", postgres_version),
    Setting("dbAllocatedStorage", "integer", 20,
            "Initial gp3 storage of the database, in GB (dev 20, staging/prod 100).",
            in_range(20, 65536)),
    Setting("dbMaxAllocatedStorage", "integer", 100,
            "Storage autoscaling ceiling in GB (prod 1000); 0 turns autoscaling off.",
            in_range(0, 65536)),
    Setting("dbBackupRetentionDays", "integer", 7,
            "Days RDS keeps automated backups (7 to 35; prod 30).", in_range(7, 35)),
    Setting("dbName", "string", "app", "Name of the application database. Immutable once "
            "deployed.", db_name),
    Setting("dbUsername", "string", "webstack_admin",
            "Master user name; its password is generated and kept in Secrets Manager (by RDS, or "
            "with read replicas by the stack). Immutable once deployed.", db_username),
    Setting("dbMultiAz", "boolean", False, "Run the database with a Multi-AZ standby."),
    Setting("cacheNodeType", "string", "cache.t3.micro",
            "ElastiCache node type (dev cache.t3.micro, staging cache.t3.small, prod cache.m6g.large).",
            instance_type("cache.", ELASTICACHE_NODE_TYPES)),
    Setting("cacheEngineVersion", "string", "7.1", "Redis engine version.", redis_version),
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
            "subscription once per alarm topic).", email_list,
            example='["oncall@example.com"]'),
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
    Setting("lambdaMemoryMb", "integer", 512,
            "Serverless tier: memory of a function in MB unless it sets its own (128 to 10240; "
            "seed 000: dev 512, staging 1024, prod 2048).", in_range(128, 10240)),
    Setting("lambdaTimeoutSeconds", "integer", 29,
            "Serverless tier: a function's timeout in seconds unless it sets its own (1 to 900; "
            "29 at most for a function API Gateway calls).", in_range(1, 900)),
    Setting("lambdaRuntime", "string", "nodejs22.x",
            "Serverless tier: the runtime of a function shipped as a zip unless it sets its own.",
            one_of(*RUNTIMES)),
    Setting("lambdaHandler", "string", "index.handler",
            "Serverless tier: the entry point of a function shipped as a zip unless it sets its "
            "own.", handler_rule),
    Setting("lambdaDeploymentConfig", "string",
            "CodeDeployDefault.LambdaCanary10Percent30Minutes",
            "Serverless tier: how CodeDeploy shifts traffic to a new function version (seed 000: "
            "10 % for 30 minutes, then all); rolled back on failure or alarm.",
            one_of(*LAMBDA_DEPLOYMENT_CONFIGS)),
    Setting("sqlDatabase", "boolean", True,
            "The PostgreSQL database (and, in the serverless tier, the VPC the functions join to "
            "reach it). Only the serverless tier may turn it off (seed 003 keeps its data in "
            "DynamoDB)."),
    Setting("redisCache", "boolean", True,
            "The Redis cache. Only the serverless tier may turn it off."),
    Setting("apiThrottleRateLimit", "integer", 500,
            "Serverless tier: requests per second API Gateway lets through, steady (the account "
            "allows 10,000 per region).", in_range(1, API_RATE_LIMIT)),
    Setting("apiThrottleBurstLimit", "integer", 1000,
            "Serverless tier: requests API Gateway lets through at once above the steady rate "
            "(the account allows 5,000).", in_range(1, API_BURST_LIMIT)),
    Setting("services", "object", OPTIONAL,
            "The product's services by name, each with image, port, healthCheckPath, cpu, "
            "memory, minTasks, desiredTasks, maxTasks, cpuTarget (each defaults to its flat "
            "key: appImage, appPort, taskCpu…), kind (web, internal or worker), routes (path "
            "patterns at the edge, web only), dependsOn (the services it may call), environment "
            "(name → value), secrets (name → ARN of a Secrets Manager secret or SSM "
            "parameter), and on the scaled tier its own rollout keys (deploymentStrategy, "
            "canaryPercent…) and alarmThresholds over the stack's. Scaled tier: Fargate "
            "services; MVP: containers on the instance behind nginx, cpu and memory their Docker "
            "limits. Unset: one web service `app` from the flat keys, at /api/* (MVP: at /*, "
            "with the whole instance). Serverless tier (required there): Lambda functions, each "
            "with memory, timeout, reservedConcurrency, code, runtime, handler, async, kind (web "
            "or worker), routes, environment and secrets.",
            parse=load_object),
    Setting("tables", "object", OPTIONAL,
            "Serverless tier: the product's DynamoDB tables by name, each with hashKey, "
            "hashKeyType (S, N or B; S), rangeKey, rangeKeyType and ttlAttribute; on demand, "
            "point-in-time recovery, encrypted with the stack's own KMS key, deletion protection "
            "with protectData. Unset: no tables.", parse=load_tables),
    Setting("protectData", "boolean", True,
            "Protect stateful resources: Pulumi protect plus AWS deletion protection. "
            "Final snapshots are taken either way."),
)
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


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
        text = str(raw).strip()
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise ValueError("an integer")
        return int(text)
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
            raise ValueError(f"a JSON list of strings, e.g. {setting.example}") from None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"a list of strings, e.g. {setting.example}")
        return value
    raise AssertionError(f"unknown setting type {setting.type}")


def checked_value(key: str, raw: Any) -> tuple[Any, Optional[str]]:
    """`raw` read as the key's type and judged by its rule: (value, None), or (None, what the key
    allows)."""
    setting = SETTINGS_BY_KEY[key]
    try:
        value = _convert(setting, raw)
    except ValueError as err:
        return None, str(err)
    allowed = setting.rule(value) if setting.rule else None
    return (None, allowed) if allowed else (value, None)


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
        value, allowed = checked_value(setting.key, given)
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
    problems += _data_store_problems(v)
    if v.get("tier") == "mvp" and v.get("dbReadReplicas", 0) > 0:
        problems.append(f"{PROJECT}:dbReadReplicas = {v['dbReadReplicas']} is not valid with "
                        f"{PROJECT}:tier = 'mvp'; allowed: 0 (a primary with replicas keeps its "
                        "password in a secret whose rotation function runs in the scaled tier's "
                        "private subnets)")
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


def _data_store_problems(v: Mapping[str, Any]) -> list[str]:
    """The MVP and scaled tiers always build both data stores; the serverless tier has no
    custom domain yet."""
    tier = v.get("tier")
    if tier == "serverless" and v.get("domain"):
        return [f"{PROJECT}:domain = {v['domain']!r} is not valid with {PROJECT}:tier = "
                "'serverless'; allowed: unset (the serverless tier runs on CloudFront's own "
                "domain; its certificates and records are not built yet)"]
    if tier not in ("mvp", "scaled"):
        return []
    return [f"{PROJECT}:{key} = false is not valid with {PROJECT}:tier = {tier!r}; allowed: true "
            "(only the serverless tier runs without it)"
            for key in ("sqlDatabase", "redisCache") if v.get(key) is False]


def _slack_problems(v: Mapping[str, Any]) -> list[str]:
    team, channel = v.get("slackTeamId"), v.get("slackChannelId")
    if (team is None) == (channel is None):
        return []
    given, missing = (("slackTeamId", "slackChannelId") if channel is None
                      else ("slackChannelId", "slackTeamId"))
    return [f"{PROJECT}:{given} = {v[given]!r} needs {PROJECT}:{missing} as well; allowed: both "
            "set (alarms also go to that Slack channel) or neither (no Slack)"]


def _region_problems(v: Mapping[str, Any], region: Optional[str]) -> list[str]:
    """aws:region is a region we know; azCount fits in its zones; drRegion is another region."""
    if region is None:
        return ["aws:region is required but not set; allowed: an AWS region such as "
                "ap-northeast-2"]
    allowed = aws_region(region)
    if allowed:
        return [f"aws:region = {region!r} is not valid; allowed: {allowed}"]
    problems = []
    zones = zone_names(region)
    if v.get("azCount", 0) > len(zones):
        problems.append(f"{PROJECT}:azCount = {v['azCount']} is not valid; allowed: at most "
                        f"{len(zones)}, the availability zones of {region} ({', '.join(zones)})")
    if v.get("drRegion") == region:
        problems.append(f"{PROJECT}:drRegion = {region!r} is not valid; allowed: a region other "
                        f"than the stack's aws:region ({region})")
    return problems


def _threshold_tier_problems(v: Mapping[str, Any]) -> list[str]:
    """A threshold for an alarm the stack's tier does not have would be silently ignored."""
    tier, given = v.get("tier"), v.get("alarmThresholds") or {}
    foreign = [name for name in given if tier and tier not in ALARM_TIERS[name]]
    if not foreign:
        return []
    return [f"{PROJECT}:alarmThresholds sets {', '.join(foreign)}, which the {tier} tier has no "
            f"alarm for; allowed with {PROJECT}:tier = {tier!r}: "
            f"{', '.join(alarms_of_tier(tier))}"]


def parse_settings(raw: Mapping[str, Any], *, stack: str, region: Optional[str]) -> StackSettings:
    """Validates raw config (key → string as Pulumi passes it) into StackSettings, or raises."""
    values, problems = _read_values(raw)
    refused = [s.key for s in SETTINGS if raw.get(s.key) is not None and s.key not in values]
    # A rule across keys is judged only when every key it names holds a valid value.
    problems += [p for p in _combination_problems(values) + _threshold_tier_problems(values)
                 if not any(re.search(rf"{PROJECT}:{key}\b", p) for key in refused)]
    problems += _region_problems(values, region)
    services = _services(values, problems)
    functions = _functions(values, stack, region, problems)
    tables = _tables(values, problems)
    if problems:
        raise ConfigError(problems)
    return replace(_build(values, services, stack=stack, region=region, functions=functions),
                   tables=tables)


def _tables(values: Mapping[str, Any], problems: list[str]) -> tuple:
    """`tables` when set (its problems appended to `problems`), else none."""
    if values.get("tables") is None:
        return ()
    try:
        return parse_tables(values["tables"], values.get("tier"))
    except TablesError as err:
        problems += err.problems
        return ()


FUNCTION_FLAT_KEYS = ("lambdaMemoryMb", "lambdaTimeoutSeconds", "lambdaRuntime", "lambdaHandler")
# https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html: a function name alone is
# at most 64 characters.
MAX_FUNCTION_NAME = 64


def _functions(values: Mapping[str, Any], stack: str, region: Optional[str],
               problems: list[str]) -> tuple[FunctionSettings, ...]:
    """The serverless tier's functions (`services`, required there), problems appended."""
    if values.get("tier") != "serverless" or any(k not in values for k in FUNCTION_FLAT_KEYS):
        return ()
    if values.get("services") is None:
        problems.append(f"{PROJECT}:services is required with {PROJECT}:tier = 'serverless'; "
                        "allowed: the product's Lambda functions by name, e.g. "
                        '{"api": {"routes": ["/api/*"], "code": "s3://my-artifacts/api.zip"}}')
        return ()
    try:
        functions = parse_functions(values["services"], values, region)
    except ServicesError as err:
        problems += err.problems
        return ()
    problems += [f"{PROJECT}:services.{f.name}: the function name {PROJECT}-{stack}-{f.name} is "
                 f"{len(f'{PROJECT}-{stack}-{f.name}')} characters; allowed: at most "
                 f"{MAX_FUNCTION_NAME} (Lambda's limit): a shorter function or stack name"
                 for f in functions if len(f"{PROJECT}-{stack}-{f.name}") > MAX_FUNCTION_NAME]
    return functions


def _services(values: Mapping[str, Any], problems: list[str]) -> tuple[ServiceSettings, ...]:
    """`services` when set (its problems appended to `problems`), else the one default service."""
    flat_keys = ("appImage", "appPort", "taskCpu", "taskMemory", "minTasks", "desiredTasks",
                 "maxTasks", "scalingCpuTarget", "tier", *ROLLOUT_KEYS)
    if values.get("tier") == "serverless":
        return ()  # its services are functions (_functions)
    # On the MVP the services share the instance: its type bounds their sizes.
    flat_keys += ("serverInstanceType",) if values.get("tier") == "mvp" else ()
    if any(key not in values for key in flat_keys):
        return ()
    if values.get("services") is None:
        return ((default_instance_service(values),) if values["tier"] == "mvp"
                else (default_service(values),))
    try:
        return parse_services(values["services"], values, checked_value)
    except ServicesError as err:
        problems += err.problems
        return ()


def _build(v: Mapping[str, Any], services: tuple[ServiceSettings, ...], *, stack: str,
           region: str, functions: tuple[FunctionSettings, ...] = ()) -> StackSettings:
    return StackSettings(
        project=PROJECT, stack=stack, tier=v["tier"], region=region,
        protect_data=v["protectData"], log_retention_days=v["logRetentionDays"],
        network=NetworkSettings(cidr=v["vpcCidr"], az_count=v["azCount"],
                                nat_gateways=v["natGateways"]),
        server=ServerSettings(
            instance_type=v["serverInstanceType"], root_volume_gb=v["serverRootVolumeGb"],
            admin_cidrs=tuple(v["adminCidrs"])),
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
        services=services,
        rollout=rollout_of(v),
        edge=EdgeSettings(
            price_class=v["cdnPriceClass"], waf_rate_limit=v["wafRateLimit"],
            domain=(DomainSettings(v["domain"], v["hostedZoneId"]) if v["domain"] else None)),
        backup=BackupSettings(retention_days=v["backupRetentionDays"], dr_region=v["drRegion"]),
        monitoring=MonitoringSettings(
            alarm_emails=tuple(v["alarmEmails"]),
            slack=(SlackSettings(v["slackTeamId"], v["slackChannelId"])
                   if v["slackTeamId"] else None),
            thresholds={**ALARM_THRESHOLDS, **(v["alarmThresholds"] or {})}),
        serverless=ServerlessSettings(
            functions=functions, sql_database=v["sqlDatabase"], redis_cache=v["redisCache"],
            deployment_config=v["lambdaDeploymentConfig"],
            api_rate_limit=v["apiThrottleRateLimit"],
            api_burst_limit=v["apiThrottleBurstLimit"]) if v["tier"] == "serverless" else None,
    )


# Keys a deployed stack cannot change: what changing them would do instead.
IMMUTABLE_KEYS = {
    "dbName": "RDS would replace the database (a new, empty instance)",
    "dbUsername": "RDS would replace the database (a new, empty instance)",
    "vpcCidr": "the VPC and everything in it would be replaced, the database and cache included",
}


def check_immutable(current: Mapping[str, str], deployed: Mapping[str, str]) -> None:
    """Refuses a change to a key the stack was created with, and a major engine downgrade RDS
    cannot do; `deployed` holds the values recorded at the last `pulumi up` (empty at first)."""
    problems = [f"{PROJECT}:{key} = {current[key]!r} is not valid; allowed: {deployed[key]!r}, the "
                f"value this stack was created with ({why} if it changed; to use another value, "
                "create a new stack and move the data)"
                for key, why in IMMUTABLE_KEYS.items()
                if key in deployed and key in current and current[key] != deployed[key]]
    version, before = current.get("dbEngineVersion"), deployed.get("dbEngineVersion")
    if version and before and _major(version) < _major(before):
        problems.append(f"{PROJECT}:dbEngineVersion = {version!r} is not valid; allowed: "
                        f"{_major(before)} or later (the database runs {before!r}; RDS upgrades "
                        "major versions but cannot downgrade them)")
    if problems:
        raise ConfigError(problems)


def _major(version: str) -> int:
    return int(version.split(".")[0])


def check_zone_count(settings: StackSettings, zones: Sequence[str]) -> None:
    """azCount must not exceed the zones the region offers (known only after the AZ lookup)."""
    if settings.network.az_count > len(zones):
        raise ConfigError([
            f"{PROJECT}:azCount = {settings.network.az_count} is not valid; allowed: at most "
            f"{len(zones)}, the availability zones of {settings.region} ({', '.join(zones)})"])
