"""The MVP tier (seed 002 stage 1): S3 + CloudFront, one EC2 backend, small RDS and Redis."""
import pulumi
import pulumi_aws as aws

from components.app.app_config import AppConfig, AppConfigArgs
from components.app.server import Server, ServerArgs
from components.edge.assets import AssetsArgs, AssetsBucket
from components.edge.cdn import Cdn, CdnArgs
from components.network.vpc import Network, NetworkArgs
from components.observability.logs_key import LogsKey, LogsKeyArgs
from config.keys import StackSettings
from config.settings import PARAMETER_STORE, SECRETS_MANAGER, arns_in
from tiers.shared import (alerting, data_stores, monitoring, operated, recovery, tagged_provider,
                          watched, zones_for)


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
        parameter_path, settings.log_retention_days, logs_key.arn, settings.services), opts)
    database, cache = data_stores(settings, network, server.security_group.id, logs_key, opts)
    AppConfig("app-config", AppConfigArgs(
        parameter_path,
        values={"database/endpoint": database.endpoint, "database/name": settings.database.name,
                "database/secret-arn": database.master_secret_arn,
                "cache/endpoint": cache.endpoint, "cache/auth-secret-arn": cache.auth_secret_arn},
        secret_arns=(database.master_secret_arn, cache.auth_secret_arn,
                     *service_secret_arns(settings, SECRETS_MANAGER)),
        reader_role_name=server.role.name,
        parameter_arns=service_secret_arns(settings, PARAMETER_STORE),
        customer_keys=any(service.secrets for service in settings.services)), opts)

    return {"siteUrl": cdn.url, "assetsBucket": assets.bucket_name,
            "backendUrl": server.url, "backendPublicIp": server.public_ip,
            "databaseEndpoint": database.endpoint, "cacheEndpoint": cache.endpoint,
            # The instance's backups cover its EBS volumes.
            **recovery(settings, [database.instance.arn, server.instance.arn], alerts, opts),
            **operated(settings, cdn, database, cache),
            **monitoring(settings, watched(settings, cdn, database, cache,
                                           server_instance_id=server.instance.id),
                         alerts, us_east_1, opts)}


def service_secret_arns(settings: StackSettings, store: str) -> tuple[str, ...]:
    """The ARNs the services list in `secrets` that `store` holds, each once."""
    return tuple(sorted({arn for config in settings.services
                         for arn in arns_in(config.secrets, store)}))
