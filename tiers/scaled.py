"""The scaled tier: a VPC across AZs, the ALB, ECS Fargate services, RDS Multi-AZ, Redis with
failover, CloudFront and the WAF."""

from typing import Optional

import pulumi
import pulumi_aws as aws

from components.app.cluster import Cluster, ClusterArgs
from components.app.firewall import AppFirewall, AppFirewallArgs
from components.app.registry import Registry, RegistryArgs
from components.app.service import Service, ServiceArgs
from components.app.service_firewall import ServiceFirewall, ServiceFirewallArgs
from components.data.cache import REDIS_PORT, Cache
from components.data.database import POSTGRES_PORT, Database
from components.edge.assets import AssetsArgs, AssetsBucket
from components.edge.cdn import ApiOrigin, Cdn, CdnArgs
from components.edge.certificates import Certificates, CertificatesArgs
from components.edge.dns_records import DnsRecords, DnsRecordsArgs
from components.edge.load_balancer import ORIGIN_SECRET_HEADER, LoadBalancer, LoadBalancerArgs
from components.edge.route import Route, RouteArgs
from components.edge.waf import Waf
from components.network.flow_logs import FlowLogsArgs
from components.network.vpc import Network, NetworkArgs, PrivateSubnetsArgs
from components.observability.alarms import deployment_alarm_names
from components.observability.logs_bucket import LogsBucket, LogsBucketArgs
from components.observability.logs_key import LogsKey, LogsKeyArgs
from components.observability.monitored import LoadBalancerIds, ServiceIds, WatchedService
from config.keys import StackSettings
from config.services import rule_priorities
from config.settings import (PARAMETER_STORE, SECRETS_MANAGER, RolloutSettings, ServiceSettings,
                             arns_in)
from tiers.before_services import (cluster_formerly, load_balancer_formerly, registry_aliases,
                                   registry_formerly, route_formerly)
from tiers.shared import (alerting, data_stores, logged_waf, monitoring, operated, recovery,
                          tagged_provider, watched, zones_for)


# The components' logical names: a stack deployed before `services` knows them (before_services).
LOAD_BALANCER, CLUSTER = "api", "app"


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
    load_balancer = LoadBalancer(LOAD_BALANCER, LoadBalancerArgs(
        prefix, network.vpc_id, settings.network.cidr, network.public_subnet_ids,
        [service.port for service in routed],
        certificates.origin_certificate_arn if certificates else None,
        logs, deletion_protection=settings.protect_data,
        formerly=load_balancer_formerly(settings.services, LOAD_BALANCER)), opts)
    waf, cdn = edge(settings, assets, load_balancer, certificates, us_east_1, opts)

    app_firewall = AppFirewall("app-firewall", AppFirewallArgs(
        prefix, network.vpc_id, settings.network.cidr), opts)
    database, cache = data_stores(settings, network, app_firewall.id, logs_key, opts)
    cluster = Cluster(CLUSTER, ClusterArgs(prefix, settings.log_retention_days, logs_key.arn,
                                           formerly=cluster_formerly(CLUSTER)), opts)
    firewalls = service_firewalls(settings, network, load_balancer, opts)
    priorities = rule_priorities(settings.services)
    services, repositories, watched_services = {}, {}, {}
    for config in call_order(settings.services):
        route = (Route(config.name, RouteArgs(
            load_balancer, network.vpc_id, config.port, config.health_check_path, config.routes,
            priorities[config.name],
            alternate_target_group=rollout_of(settings, config).shifts_traffic,
            formerly=route_formerly(config, LOAD_BALANCER)), opts) if config.routed else None)
        registry = f"{config.name}-registry"
        repositories[config.name] = Registry(
            registry, RegistryArgs(prefix, config.name, registry_formerly(config, registry)),
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                aliases=registry_aliases(config) or None)))
        service = app_service(settings, config, network, cluster, route,
                              [app_firewall.id, firewalls[config.name].id], database, cache,
                              logs_key, [services[callee].service for callee in config.depends_on
                                         if callee in services], opts)
        services[config.name] = service
        watched_services[config.name] = WatchedService(
            config.name, ServiceIds(service.cluster_name, service.service_name),
            [group.arn_suffix for group in route.target_groups] if route else [],
            thresholds=dict(config.alarm_thresholds))
    services = dict(sorted(services.items()))
    watched_services = [watched_services[name] for name in sorted(watched_services)]
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
    waf = logged_waf(settings, us_east_1, opts)
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


def call_order(services: tuple[ServiceSettings, ...]) -> list[ServiceSettings]:
    """Callees before their callers, else by name: AWS advises deploying a Service Connect
    client-server before the clients that call it, whose tasks resolve only the endpoints that
    exist when they start (developerguide/service-connect-concepts-deploy.html). Mutual calls
    cannot both wait: the edge that closes a cycle is dropped, the later caller by name first."""
    by_name = {service.name: service for service in services}
    ordered: list[ServiceSettings] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in visiting or by_name[name] in ordered:
            return
        visiting.add(name)
        for callee in sorted(by_name[name].depends_on):
            visit(callee)
        visiting.discard(name)
        ordered.append(by_name[name])

    for name in sorted(by_name):
        visit(name)
    return ordered


def app_service(settings: StackSettings, config: ServiceSettings, network: Network,
                cluster: Cluster, route: Optional[Route], security_group_ids: list,
                database: Database, cache: Cache, logs_key: LogsKey, callees: list,
                opts: pulumi.ResourceOptions) -> Service:
    """One service on Fargate in the private subnets, wired to the data stores and its rollout
    alarms; a service without a route rolls (traffic shifting needs its target groups)."""
    return Service(config.name, ServiceArgs(
        settings.name_prefix, config, settings.region, network.vpc_id,
        network.private_subnet_ids, security_group_ids, cluster, route,
        settings.log_retention_days, logs_key.arn,
        environment={**app_environment(settings, database, cache), **dict(config.callee_urls),
                     **dict(config.environment)},
        secrets={**app_secrets(cache), **dict(config.secrets)},
        secret_arns=(cache.auth_secret_arn, *arns_in(config.secrets, SECRETS_MANAGER)),
        parameter_arns=arns_in(config.secrets, PARAMETER_STORE),
        runtime_secret_arns=(database.master_secret_arn,),
        rollout=rollout_of(settings, config) if route else None,
        deployment_alarm_names=deployment_alarm_names(settings.name_prefix, config.name,
                                                      config.routed),
        service_connect_namespace_arn=cluster.namespace_arn, after=callees), opts)


def rollout_of(settings: StackSettings, config: ServiceSettings) -> RolloutSettings:
    """The service's own rollout keys over the stack's."""
    return config.rollout or settings.rollout


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
