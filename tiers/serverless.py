"""The serverless tier (seeds 000 and 003): CloudFront (WAF, security headers, S3 for static
files) → a regional API Gateway REST API → Lambda functions behind their alias `live`, shifted
between versions by CodeDeploy; optionally PostgreSQL (through RDS Proxy) and Redis, which put the
functions in the VPC's private subnets, and DynamoDB tables."""
from __future__ import annotations

import re
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.app.firewall import AppFirewall, AppFirewallArgs
from components.app.function import ALIAS, Function, FunctionArgs, FunctionNetwork
from components.app.function_rollout import FunctionRollout, FunctionRolloutArgs
from components.data.cache import REDIS_PORT, Cache
from components.data.database import POSTGRES_PORT, Database
from components.data.database_proxy import DatabaseProxy, DatabaseProxyArgs
from components.data.tables import Tables, TablesArgs
from components.edge.api_gateway import API_KEY_HEADER, ApiGateway, ApiGatewayArgs
from components.edge.assets import AssetsArgs, AssetsBucket
from components.edge.cdn import ApiOrigin, Cdn, CdnArgs
from components.network.flow_logs import FlowLogsArgs
from components.network.vpc import Network, NetworkArgs, PrivateSubnetsArgs
from components.observability.alarms import function_rollback_alarm_names
from components.observability.deployment_history import DeploymentHistory, DeploymentHistoryArgs
from components.observability.logs_key import LogsKey, LogsKeyArgs
from components.observability.monitored import ApiIds, MonitoredResources, WatchedFunction
from config.keys import StackSettings
from config.services import literal_prefix
from tiers.shared import (alerting, logged_waf, monitoring, recovery, redis_cache,
                          sql_database, tagged_provider, zones_for)


# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/api-permissions-reference.html:
# the item and query actions an application needs (transactions are authorized per item action).
TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                 "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem",
                 "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"]


class DataStores:
    """The stack's PostgreSQL (through RDS Proxy), Redis and DynamoDB tables, any of them absent,
    and what a function needs of them: its network, its variables (endpoints, names and secret
    ARNs, never a value), the secrets it reads and its IAM statements."""

    def __init__(self, settings: StackSettings, logs_key: LogsKey, provider: aws.Provider,
                 opts: pulumi.ResourceOptions):
        serverless = settings.serverless
        self.network: Optional[Network] = None
        self.database: Optional[Database] = None
        self.cache: Optional[Cache] = None
        self.proxy: Optional[DatabaseProxy] = None
        self.function_network: Optional[FunctionNetwork] = None
        self.tables = (Tables("tables", TablesArgs(settings.name_prefix, settings.tables,
                                                   settings.protect_data), opts)
                       if settings.tables else None)
        if not serverless.in_vpc:
            return
        prefix = settings.name_prefix
        self.network = Network("network", NetworkArgs(
            prefix, settings.network.cidr, zones_for(settings, provider),
            private=PrivateSubnetsArgs(settings.network.nat_gateways, settings.region),
            flow_logs=FlowLogsArgs(prefix, settings.log_retention_days, logs_key.arn)), opts)
        # The functions' group: nothing in (nothing connects to a function), out to HTTPS and
        # the data stores' ports; the proxy, the database and the cache admit it.
        firewall = AppFirewall("functions-firewall", AppFirewallArgs(
            prefix, self.network.vpc_id, settings.network.cidr), opts)
        self.function_network = FunctionNetwork(self.network.private_subnet_ids, [firewall.id])
        if serverless.sql_database:
            self.database = sql_database(settings, self.network, firewall.id, logs_key, opts)
            # Functions come and go by the thousand: the proxy pools their connections, and
            # they log in with IAM tokens, never the password (which they cannot read).
            self.proxy = DatabaseProxy("database-proxy", DatabaseProxyArgs(
                prefix, self.database, self.network.vpc_id, self.network.private_subnet_ids,
                firewall.id, settings.region), opts)
        if serverless.redis_cache:
            self.cache = redis_cache(settings, self.network, firewall.id, opts)

    def environment(self, settings: StackSettings) -> dict:
        """The proxy's endpoint and the user to sign an IAM token for (TLS required); Redis's
        AUTH token by its secret's ARN, read at runtime; each table's name as TABLE_<NAME>."""
        found = {}
        if self.proxy is not None:
            found |= {"DATABASE_HOST": self.proxy.endpoint,
                      "DATABASE_NAME": settings.database.name,
                      "DATABASE_PORT": str(POSTGRES_PORT),
                      "DATABASE_USER": settings.database.username, "DATABASE_IAM_AUTH": "true"}
        if self.cache is not None:
            found |= {"REDIS_HOST": self.cache.endpoint, "REDIS_PORT": str(REDIS_PORT),
                      "REDIS_TLS": "true", "REDIS_AUTH_SECRET_ARN": self.cache.auth_secret_arn}
        if self.tables is not None:
            found |= {table_variable(name): table for name, table in self.tables.names.items()}
        return found

    def secret_arns(self) -> list:
        return [self.cache.auth_secret_arn] if self.cache else []

    def statements(self, settings: StackSettings) -> list[dict]:
        """Log in to the database through the proxy as its user; use the tables and their key."""
        found = []
        if self.proxy is not None:
            found.append({"Sid": "DatabaseThroughProxy", "Effect": "Allow",
                          "Action": "rds-db:connect",
                          "Resource": self.proxy.connect_arn(settings.database.username)})
        if self.tables is not None:
            arns = list(self.tables.arns.values())
            found += [{"Sid": "Tables", "Effect": "Allow", "Action": TABLE_ACTIONS,
                       "Resource": [*arns, *(pulumi.Output.concat(arn, "/index/*")
                                             for arn in arns)]},
                      {"Sid": "TablesKey", "Effect": "Allow",
                       "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                       "Resource": self.tables.key_arn}]
        return found

    def backed_up(self) -> list:
        return [*([self.database.instance.arn] if self.database else []),
                *(self.tables.arns.values() if self.tables else [])]


def table_variable(name: str) -> str:
    """`todos` → TABLE_TODOS (a table name may hold . and -, a variable name may not)."""
    return "TABLE_" + re.sub(r"[^A-Za-z0-9_]", "_", name).upper()


def build_serverless(settings: StackSettings, provider: aws.Provider) -> dict:
    prefix, serverless = settings.name_prefix, settings.serverless
    opts = pulumi.ResourceOptions(providers=[provider])
    # CloudFront's WAF, metrics and alarm topic live in us-east-1, whatever the stack's region.
    us_east_1 = tagged_provider("aws-us-east-1", "us-east-1", settings)

    logs_key = LogsKey("logs", LogsKeyArgs(prefix, settings.region), opts)
    alerts = alerting(settings, us_east_1, opts)
    stores = DataStores(settings, logs_key, provider, opts)
    rollout = FunctionRollout("rollout", FunctionRolloutArgs(
        prefix, settings.region, serverless.deployment_config, settings.log_retention_days,
        logs_key.arn), opts)
    functions = {}
    for config in serverless.functions:
        functions[config.name] = Function(config.name, FunctionArgs(
            prefix, config, settings.log_retention_days, logs_key.arn,
            environment=stores.environment(settings), secret_arns=stores.secret_arns(),
            statements=stores.statements(settings), network=stores.function_network), opts)
        # Lambda errors > 5 % on the alias, API 5XX > 10 % (seed 003): CodeDeploy stops and
        # rolls back when either fires during the shift. Plain names: the alarms watch the
        # function, so they come later (monitoring below).
        rollout.watch(config.name, functions[config.name],
                      function_rollback_alarm_names(prefix, config.name))
    routed = {config.name: config.routes for config in serverless.functions if config.routed}
    api = ApiGateway("api", ApiGatewayArgs(
        prefix, settings.region, {name: functions[name] for name in routed}, routed,
        serverless.api_rate_limit, serverless.api_burst_limit, settings.log_retention_days,
        logs_key.arn), opts)
    assets = AssetsBucket("assets", AssetsArgs(prefix, protect=settings.protect_data), opts)
    waf = logged_waf(settings, us_east_1, opts)
    cdn = Cdn("cdn", CdnArgs(
        prefix, assets, settings.edge.price_class,
        api=ApiOrigin(api.domain_name, True, API_KEY_HEADER, api.api_key,
                      paths=[path for routes in routed.values() for route in routes
                             for path in cdn_paths(route)],
                      origin_path=api.origin_path),
        web_acl_arn=waf.arn), opts)
    first_route = next(route for routes in routed.values() for route in routes)

    return {"siteUrl": cdn.url,
            "apiUrl": pulumi.Output.concat(cdn.url, literal_prefix(first_route)),
            "assetsBucket": assets.bucket_name, "webAclArn": waf.arn,
            "cdnDistributionId": cdn.distribution.id,
            "apiId": api.api.id, "apiStage": api.stage_name,
            "functionNames": pulumi.Output.json_dumps(
                {name: function.function.name for name, function in functions.items()}),
            "deploymentApplication": rollout.application.name,
            "deploymentGroupNames": pulumi.Output.json_dumps(
                {name: group.deployment_group_name
                 for name, group in rollout.deployment_groups.items()}),
            **data_outputs(stores),
            **backups_and_history(settings, stores, alerts, opts),
            **monitoring(settings, MonitoredResources(
                cdn.distribution.id,
                [stores.database.instance.identifier] if stores.database else [],
                settings.database.allocated_storage if stores.database else 0,
                cache_nodes(settings, stores.cache),
                functions=[WatchedFunction(name, function.function.name, ALIAS)
                           for name, function in functions.items()],
                api=ApiIds(api.name, api.stage_name),
                table_names=list(stores.tables.names.values()) if stores.tables else []),
                alerts, us_east_1, opts)}


def cdn_paths(route: str) -> list[str]:
    """CloudFront's path patterns of a route: `/api/*` and `/api` itself, which API Gateway
    serves (config.functions.method_paths) but `/api/*` does not match: a request no pattern
    matches takes the default behavior, the assets bucket (CloudFront API reference,
    CacheBehavior.PathPattern: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CacheBehavior.html)."""
    parent = route[:-2] if route.endswith("/*") else ""
    return [route, parent] if parent else [route]


def cache_nodes(settings: StackSettings, cache: Optional[Cache]) -> list:
    if cache is None:
        return []
    members = cache.replication_group.member_clusters
    return [members.apply(lambda ids, n=n: sorted(ids)[n]) for n in range(settings.cache.nodes)]


def data_outputs(stores: DataStores) -> dict:
    found = {}
    if stores.database is not None:
        found |= {"databaseEndpoint": stores.database.endpoint,
                  "databaseProxyEndpoint": stores.proxy.endpoint,
                  "databaseInstanceId": stores.database.instance.identifier}
    if stores.tables is not None:
        found |= {"tableNames": pulumi.Output.json_dumps(stores.tables.names),
                  # the list `python -m ops backups check` and `restore-drill` read
                  "dynamodbTables": pulumi.Output.all(*stores.tables.names.values())}
    if stores.cache is not None:
        found |= {"cacheEndpoint": stores.cache.endpoint,
                  "cacheReplicationGroupId": stores.cache.replication_group.id}
    return found


def backups_and_history(settings: StackSettings, stores: DataStores, alerts,
                        opts: pulumi.ResourceOptions) -> dict:
    """AWS Backup of what holds data (a selection needs at least one resource), and the
    deployment history table."""
    backed_up = stores.backed_up()
    if backed_up:
        return recovery(settings, backed_up, alerts, opts)
    history = DeploymentHistory("deployments", DeploymentHistoryArgs(
        settings.name_prefix, settings.protect_data), opts)
    return {"deploymentHistoryTable": history.table_name}
