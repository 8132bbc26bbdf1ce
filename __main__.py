"""webstack: the AWS platform of a web product, sized by the stack's config.

The only place that reads Pulumi config; components receive typed settings.
"""
import functools
import json
from pathlib import Path
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.observability.alarms import Alarms, AlarmsArgs, deployment_alarm_names
from components.observability.alerts import Alerts, AlertsArgs
from components.observability.budget import Budget, BudgetArgs
from components.app.app_config import AppConfig, AppConfigArgs
from components.app.firewall import AppFirewall, AppFirewallArgs
from components.edge.assets import AssetsArgs, AssetsBucket
from components.data.backup import BackupArgs, Backups
from components.data.cache import REDIS_PORT, Cache, CacheArgs
from components.edge.cdn import ApiOrigin, Cdn, CdnArgs
from components.edge.certificates import Certificates, CertificatesArgs
from components.data.immutable_settings import (ImmutableSettings, ImmutableSettingsArgs,
                                                deployed_values, immutable_path)
from config.key_names import key_problem
from config.keys import (SETTINGS, ConfigError, StackSettings, check_immutable, check_zone_count,
                         parse_settings)
from components.observability.dashboard import Dashboard, DashboardArgs
from components.data.database import POSTGRES_PORT, Database, DatabaseArgs
from components.observability.deployment_history import DeploymentHistory, DeploymentHistoryArgs
from components.edge.dns_records import DnsRecords, DnsRecordsArgs
from components.network.flow_logs import FlowLogsArgs
from components.edge.load_balancer import ORIGIN_SECRET_HEADER, LoadBalancer, LoadBalancerArgs
from components.observability.logs_bucket import LogsBucket, LogsBucketArgs
from components.observability.logs_key import LogsKey, LogsKeyArgs
from components.observability.monitored import (LoadBalancerIds, MonitoredResources, ServiceIds,
                                                WatchedService)
from components.network.vpc import Network, NetworkArgs, PrivateSubnetsArgs
from components.app.cluster import Cluster, ClusterArgs
from components.app.registry import Registry, RegistryArgs
from components.app.server import Server, ServerArgs
from components.app.service import Service, ServiceArgs
from components.app.service_firewall import ServiceFirewall, ServiceFirewallArgs
from components.edge.route import Route, RouteArgs
from config.services import rule_priorities
from config.settings import ServiceSettings
from components.edge.waf import Waf, WafArgs


def read_settings() -> StackSettings:
    """The stack's settings, validated; a key the program does not read is refused, not ignored."""
    unknown = [problem for key in sorted(pulumi.runtime.config.CONFIG.get())
               if (problem := key_problem(key))]
    if unknown:
        raise ConfigError(unknown)
    config = pulumi.Config()
    raw = {setting.key: config.get(setting.key) for setting in SETTINGS}
    return parse_settings(raw, stack=pulumi.get_stack(), region=pulumi.Config("aws").get("region"))


def default_tags(settings: StackSettings) -> dict:
    return {"Project": settings.project, "Stack": settings.stack, "Tier": settings.tier,
            "ManagedBy": "pulumi"}


def zones_for(settings: StackSettings, provider: aws.Provider) -> list[str]:
    """The stack's AZs, checked against the region before any resource is registered."""
    zones = aws.get_availability_zones(state="available",
                                       opts=pulumi.InvokeOptions(provider=provider)).names
    check_zone_count(settings, zones)
    return zones[:settings.network.az_count]


def data_stores(settings: StackSettings, network: Network, client_group_id: pulumi.Input[str],
                logs_key: LogsKey, opts: pulumi.ResourceOptions) -> tuple[Database, Cache]:
    """The database and cache in the isolated subnets, reachable from the app's group only."""
    prefix = settings.name_prefix
    database = Database("database", DatabaseArgs(
        prefix, settings.database, network.vpc_id, network.isolated_subnet_ids, client_group_id,
        settings.log_retention_days, logs_key.arn, settings.protect_data, settings.region,
        rotation_subnet_ids=network.private_subnet_ids), opts)
    cache = Cache("cache", CacheArgs(
        prefix, settings.cache, network.vpc_id, network.isolated_subnet_ids, client_group_id,
        settings.protect_data), opts)
    return database, cache


def tagged_provider(name: str, region: str, settings: StackSettings) -> aws.Provider:
    return aws.Provider(name, region=region,
                        default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(settings)))


def recovery(settings: StackSettings, backed_up: list, alerts: Alerts,
             opts: pulumi.ResourceOptions) -> dict:
    """Daily AWS Backup of the stateful resources, and the deployment history table."""
    dr_region = settings.backup.dr_region
    backups = Backups("backup", BackupArgs(
        settings.name_prefix, settings.backup, backed_up, settings.protect_data,
        dr_provider=tagged_provider("aws-dr", dr_region, settings) if dr_region else None,
        alert_topic_arn=alerts.topic_arn), opts)
    history = DeploymentHistory("deployments", DeploymentHistoryArgs(
        settings.name_prefix, settings.protect_data), opts)
    dr_outputs = ({"drRegion": dr_region, "drBackupVaultName": backups.dr_vault_name}
                  if dr_region else {})
    return {"backupVaultName": backups.vault_name,
            # A string, as every output is: `python -m ops backups check` compares it with int().
            "backupRetentionDays": str(settings.backup.retention_days),
            "deploymentHistoryTable": history.table_name, **dr_outputs}


def operated(settings: StackSettings, cdn: Cdn, database: Database, cache: Cache) -> dict:
    """The ids `python -m ops` reads from the stack outputs (status, backups check, drills)."""
    domain = settings.edge.domain
    return {"databaseInstanceId": database.instance.identifier,
            "cacheReplicationGroupId": cache.replication_group.id,
            "cdnDistributionId": cdn.distribution.id,
            **({"hostedZoneId": domain.hosted_zone_id} if domain else {})}


def watched(settings: StackSettings, cdn: Cdn, database: Database, cache: Cache,
            **compute) -> MonitoredResources:
    """The stack's components as CloudWatch names them; `compute` is the tier's own."""
    members = cache.replication_group.member_clusters
    return MonitoredResources(
        cdn.distribution.id,
        [database.instance.identifier, *(replica.identifier for replica in database.replicas)],
        settings.database.allocated_storage,
        [members.apply(lambda ids, n=n: sorted(ids)[n]) for n in range(settings.cache.nodes)],
        **compute)


def alerting(settings: StackSettings, us_east_1: aws.Provider,
             opts: pulumi.ResourceOptions) -> Alerts:
    """The topics alarms and failed backups notify, delivered by e-mail (and Slack)."""
    return Alerts("alerts", AlertsArgs(settings.name_prefix, settings.region, settings.monitoring,
                                       us_east_1), opts)


def monitoring(settings: StackSettings, resources: MonitoredResources, alerts: Alerts,
               us_east_1: aws.Provider, opts: pulumi.ResourceOptions) -> dict:
    """Alarms on every component; the stack's dashboard."""
    prefix = settings.name_prefix
    alarms = Alarms("alarms", AlarmsArgs(
        prefix, settings.monitoring.thresholds, resources, alerts.topic_arn,
        alerts.us_east_1_topic_arn, us_east_1), opts)
    dashboard = Dashboard("dashboard", DashboardArgs(
        prefix, settings.region, resources, [alarm.arn for alarm in alarms.regional_alarms]), opts)
    limit = monthly_budget_usd(settings.stack)
    if limit is not None:
        Budget("budget", BudgetArgs(prefix, settings.stack, limit, alerts.topic_arn,
                                   [alerts.topic_policy]), opts)
    return {"dashboardUrl": dashboard.url, "alarmTopicArn": alerts.topic_arn}


@functools.lru_cache(maxsize=None)
def monthly_budget_usd(stack: str) -> Optional[float]:
    """The stack's monthly budget: `monthly-budget.maxMonthlyUsd` of its policy config, so the
    preview's budget check and the AWS Budgets alerts on real spend use one number."""
    path = Path(__file__).resolve().parent / "policies" / "config" / f"{stack}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8")).get("monthly-budget") if path.exists() else None
    except (ValueError, AttributeError):
        raise ConfigError([f"policies/config/{stack}.json is not a JSON object; it sets the stack's "
                           "budget (monthly-budget.maxMonthlyUsd)"]) from None
    limit = entry.get("maxMonthlyUsd") if isinstance(entry, dict) else None
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit <= 0):
        raise ConfigError([f"monthly-budget.maxMonthlyUsd = {json.dumps(limit)} in policies/config/{stack}.json "
                           "is not valid; allowed: a number of USD > 0 (the stack's AWS Budgets budget)"])
    return limit


def build_mvp(settings: StackSettings, provider: aws.Provider) -> dict:
    prefix = settings.name_prefix
    opts = pulumi.ResourceOptions(providers=[provider])
    parameter_path = f"/{settings.project}/{settings.stack}"
    zones = zones_for(settings, provider)
    # CloudFront's metrics, so its alarm and the topic that alarm notifies, live in us-east-1.
    us_east_1 = tagged_provider("aws-us-east-1", "us-east-1", settings)

    logs_key = LogsKey("logs", LogsKeyArgs(prefix, settings.region), opts)
    alerts = alerting(settings, us_east_1, opts)
    network = Network("network", NetworkArgs(prefix, settings.network.cidr, zones), opts)
    assets = AssetsBucket("assets", AssetsArgs(prefix, protect=settings.protect_data), opts)
    cdn = Cdn("cdn", CdnArgs(prefix, assets, settings.edge.price_class), opts)
    server = Server("backend", ServerArgs(
        prefix, settings.server, settings.region, network.vpc_id, network.public_subnet_ids[0],
        parameter_path, settings.log_retention_days, logs_key.arn), opts)
    database, cache = data_stores(settings, network, server.security_group.id, logs_key, opts)
    AppConfig("app-config", AppConfigArgs(
        parameter_path,
        values={"database/endpoint": database.endpoint, "database/name": settings.database.name,
                "database/secret-arn": database.master_secret_arn,
                "cache/endpoint": cache.endpoint, "cache/auth-secret-arn": cache.auth_secret_arn},
        secret_arns=(database.master_secret_arn, cache.auth_secret_arn),
        reader_role_name=server.role.name), opts)

    return {"siteUrl": cdn.url, "assetsBucket": assets.bucket_name,
            "backendUrl": server.url, "backendPublicIp": server.public_ip,
            "databaseEndpoint": database.endpoint, "cacheEndpoint": cache.endpoint,
            # The instance's backups cover its EBS volumes.
            **recovery(settings, [database.instance.arn, server.instance.arn], alerts, opts),
            **operated(settings, cdn, database, cache),
            **monitoring(settings, watched(settings, cdn, database, cache,
                                           server_instance_id=server.instance.id),
                         alerts, us_east_1, opts)}


def build_scaled(settings: StackSettings, provider: aws.Provider) -> dict:
    prefix = settings.name_prefix
    opts = pulumi.ResourceOptions(providers=[provider])
    domain = settings.edge.domain
    zones = zones_for(settings, provider)
    # CloudFront's WAF and certificate must live in us-east-1, whatever the stack's region.
    us_east_1 = tagged_provider("aws-us-east-1", "us-east-1", settings)

    logs_key = LogsKey("logs", LogsKeyArgs(prefix, settings.region), opts)
    alerts = alerting(settings, us_east_1, opts)
    network = Network("network", NetworkArgs(
        prefix, settings.network.cidr, zones,
        private=PrivateSubnetsArgs(settings.network.nat_gateways, settings.region),
        flow_logs=FlowLogsArgs(prefix, settings.log_retention_days, logs_key.arn)), opts)
    logs = LogsBucket("logs", LogsBucketArgs(prefix, settings.log_retention_days, settings.region),
                      opts)
    assets = AssetsBucket("assets", AssetsArgs(prefix, protect=settings.protect_data), opts)
    certificates = (Certificates("certificates", CertificatesArgs(domain, us_east_1), opts)
                    if domain else None)
    routed = [service for service in settings.services if service.routed]
    load_balancer = LoadBalancer("api", LoadBalancerArgs(
        prefix, network.vpc_id, settings.network.cidr, network.public_subnet_ids,
        [service.port for service in routed],
        certificates.origin_certificate_arn if certificates else None,
        logs, deletion_protection=settings.protect_data), opts)
    waf, cdn = edge(settings, assets, load_balancer, certificates, us_east_1, opts)

    app_firewall = AppFirewall("app-firewall", AppFirewallArgs(
        prefix, network.vpc_id, settings.network.cidr), opts)
    database, cache = data_stores(settings, network, app_firewall.id, logs_key, opts)
    cluster = Cluster("app", ClusterArgs(prefix, settings.log_retention_days, logs_key.arn), opts)
    firewalls = service_firewalls(settings, network, load_balancer, opts)
    priorities = rule_priorities(settings.services)
    services, repositories, watched_services = {}, {}, []
    for config in settings.services:
        route = (Route(config.name, RouteArgs(
            load_balancer, network.vpc_id, config.port, config.health_check_path, config.routes,
            priorities[config.name], alternate_target_group=settings.rollout.shifts_traffic),
            opts) if config.routed else None)
        repositories[config.name] = Registry(f"{config.name}-registry",
                                             RegistryArgs(prefix, config.name), opts)
        service = app_service(settings, config, network, cluster, route,
                              [app_firewall.id, firewalls[config.name].id], database, cache,
                              logs_key, opts)
        services[config.name] = service
        watched_services.append(WatchedService(
            config.name, ServiceIds(service.cluster_name, service.service_name),
            [group.arn_suffix for group in route.target_groups] if route else []))
    resources = watched(settings, cdn, database, cache,
                        load_balancer=LoadBalancerIds(load_balancer.alb.arn_suffix, [
                            suffix for watched_service in watched_services
                            for suffix in watched_service.target_group_arn_suffixes]),
                        services=watched_services)
    first = settings.service.name

    return {"siteUrl": cdn.url, "apiUrl": pulumi.Output.concat(cdn.url, "/api/"),
            "albDnsName": load_balancer.dns_name, "assetsBucket": assets.bucket_name,
            "logsBucket": logs.bucket_name,
            "ecrRepositoryUrl": repositories[first].repository_url,
            "clusterName": services[first].cluster_name,
            "serviceName": services[first].service_name,
            # Every service by name: `serviceName` and `ecrRepositoryUrl` are the first one's.
            "serviceNames": pulumi.Output.json_dumps(
                {name: service.service_name for name, service in services.items()}),
            "ecrRepositoryUrls": pulumi.Output.json_dumps(
                {name: registry.repository_url for name, registry in repositories.items()}),
            "databaseEndpoint": database.endpoint,
            "databaseReaderEndpoint": database.reader_endpoint,
            "cacheEndpoint": cache.endpoint, "webAclArn": waf.arn,
            **recovery(settings, [database.instance.arn], alerts, opts),
            **operated(settings, cdn, database, cache),
            **monitoring(settings, resources, alerts, us_east_1, opts)}


def service_firewalls(settings: StackSettings, network: Network, load_balancer: LoadBalancer,
                      opts: pulumi.ResourceOptions) -> dict[str, ServiceFirewall]:
    """Each service's group, admitting the ALB (web services) and exactly its declared callers."""
    firewalls = {service.name: ServiceFirewall(f"{service.name}-firewall", ServiceFirewallArgs(
        settings.name_prefix, service.name, network.vpc_id, service.port,
        load_balancer.security_group.id if service.routed else None), opts)
        for service in settings.services}
    for caller in settings.services:
        for callee in caller.depends_on:
            firewalls[callee].admit(caller.name, firewalls[caller.name])
    return firewalls


def edge(settings: StackSettings, assets: AssetsBucket, load_balancer: LoadBalancer,
         certificates: Optional[Certificates], us_east_1: aws.Provider,
         opts: pulumi.ResourceOptions) -> tuple[Waf, Cdn]:
    """CloudFront behind the WAF: the services' routes to the ALB, the rest (or `/assets/*` when a
    service takes `/*`) from the assets bucket; the domain's records."""
    prefix, domain = settings.name_prefix, settings.edge.domain
    waf = Waf("waf", WafArgs(prefix, settings.edge.waf_rate_limit, us_east_1), opts)
    cdn = Cdn("cdn", CdnArgs(
        prefix, assets, settings.edge.price_class,
        api=ApiOrigin(domain.api_origin if domain else load_balancer.dns_name,
                      load_balancer.https, ORIGIN_SECRET_HEADER, load_balancer.origin_secret,
                      paths=[route for service in settings.services
                             for route in service.routes]),
        web_acl_arn=waf.arn, aliases=[domain.name] if domain else [],
        certificate_arn=certificates.site_certificate_arn if certificates else None), opts)
    if domain:
        DnsRecords("dns", DnsRecordsArgs(domain, cdn.domain_name, cdn.hosted_zone_id,
                                         load_balancer.dns_name, load_balancer.alb.zone_id), opts)
    return waf, cdn


def app_service(settings: StackSettings, config: ServiceSettings, network: Network,
                cluster: Cluster, route: Optional[Route], security_group_ids: list,
                database: Database, cache: Cache, logs_key: LogsKey,
                opts: pulumi.ResourceOptions) -> Service:
    """One service on Fargate in the private subnets, wired to the data stores and its rollout
    alarms; a service without a route rolls (traffic shifting needs its target groups)."""
    return Service(config.name, ServiceArgs(
        settings.name_prefix, config, settings.region, network.vpc_id,
        network.private_subnet_ids, security_group_ids, cluster, route,
        settings.log_retention_days, logs_key.arn,
        environment=app_environment(settings, database, cache),
        secrets=app_secrets(cache), secret_arns=(cache.auth_secret_arn,),
        runtime_secret_arns=(database.master_secret_arn,),
        rollout=settings.rollout if route else None,
        deployment_alarm_names=deployment_alarm_names(settings.name_prefix, config.name,
                                                      config.routed)), opts)


def app_environment(settings: StackSettings, database: Database, cache: Cache) -> dict:
    """The database password is rotated every 7 days while tasks run for longer, so the app gets
    the secret's ARN and reads the secret when it opens a connection (ECS would resolve an
    injected value only at task start, leaving running tasks with a stale password)."""
    return {"DATABASE_HOST": database.endpoint, "DATABASE_READER_HOST": database.reader_endpoint,
            "DATABASE_NAME": settings.database.name, "DATABASE_PORT": str(POSTGRES_PORT),
            "DATABASE_SECRET_ARN": database.master_secret_arn,
            "REDIS_HOST": cache.endpoint, "REDIS_PORT": str(REDIS_PORT), "REDIS_TLS": "true"}


def app_secrets(cache: Cache) -> dict:
    """ECS reads these from Secrets Manager when a task starts; they never sit in the task
    definition. The Redis AUTH token is not rotated, so a value read at start stays valid."""
    return {"REDIS_AUTH_TOKEN": cache.auth_secret_arn}


BUILDERS = {"mvp": build_mvp, "scaled": build_scaled}


def immutable_values(settings: StackSettings) -> dict[str, str]:
    return {"dbName": settings.database.name, "dbUsername": settings.database.username,
            "vpcCidr": settings.network.cidr, "dbEngineVersion": settings.database.engine_version}


def main() -> None:
    settings = read_settings()
    monthly_budget_usd(settings.stack)  # a bad budget fails here, before any resource
    provider = tagged_provider("aws", settings.region, settings)
    # A key the deployed stack cannot change is refused before anything is registered.
    path = immutable_path(settings.project, settings.stack)
    check_immutable(immutable_values(settings), deployed_values(path, provider))
    outputs = BUILDERS[settings.tier](settings, provider)
    # Recorded last, so that a run refused for another reason records nothing.
    ImmutableSettings("immutable-settings", ImmutableSettingsArgs(path, immutable_values(settings)),
                      pulumi.ResourceOptions(providers=[provider]))
    pulumi.export("tier", settings.tier)
    pulumi.export("region", settings.region)
    for name, value in outputs.items():
        pulumi.export(name, value)


main()
