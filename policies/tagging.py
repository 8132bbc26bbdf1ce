"""Tagging (advisory): cost and ownership tags, from the provider's default tags or the resource."""
from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies import _aws as aws
from policies._policy import ADVISORY, applies_to, list_setting, resource_policy, settings
from policies._props import UNKNOWN, dig, json_document, peek, tag_keys

# The taggable resource types this platform creates (each checked against pulumi-aws in the tests).
TAGGABLE_TYPES = (
    aws.RDS_INSTANCE, aws.RDS_CLUSTER, aws.RDS_CLUSTER_INSTANCE, aws.RDS_PARAMETER_GROUP,
    aws.RDS_CLUSTER_PARAMETER_GROUP, "aws:rds/subnetGroup:SubnetGroup",
    aws.CACHE_REPLICATION_GROUP, aws.CACHE_CLUSTER, aws.CACHE_SERVERLESS,
    "aws:elasticache/subnetGroup:SubnetGroup",
    *aws.BUCKETS,
    aws.EC2_INSTANCE, aws.EC2_SPOT_INSTANCE, aws.EC2_LAUNCH_TEMPLATE, aws.EBS_VOLUME, aws.EIP,
    "aws:ec2/vpc:Vpc", aws.SUBNET, "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway", "aws:ec2/routeTable:RouteTable", "aws:ec2/vpcEndpoint:VpcEndpoint",
    *aws.SECURITY_GROUPS, aws.SECURITY_GROUP_INGRESS_RULE,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup",
    *aws.LISTENERS, *aws.LISTENER_RULES,
    *aws.DISTRIBUTIONS, aws.VPC_ORIGIN, "aws:wafv2/webAcl:WebAcl",
    "aws:ecs/cluster:Cluster", aws.ECS_SERVICE, aws.ECS_TASK_SET, "aws:ecs/taskDefinition:TaskDefinition",
    "aws:ecr/repository:Repository",
    aws.DYNAMODB_TABLE, aws.DYNAMODB_TABLE_REPLICA, aws.SNS_TOPIC, aws.LOG_GROUP,
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    aws.BACKUP_VAULT, aws.BACKUP_AIR_GAPPED_VAULT, aws.BACKUP_PLAN,
    "aws:kms/key:Key", "aws:secretsmanager/secret:Secret", "aws:ssm/parameter:Parameter",
    "aws:iam/role:Role", "aws:iam/instanceProfile:InstanceProfile",
    "aws:lambda/function:Function", "aws:apigatewayv2/api:Api",
)

TAGS_SCHEMA = {
    "requiredTags": list_setting("string", ["Project", "Stack", "ManagedBy"],
                                 "Tag keys every taggable resource must carry."),
}


def _provider_default_tags(provider: Any) -> set[str]:
    if provider is None:
        return set()
    # Provider inputs reach the engine JSON-encoded: defaultTags is a string like '{"tags": {…}}'.
    default_tags = peek(lambda: provider.props.get("defaultTags"), default=None)
    return tag_keys(peek(lambda: dig(json_document(default_tags), "tags"), default=None))


@applies_to(*TAGGABLE_TYPES)
def required_tags(args: ResourceValidationArgs, report: ReportViolation) -> None:
    own_tags = peek(lambda: args.props.get("tags"))
    if own_tags is UNKNOWN:
        return  # computed during preview; the update will tell
    present_keys = tag_keys(own_tags) | _provider_default_tags(args.provider)
    missing = [key for key in settings(args, TAGS_SCHEMA)["requiredTags"] if key not in present_keys]
    if missing:
        report(f"missing tags: {', '.join(missing)}")


POLICIES = [
    resource_policy(
        "required-tags",
        "Taggable resources carry the required tags (requiredTags): set them once in the AWS "
        "provider's default_tags, or in the resource's tags.",
        required_tags, level=ADVISORY, severity=Severity.LOW, config=TAGS_SCHEMA),
]
