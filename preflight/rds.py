"""RDS: identifiers, Performance Insights retention, replicas of a managed password, major
upgrades; RDS Proxy: names, subnets, the engine of its target."""
from __future__ import annotations

from preflight.model import cites, found, known, name_problems, physical_name, whole_number
from preview.plan import Plan

INSTANCE = "aws:rds/instance:Instance"
PROXY = "aws:rds/proxy:Proxy"
PROXY_TARGET = "aws:rds/proxyTarget:ProxyTarget"
PROXY_TARGET_GROUP = "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup"
SUBNET = "aws:ec2/subnet:Subnet"
# CreateDBProxy's EngineFamily for each RDS engine this program runs.
ENGINE_FAMILIES = {"postgres": "POSTGRESQL", "mysql": "MYSQL", "mariadb": "MYSQL"}
RDS_IDENTIFIER = r"[A-Za-z](?:-?[A-Za-z0-9])*"


def _identifier_problems(value, most: int, what: str) -> list[str]:
    if not isinstance(value, str) or not known(value):
        return []
    return name_problems(value, most=most, pattern=RDS_IDENTIFIER, what=what)


@cites("https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/rds/aws.sdk.kotlin.services.rds.model/-create-db-instance-request/db-instance-identifier.html")
def instance_identifiers(plan: Plan) -> list:
    """1 to 63 letters, digits or hyphens, a letter first, no trailing or double hyphen; the
    final snapshot identifier follows the same pattern (up to 255)."""
    return [found(instance_identifiers, db, problem)
            for db in plan.of_type(INSTANCE)
            for problem in (_identifier_problems(db.inputs.get("identifier"), 63, "identifier")
                            + _identifier_problems(db.inputs.get("finalSnapshotIdentifier"), 255,
                                                   "finalSnapshotIdentifier"))]


@cites("https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/rds/aws.sdk.kotlin.services.rds.model/-restore-db-instance-from-s3-request/performance-insights-retention-period.html")
def performance_insights_retention(plan: Plan) -> list:
    """7, 31 × months (1 to 23) or 731 days; anything else (94, say) RDS refuses."""
    findings = []
    for db in plan.of_type(INSTANCE):
        days = whole_number(db.inputs.get("performanceInsightsRetentionPeriod"))
        if not db.inputs.get("performanceInsightsEnabled") or days is None:
            continue
        if not (days in (7, 731) or (days % 31 == 0 and 1 <= days // 31 <= 23)):
            findings.append(found(performance_insights_retention, db,
                                  f"performanceInsightsRetentionPeriod {days}: allowed 7, "
                                  "31 × 1..23 or 731"))
    return findings


@cites("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations")
def replicas_of_a_managed_password(plan: Plan) -> list:
    """No read replica of a source whose master password RDS manages in Secrets Manager."""
    instances = plan.of_type(INSTANCE)
    managed = {db.outputs.get("identifier", db.inputs.get("identifier")) for db in instances
               if db.inputs.get("manageMasterUserPassword")}
    return [found(replicas_of_a_managed_password, replica,
                  f"replicates {replica.inputs['replicateSourceDb']}, whose password RDS manages "
                  "(manageMasterUserPassword)")
            for replica in instances
            if replica.inputs.get("replicateSourceDb") and replica.inputs["replicateSourceDb"] in managed]


@cites("https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/rds/aws.sdk.kotlin.services.rds.model/-modify-db-instance-request/allow-major-version-upgrade.html")
def major_version_upgrades_allowed(plan: Plan) -> list:
    """An engine version given as a major only moves across majors when the config changes;
    RDS refuses that without allowMajorVersionUpgrade."""
    return [found(major_version_upgrades_allowed, db,
                  f"engineVersion {db.inputs['engineVersion']!r} without allowMajorVersionUpgrade",
                  severity="warning")
            for db in plan.of_type(INSTANCE)
            if isinstance(db.inputs.get("engineVersion"), str) and not
            db.inputs.get("replicateSourceDb") and not db.inputs.get("allowMajorVersionUpgrade")]


# CreateDBProxy's DBProxyName: "must begin with a letter and must contain only ASCII letters, digits,
# and hyphens; it can't end with a hyphen or contain two consecutive hyphens", 1 to 63 (botocore
# rds 2014-10-31, DBProxyName shape, read in the installed botocore 1.43.127).
@cites("https://github.com/boto/botocore/blob/develop/botocore/data/rds/2014-10-31/service-2.json")
def proxy_names(plan: Plan) -> list:
    """1 to 63 letters, digits or single hyphens, a letter first (auto-names count Pulumi's 8)."""
    return [found(proxy_names, proxy, problem)
            for proxy in plan.of_type(PROXY)
            if (name := physical_name(proxy, "name", None)) is not None
            for problem in name_problems(name, most=63, pattern=RDS_IDENTIFIER, what="proxy name")]


@cites("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-setup.html")
def proxy_subnets_in_two_zones(plan: Plan) -> list:
    """A proxy needs at least two subnets in different Availability Zones."""
    zone_of = {subnet.id: subnet.inputs.get("availabilityZone") for subnet in plan.of_type(SUBNET)}
    findings = []
    for proxy in plan.of_type(PROXY):
        subnets = proxy.inputs.get("vpcSubnetIds") or []
        zones = {zone_of.get(subnet) for subnet in subnets}
        if len(subnets) < 2:
            findings.append(found(proxy_subnets_in_two_zones, proxy,
                                  f"{len(subnets)} subnet(s); allowed: two or more"))
        elif None not in zones and len(zones) < 2:
            findings.append(found(proxy_subnets_in_two_zones, proxy,
                                  f"its subnets are all in {zones.pop()}; allowed: two zones"))
    return findings


@cites("https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html")
def proxy_engine_family_matches_its_target(plan: Plan) -> list:
    """EngineFamily POSTGRESQL for RDS for PostgreSQL, MYSQL for MySQL and MariaDB."""
    proxies = {proxy.inputs.get("name"): proxy for proxy in plan.of_type(PROXY)}
    engines = {db.inputs.get("identifier"): db.inputs.get("engine") for db in plan.of_type(INSTANCE)}
    findings = []
    for target in plan.of_type(PROXY_TARGET):
        proxy = proxies.get(target.inputs.get("dbProxyName"))
        engine = engines.get(target.inputs.get("dbInstanceIdentifier"))
        family = proxy.inputs.get("engineFamily") if proxy else None
        if engine in ENGINE_FAMILIES and family and family != ENGINE_FAMILIES[engine]:
            findings.append(found(proxy_engine_family_matches_its_target, proxy,
                                  f"engineFamily {family} targets a {engine} instance; allowed: "
                                  f"{ENGINE_FAMILIES[engine]}"))
    return findings


@cites("https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/rds/aws.sdk.kotlin.services.rds.model/-connection-pool-configuration/-builder/max-idle-connections-percent.html")
def proxy_connection_pool(plan: Plan) -> list:
    """MaxConnectionsPercent 1 to 100; MaxIdleConnectionsPercent 0 to MaxConnectionsPercent, and
    only with it."""
    findings = []
    for group in plan.of_type(PROXY_TARGET_GROUP):
        pool = group.inputs.get("connectionPoolConfig") or {}
        most, idle = pool.get("maxConnectionsPercent"), pool.get("maxIdleConnectionsPercent")
        if isinstance(most, (int, float)) and not 1 <= most <= 100:
            findings.append(found(proxy_connection_pool, group,
                                  f"maxConnectionsPercent {most}; allowed: 1 to 100"))
        if isinstance(idle, (int, float)) and most is None:
            findings.append(found(proxy_connection_pool, group,
                                  "maxIdleConnectionsPercent without maxConnectionsPercent"))
        elif isinstance(idle, (int, float)) and isinstance(most, (int, float)) and \
                not 0 <= idle <= most:
            findings.append(found(proxy_connection_pool, group,
                                  f"maxIdleConnectionsPercent {idle}; allowed: 0 to "
                                  f"maxConnectionsPercent {most}"))
    return findings


RULES = [instance_identifiers, performance_insights_retention, replicas_of_a_managed_password,
         major_version_upgrades_allowed, proxy_names, proxy_subnets_in_two_zones,
         proxy_engine_family_matches_its_target, proxy_connection_pool]
