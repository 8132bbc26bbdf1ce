"""webstack: the AWS platform of a web product, sized by the stack's config.

The only place that reads Pulumi config; components receive typed settings.
"""
import pulumi
import pulumi_aws as aws

from components.app_config import AppConfig, AppConfigArgs
from components.assets import AssetsArgs, AssetsBucket
from components.cache import Cache, CacheArgs
from components.cdn import Cdn, CdnArgs
from components.config import (SETTINGS, ConfigError, StackSettings, check_zone_count,
                               parse_settings)
from components.database import Database, DatabaseArgs
from components.logs_key import LogsKey, LogsKeyArgs
from components.network import Network, NetworkArgs
from components.server import Server, ServerArgs


def read_settings() -> StackSettings:
    config = pulumi.Config()
    raw = {setting.key: config.get(setting.key) for setting in SETTINGS}
    return parse_settings(raw, stack=pulumi.get_stack(), region=pulumi.Config("aws").get("region"))


def default_tags(settings: StackSettings) -> dict:
    return {"Project": settings.project, "Stack": settings.stack, "Tier": settings.tier,
            "ManagedBy": "pulumi"}


def build_mvp(settings: StackSettings, provider: aws.Provider) -> dict:
    zones = aws.get_availability_zones(state="available",
                                       opts=pulumi.InvokeOptions(provider=provider)).names
    check_zone_count(settings, zones)
    prefix = settings.name_prefix
    opts = pulumi.ResourceOptions(providers=[provider])
    parameter_path = f"/{settings.project}/{settings.stack}"

    logs_key = LogsKey("logs", LogsKeyArgs(prefix, settings.region), opts)
    network = Network("network", NetworkArgs(prefix, settings.network.cidr,
                                             zones[:settings.network.az_count]), opts)
    assets = AssetsBucket("assets", AssetsArgs(prefix, protect=settings.protect_data), opts)
    cdn = Cdn("cdn", CdnArgs(prefix, assets, settings.cdn_price_class), opts)
    server = Server("backend", ServerArgs(
        prefix, settings.server, settings.region, network.vpc_id, network.public_subnet_ids[0],
        parameter_path, settings.log_retention_days, logs_key.arn), opts)
    database = Database("database", DatabaseArgs(
        prefix, settings.database, network.vpc_id, network.isolated_subnet_ids,
        server.security_group.id, settings.log_retention_days, logs_key.arn,
        settings.protect_data), opts)
    cache = Cache("cache", CacheArgs(
        prefix, settings.cache, network.vpc_id, network.isolated_subnet_ids,
        server.security_group.id, settings.protect_data), opts)
    AppConfig("app-config", AppConfigArgs(
        parameter_path,
        values={"database/endpoint": database.endpoint, "database/name": settings.database.name,
                "database/secret-arn": database.master_secret_arn,
                "cache/endpoint": cache.endpoint, "cache/auth-secret-arn": cache.auth_secret_arn},
        secret_arns=(database.master_secret_arn, cache.auth_secret_arn),
        reader_role_name=server.role.name), opts)

    return {"siteUrl": cdn.url, "assetsBucket": assets.bucket_name,
            "backendUrl": server.url, "backendPublicIp": server.public_ip,
            "databaseEndpoint": database.endpoint, "cacheEndpoint": cache.endpoint}


def main() -> None:
    settings = read_settings()
    if settings.tier != "mvp":
        raise ConfigError([f"webstack:tier = {settings.tier!r} is not buildable yet; allowed: mvp "
                           "(the scaled tier is being built)"])
    provider = aws.Provider("aws", region=settings.region,
                            default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(settings)))
    outputs = build_mvp(settings, provider)
    pulumi.export("tier", settings.tier)
    pulumi.export("region", settings.region)
    for name, value in outputs.items():
        pulumi.export(name, value)


main()
