"""The typed settings the entry point hands to components, one dataclass per concern.

Components never read Pulumi config; they receive these, already validated by
`config/keys.py`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Optional


@dataclass(frozen=True)
class NetworkSettings:
    cidr: str
    az_count: int
    nat_gateways: int


@dataclass(frozen=True)
class ServerSettings:
    instance_type: str
    root_volume_gb: int
    admin_cidrs: tuple[str, ...]  # the containers it runs are StackSettings.services

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


# Where a `secrets` ARN points: Secrets Manager or Systems Manager Parameter Store.
SECRETS_MANAGER, PARAMETER_STORE = ":secretsmanager:", ":ssm:"


def arns_in(secrets: tuple[tuple[str, str], ...], store: str) -> tuple[str, ...]:
    """The ARNs of `secrets` ((name, ARN) pairs, in their order) that `store` holds."""
    return tuple(arn for _, arn in secrets if store in arn)


@dataclass(frozen=True)
class ServiceSettings:
    """One Fargate service of the scaled tier (`webstack:services.<name>`, or the flat app keys)."""

    image: str
    port: int
    cpu: int
    memory: int
    min_tasks: int
    desired_tasks: int
    max_tasks: int
    cpu_target: int
    name: str = "app"
    health_check_path: str = "/health"
    kind: str = "web"  # web: routed from the edge; internal: called by services; worker: neither
    routes: tuple[str, ...] = ("/api/*",)  # path patterns at the edge (web services only)
    depends_on: tuple[str, ...] = ()  # the services it may call
    environment: tuple[tuple[str, str], ...] = ()  # (name, value), sorted by name
    secrets: tuple[tuple[str, str], ...] = ()  # (name, ARN of a secret or SSM parameter)
    rollout: Optional[RolloutSettings] = None  # its own rollout keys over the stack's; None: the stack's
    alarm_thresholds: tuple[tuple[str, float], ...] = ()  # (alarm, threshold) over the stack's
    # (variable, URL) of each service in depends_on: ("API_URL", "http://api:80")
    callee_urls: tuple[tuple[str, str], ...] = ()

    def thresholds(self, stack: Mapping[str, float]) -> dict[str, float]:
        """Each alarm threshold of this service: its own where it sets one, else the stack's."""
        return {**stack, **dict(self.alarm_thresholds)}

    @property
    def routed(self) -> bool:
        return bool(self.routes)

    @property
    def listens(self) -> bool:
        """Whether other services may call it (a worker listens to nobody)."""
        return self.kind in ("web", "internal")


@dataclass(frozen=True)
class FunctionSettings:
    """One Lambda function of the serverless tier (`webstack:services.<name>`)."""

    name: str
    code: str  # s3://<bucket>/<key> (a zip) or a private ECR image URI
    memory: int  # MB
    timeout: int  # seconds
    runtime: Optional[str]  # zips only; an image brings its own
    handler: Optional[str]
    reserved_concurrency: Optional[int] = None  # None: the account's unreserved pool
    is_async: bool = False  # invoked asynchronously: failed events go to a dead-letter queue
    kind: str = "web"  # web: routed from the API; worker: no route
    routes: tuple[str, ...] = ()  # API paths, e.g. /api/* (web functions only)
    environment: tuple[tuple[str, str], ...] = ()  # (name, value), sorted by name
    secrets: tuple[tuple[str, str], ...] = ()  # (name, ARN), read by the function at runtime

    @property
    def image(self) -> bool:
        return not self.code.startswith("s3://")

    @property
    def s3_location(self) -> tuple[str, str]:
        """(bucket, key) of a zip."""
        bucket, _, key = self.code.removeprefix("s3://").partition("/")
        return bucket, key

    @property
    def routed(self) -> bool:
        return bool(self.routes)


@dataclass(frozen=True)
class ServerlessSettings:
    """The serverless tier: its functions, which data stores it has, how versions roll out and
    how hard the API may be called."""

    functions: tuple[FunctionSettings, ...]  # sorted by name
    sql_database: bool  # PostgreSQL (through RDS Proxy); with it or the cache, functions join the VPC
    redis_cache: bool
    deployment_config: str  # a CodeDeploy Lambda deployment configuration
    api_rate_limit: int  # requests per second, steady
    api_burst_limit: int

    @property
    def in_vpc(self) -> bool:
        return self.sql_database or self.redis_cache


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
class TableSettings:
    """One DynamoDB table (`webstack:tables.<name>`): its key schema and its expiry attribute."""

    name: str
    hash_key: str
    hash_key_type: str = "S"          # S, N or B
    range_key: Optional[str] = None
    range_key_type: str = "S"
    ttl_attribute: Optional[str] = None


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
    services: tuple[ServiceSettings, ...]  # sorted by name; rollout settings are stack-wide
    rollout: RolloutSettings
    edge: EdgeSettings
    backup: BackupSettings
    monitoring: MonitoringSettings
    serverless: Optional[ServerlessSettings] = None  # tier serverless only
    # `monthly-budget.maxMonthlyUsd` of the stack's policy config; None: no AWS Budgets budget.
    monthly_budget_usd: Optional[float] = None
    tables: tuple[TableSettings, ...] = ()  # DynamoDB tables, sorted by name

    @property
    def service(self) -> ServiceSettings:
        """The first service by name (the only one when `services` is unset)."""
        return self.services[0]

    @property
    def name_prefix(self) -> str:
        return f"{self.project}-{self.stack}"
