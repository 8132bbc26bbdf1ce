"""RDS and ElastiCache preflight rules, each shown firing on a broken plan."""
from preflight import elasticache, rds
from tests.preflight.broken import plan, resource

RDS = rds.INSTANCE
REDIS = elasticache.REPLICATION_GROUP


def test_rds_identifiers_follow_the_api_constraints():
    findings = rds.instance_identifiers(plan(
        resource(RDS, "double", {"identifier": "webstack--prod"}),
        resource(RDS, "digit", {"identifier": "1webstack"}),
        resource(RDS, "snapshot", {"identifier": "ok", "finalSnapshotIdentifier": "final-"}),
        resource(RDS, "fine", {"identifier": "webstack-prod-postgres",
                               "finalSnapshotIdentifier": "webstack-prod-postgres-final-1"})))
    assert sorted(f.resource for f in findings) == ["digit", "double", "snapshot"]


def test_performance_insights_retention_is_7_a_multiple_of_31_or_731():
    def db(days):
        return resource(RDS, f"pi-{days}", {"performanceInsightsEnabled": True,
                                            "performanceInsightsRetentionPeriod": days})
    findings = rds.performance_insights_retention(plan(db(7), db(93), db(731), db(94), db(30)))
    assert sorted(f.resource for f in findings) == ["pi-30", "pi-94"]


def test_a_replica_of_a_managed_password_is_refused():
    """Issue 9, item 1: "Creating read replicas for source instance ... where
    ManageMasterUserPassword is enabled is not supported"."""
    primary = resource(RDS, "primary", {"identifier": "webstack-prod-postgres",
                                        "manageMasterUserPassword": True})
    replica = resource(RDS, "replica", {"replicateSourceDb": "webstack-prod-postgres"})
    [finding] = rds.replicas_of_a_managed_password(plan(primary, replica))
    assert finding.resource == "replica"
    owned = resource(RDS, "primary", {"identifier": "webstack-prod-postgres", "password": "x"})
    assert rds.replicas_of_a_managed_password(plan(owned, replica)) == []


def test_a_major_version_without_allow_major_version_upgrade_is_flagged():
    [finding] = rds.major_version_upgrades_allowed(plan(
        resource(RDS, "pinned", {"engineVersion": "16"}),
        resource(RDS, "upgradable", {"engineVersion": "16", "allowMajorVersionUpgrade": True})))
    assert finding.resource == "pinned" and finding.severity == "warning"


def test_replication_group_ids_follow_the_api_constraints():
    [finding] = elasticache.replication_group_ids(plan(
        resource(REDIS, "long", {"replicationGroupId": "webstack-production-eu-central-1-redis"
                                                        "-xyz"}),
        resource(REDIS, "fine", {"replicationGroupId": "webstack-prod-redis"})))
    assert finding.resource == "long"


def test_failover_needs_two_nodes_and_multi_az_needs_failover():
    findings = elasticache.failover_needs_replicas(plan(
        resource(REDIS, "alone", {"automaticFailoverEnabled": True, "numCacheClusters": 1}),
        resource(REDIS, "multi-az", {"multiAzEnabled": True, "automaticFailoverEnabled": False,
                                     "numCacheClusters": 2})))
    assert sorted(f.resource for f in findings) == ["alone", "multi-az"]


def test_an_instance_without_identifier_or_source_is_no_replica():
    unnamed = resource(RDS, "unnamed", {"manageMasterUserPassword": True})
    assert rds.replicas_of_a_managed_password(plan(unnamed)) == []
