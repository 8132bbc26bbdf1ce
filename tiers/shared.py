"""What every tier builds the same way: tagged providers, the stack's zones, the data stores,
backups, alerts, alarms and the dashboard, and the outputs `python -m ops` reads."""
import pulumi
import pulumi_aws as aws

from components.data.backup import BackupArgs, Backups
from components.data.cache import Cache, CacheArgs
from components.data.database import Database, DatabaseArgs
from components.edge.cdn import Cdn
from components.edge.waf import Waf, WafArgs, WafLoggingArgs
from components.network.vpc import Network
from components.observability.alarms import Alarms, AlarmsArgs
from components.observability.alerts import Alerts, AlertsArgs
from components.observability.budget import Budget, BudgetArgs
from components.observability.dashboard import Dashboard, DashboardArgs
from components.observability.deployment_history import DeploymentHistory, DeploymentHistoryArgs
from components.observability.logs_key import LogsKey, LogsKeyArgs
from components.observability.monitored import MonitoredResources
from config.keys import StackSettings, check_zone_count


def default_tags(settings: StackSettings) -> dict:
    return {"Project": settings.project, "Stack": settings.stack, "Tier": settings.tier,
            "ManagedBy": "pulumi"}


def tagged_provider(name: str, region: str, settings: StackSettings) -> aws.Provider:
    return aws.Provider(name, region=region,
                        default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(settings)))


def zones_for(settings: StackSettings, provider: aws.Provider) -> list[str]:
    """The stack's AZs, checked against the region before any resource is registered."""
    zones = aws.get_availability_zones(state="available",
                                       opts=pulumi.InvokeOptions(provider=provider)).names
    check_zone_count(settings, zones)
    return zones[:settings.network.az_count]


def data_stores(settings: StackSettings, network: Network, client_group_id: pulumi.Input[str],
                logs_key: LogsKey, opts: pulumi.ResourceOptions) -> tuple[Database, Cache]:
    """The database and cache in the isolated subnets, reachable from the app's group only."""
    return (sql_database(settings, network, client_group_id, logs_key, opts),
            redis_cache(settings, network, client_group_id, opts))


def sql_database(settings: StackSettings, network: Network, client_group_id: pulumi.Input[str],
                 logs_key: LogsKey, opts: pulumi.ResourceOptions) -> Database:
    return Database("database", DatabaseArgs(
        settings.name_prefix, settings.database, network.vpc_id, network.isolated_subnet_ids,
        client_group_id, settings.log_retention_days, logs_key.arn, settings.protect_data,
        settings.region, rotation_subnet_ids=network.private_subnet_ids), opts)


def redis_cache(settings: StackSettings, network: Network, client_group_id: pulumi.Input[str],
                opts: pulumi.ResourceOptions) -> Cache:
    return Cache("cache", CacheArgs(
        settings.name_prefix, settings.cache, network.vpc_id, network.isolated_subnet_ids,
        client_group_id, settings.protect_data), opts)


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
    if settings.monthly_budget_usd is not None:
        Budget("budget", BudgetArgs(prefix, settings.stack, settings.monthly_budget_usd,
                                   alerts.topic_arn,
                                   [alerts.topic_policy]), opts)
    return {"dashboardUrl": dashboard.url, "alarmTopicArn": alerts.topic_arn}


def logged_waf(settings: StackSettings, us_east_1: aws.Provider,
               opts: pulumi.ResourceOptions) -> Waf:
    """CloudFront's web ACL, logging what it blocks or counts; the logs must live in us-east-1
    with the web ACL, so they have a logs key there too."""
    prefix = settings.name_prefix
    edge_logs_key = LogsKey("edge-logs", LogsKeyArgs(prefix, "us-east-1", alias_leaf="edge-logs"),
                            pulumi.ResourceOptions(providers=[us_east_1]))
    return Waf("waf", WafArgs(prefix, settings.edge.waf_rate_limit, us_east_1,
                              WafLoggingArgs(settings.log_retention_days, edge_logs_key.arn)), opts)
