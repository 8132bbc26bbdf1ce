"""RDS: identifiers, Performance Insights retention, replicas of a managed password, major
upgrades, RDS Proxy names."""
from __future__ import annotations

from preflight.model import cites, found, known, name_problems, physical_name
from preview.plan import Plan

INSTANCE = "aws:rds/instance:Instance"
PROXY = "aws:rds/proxy:Proxy"
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
        days = db.inputs.get("performanceInsightsRetentionPeriod")
        if not db.inputs.get("performanceInsightsEnabled") or not isinstance(days, int):
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


RULES = [instance_identifiers, performance_insights_retention, replicas_of_a_managed_password,
         major_version_upgrades_allowed, proxy_names]
