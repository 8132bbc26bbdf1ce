"""ElastiCache: replication group ids, failover and Multi-AZ combinations."""
from __future__ import annotations

from preflight.model import cites, found, known, name_problems, whole_number
from preview.plan import Plan

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
GROUP_ID = r"[A-Za-z](?:-?[A-Za-z0-9])*"


@cites("https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/elasticache/aws.sdk.kotlin.services.elasticache.model/-create-replication-group-request/replication-group-id.html")
def replication_group_ids(plan: Plan) -> list:
    """1 to 40 letters, digits or hyphens, a letter first, no trailing or double hyphen."""
    return [found(replication_group_ids, group, problem)
            for group in plan.of_type(REPLICATION_GROUP)
            if known(group_id := group.inputs.get("replicationGroupId"))
            for problem in name_problems(group_id, most=40, pattern=GROUP_ID,
                                         what="replicationGroupId")]


@cites("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html")
def failover_needs_replicas(plan: Plan) -> list:
    """Automatic failover needs 2 or more nodes; Multi-AZ needs automatic failover."""
    findings = []
    for group in plan.of_type(REPLICATION_GROUP):
        inputs = group.inputs
        nodes = whole_number(inputs.get("numCacheClusters", 1))
        if inputs.get("automaticFailoverEnabled") and nodes is not None and nodes < 2:
            findings.append(found(failover_needs_replicas, group,
                                  f"automatic failover with {nodes} node"))
        if inputs.get("multiAzEnabled") and not inputs.get("automaticFailoverEnabled"):
            findings.append(found(failover_needs_replicas, group,
                                  "Multi-AZ without automatic failover"))
    return findings


RULES = [replication_group_ids, failover_needs_replicas]
