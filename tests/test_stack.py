"""Each whole stack: what it creates, how it is wired, and what it tells the user."""
import json
from collections import Counter

import pytest

from preview.engine import run_preview
from tests.conftest import SCALED_STACKS, STACKS
from tests.support import EGRESS, INGRESS, SG

# What `pulumi up --stack dev` creates. A change here is a change to the platform: review it.
DEV_RESOURCES = {
    "pulumi:providers:aws": 2,  # the stack's region, and us-east-1 for CloudFront's alarm
    "random:index/randomPassword:RandomPassword": 1,
    "aws:ec2/vpc:Vpc": 1, "aws:ec2/subnet:Subnet": 4, "aws:ec2/internetGateway:InternetGateway": 1,
    "aws:ec2/routeTable:RouteTable": 2, "aws:ec2/route:Route": 1,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": 4,
    "aws:ec2/securityGroup:SecurityGroup": 3, INGRESS: 4, EGRESS: 1,
    "aws:s3/bucket:Bucket": 1, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
    "aws:s3/bucketVersioning:BucketVersioning": 1,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
    "aws:s3/bucketPolicy:BucketPolicy": 1,
    "aws:cloudfront/originAccessControl:OriginAccessControl": 1,
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": 1,
    "aws:cloudfront/distribution:Distribution": 1,
    "aws:cloudwatch/logGroup:LogGroup": 3, "aws:kms/key:Key": 4, "aws:kms/alias:Alias": 3,
    "aws:iam/role:Role": 2,  # the backend's and AWS Backup's
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 3, "aws:iam/rolePolicy:RolePolicy": 2,
    "aws:iam/instanceProfile:InstanceProfile": 1, "aws:ec2/instance:Instance": 1, "aws:ec2/eip:Eip": 1,
    "aws:rds/subnetGroup:SubnetGroup": 1, "aws:rds/parameterGroup:ParameterGroup": 1,
    "aws:rds/instance:Instance": 1,
    "aws:elasticache/subnetGroup:SubnetGroup": 1,
    "aws:elasticache/replicationGroup:ReplicationGroup": 1,
    "aws:secretsmanager/secret:Secret": 1, "aws:secretsmanager/secretVersion:SecretVersion": 1,
    "aws:ssm/parameter:Parameter": 5 + 4,  # the backend's endpoints; the immutable settings
    "aws:backup/vault:Vault": 1, "aws:backup/plan:Plan": 1, "aws:backup/selection:Selection": 1,
    "aws:dynamodb/table:Table": 1,
    # The final snapshots' name suffixes (database, cache).
    "random:index/randomId:RandomId": 2,
    # Monitoring: an alarm topic in the region and in us-east-1 (each with its key), the dashboard;
    # alarms: the backend's 2, PostgreSQL's 4, Redis's 3, CloudFront's 1.
    "aws:sns/topic:Topic": 2, "aws:sns/topicPolicy:TopicPolicy": 1,
    "aws:backup/vaultNotifications:VaultNotifications": 1,  # failed backups reach the topic
    "aws:cloudwatch/dashboard:Dashboard": 1,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 10,
    # Real spend: the AWS Budgets budget and the topic policy that lets it publish.
    "aws:budgets/budget:Budget": 1,
}
# staging: 2 AZs, 1 NAT gateway, no read replica, the example domain.
STAGING_RESOURCES = {
    "pulumi:providers:aws": 2,  # the stack's region, and us-east-1 for CloudFront's WAF and cert
    "random:index/randomPassword:RandomPassword": 2,
    "random:index/randomId:RandomId": 2,  # the final snapshots' name suffixes
    "aws:ec2/vpc:Vpc": 1, "aws:ec2/subnet:Subnet": 6, "aws:ec2/internetGateway:InternetGateway": 1,
    "aws:ec2/eip:Eip": 1, "aws:ec2/natGateway:NatGateway": 1,
    "aws:ec2/routeTable:RouteTable": 4, "aws:ec2/route:Route": 3,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
    "aws:ec2/vpcEndpoint:VpcEndpoint": 1, "aws:ec2/flowLog:FlowLog": 1,
    # the tasks' shared group, and web's and api's own (api admits web: dependsOn)
    "aws:ec2/securityGroup:SecurityGroup": 6, INGRESS: 6, EGRESS: 5,
    "aws:s3/bucket:Bucket": 2, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 2,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 2,
    "aws:s3/bucketVersioning:BucketVersioning": 1,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 2,
    "aws:s3/bucketPolicy:BucketPolicy": 2,
    "aws:cloudfront/originAccessControl:OriginAccessControl": 1,
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": 1,
    "aws:cloudfront/distribution:Distribution": 1, "aws:wafv2/webAcl:WebAcl": 1,
    # its blocked and counted requests, to a log group in us-east-1 (with a logs key there)
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": 1,
    "aws:acm/certificate:Certificate": 2, "aws:acm/certificateValidation:CertificateValidation": 2,
    "aws:route53/record:Record": 5,
    "aws:lb/loadBalancer:LoadBalancer": 1,
    # seed 001's web and api: each two groups (blue/green and canary shift between them)
    "aws:lb/targetGroup:TargetGroup": 4,
    # HTTPS only: the group admits CloudFront on 443 alone, so no :80 redirect listener.
    "aws:lb/listener:Listener": 1, "aws:lb/listenerRule:ListenerRule": 2,
    "aws:ecr/repository:Repository": 2, "aws:ecr/lifecyclePolicy:LifecyclePolicy": 2,
    # the services find each other in the cluster's Cloud Map namespace (Service Connect)
    "aws:ecs/cluster:Cluster": 1, "aws:servicediscovery/httpNamespace:HttpNamespace": 1,
    "aws:ecs/taskDefinition:TaskDefinition": 2,
    "aws:ecs/service:Service": 2,
    "aws:appautoscaling/target:Target": 2, "aws:appautoscaling/policy:Policy": 2,
    # + Container Insights' performance log group, one per service
    "aws:cloudwatch/logGroup:LogGroup": 7, "aws:kms/key:Key": 5, "aws:kms/alias:Alias": 4,
    # flow logs, AWS Backup, and per service task execution, task, ECS infrastructure (traffic
    # shifting); each task role reads the rotated database secret
    "aws:iam/role:Role": 8, "aws:iam/rolePolicy:RolePolicy": 5,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 6,
    "aws:rds/subnetGroup:SubnetGroup": 1, "aws:rds/parameterGroup:ParameterGroup": 1,
    "aws:rds/instance:Instance": 1,
    "aws:elasticache/subnetGroup:SubnetGroup": 1,
    "aws:elasticache/replicationGroup:ReplicationGroup": 1,
    "aws:secretsmanager/secret:Secret": 1, "aws:secretsmanager/secretVersion:SecretVersion": 1,
    "aws:backup/vault:Vault": 1, "aws:backup/plan:Plan": 1, "aws:backup/selection:Selection": 1,
    "aws:dynamodb/table:Table": 1,
    "aws:ssm/parameter:Parameter": 4,  # the immutable settings, read back by the next preview
    # alarms: the ALB's 1, per service 2 on its target groups and 2 on ECS, PostgreSQL's 4, 3 for
    # each of the 2 Redis nodes, CloudFront's 1.
    "aws:sns/topic:Topic": 2, "aws:sns/topicPolicy:TopicPolicy": 1,
    "aws:backup/vaultNotifications:VaultNotifications": 1,  # failed backups reach the topic
    "aws:cloudwatch/dashboard:Dashboard": 1,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 20,
    "aws:budgets/budget:Budget": 1,
}
# prod: the same shape, with 3 AZs, a NAT gateway per AZ and a read replica (+ its 2 log groups).
PROD_RESOURCES = {
    **STAGING_RESOURCES,
    "aws:ec2/subnet:Subnet": 9, "aws:ec2/eip:Eip": 3, "aws:ec2/natGateway:NatGateway": 3,
    "aws:ec2/routeTable:RouteTable": 5, "aws:ec2/route:Route": 4,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": 9,
    "aws:rds/instance:Instance": 2, "aws:cloudwatch/logGroup:LogGroup": 9,
    # The primary's generated password, its secret, version and rotation function (AWS's
    # template through the Serverless Application Repository) with its security group: out to
    # HTTPS and PostgreSQL, admitted by the database.
    "random:index/randomPassword:RandomPassword": 3,
    "aws:secretsmanager/secret:Secret": 2, "aws:secretsmanager/secretVersion:SecretVersion": 2,
    "aws:secretsmanager/secretRotation:SecretRotation": 1,
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": 1,
    "aws:ec2/securityGroup:SecurityGroup": 7, INGRESS: 7, EGRESS: 7,
    # + 4 alarms on the replica, + 3 on the third Redis node
    "aws:cloudwatch/metricAlarm:MetricAlarm": 27,
}
EXPECTED_RESOURCES = {"dev": DEV_RESOURCES, "staging": STAGING_RESOURCES, "prod": PROD_RESOURCES}

MONITORING_COMPONENTS = {"webstack:monitoring:Alerts", "webstack:monitoring:Alarms",
                         "webstack:monitoring:Dashboard", "webstack:monitoring:Budget"}
MVP_COMPONENTS = {"webstack:data:ImmutableSettings", "webstack:network:Network",
                  "webstack:assets:AssetsBucket", "webstack:cdn:Cdn",
                  "webstack:server:Server", "webstack:database:Database", "webstack:cache:Cache",
                  "webstack:app:AppConfig", "webstack:logs:LogsKey", "webstack:backup:Backups",
                  "webstack:deployments:DeploymentHistory", *MONITORING_COMPONENTS}
SCALED_COMPONENTS = {
    "webstack:data:ImmutableSettings", "webstack:network:Network", "webstack:network:FlowLogs",
    "webstack:logs:LogsKey",
    "webstack:logs:LogsBucket", "webstack:assets:AssetsBucket", "webstack:cdn:Cdn",
    "webstack:waf:Waf", "webstack:certificates:Certificates", "webstack:dns:DnsRecords",
    "webstack:load_balancer:LoadBalancer", "webstack:service:AppFirewall",
    "webstack:service:Service", "webstack:registry:Registry", "webstack:database:Database",
    "webstack:service:Cluster", "webstack:service:ServiceFirewall", "webstack:load_balancer:Route",
    "webstack:cache:Cache", "webstack:backup:Backups", "webstack:deployments:DeploymentHistory",
    *MONITORING_COMPONENTS}
OPERATIONS_OUTPUTS = {"backupVaultName", "backupRetentionDays", "deploymentHistoryTable", "dashboardUrl",
                      "alarmTopicArn", "databaseInstanceId", "cacheReplicationGroupId", "cdnDistributionId"}
MVP_OUTPUTS = {"tier", "region", "siteUrl", "assetsBucket", "backendUrl", "backendPublicIp",
               "databaseEndpoint", "cacheEndpoint", *OPERATIONS_OUTPUTS}
SCALED_OUTPUTS = {"tier", "region", "siteUrl", "apiUrl", "albDnsName", "assetsBucket",
                  "logsBucket", "ecrRepositoryUrl", "clusterName", "serviceName",
                  "serviceNames", "ecrRepositoryUrls",
                  "databaseEndpoint", "databaseReaderEndpoint", "cacheEndpoint", "webAclArn",
                  "hostedZoneId", *OPERATIONS_OUTPUTS}


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_creates_exactly_its_platform(plan_of, stack):
    assert dict(plan_of(stack).count_by_type()) == EXPECTED_RESOURCES[stack]


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_belongs_to_a_component(plan_of, stack):
    plan = plan_of(stack)
    components = {r.urn: r.type for r in plan if not r.custom}
    expected = MVP_COMPONENTS if stack == "dev" else SCALED_COMPONENTS
    # prod's read replica needs the database's own credentials (RDS cannot manage them then).
    assert set(components.values()) == (
        expected | {"webstack:database:Credentials"} if stack == "prod" else expected)
    for resource in plan:
        if resource.custom and not resource.type.startswith("pulumi:providers:"):
            assert resource.parent in components, resource.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_resource_uses_a_tagged_explicit_provider(plan_of, stack):
    plan = plan_of(stack)
    providers = {p.urn: p for p in plan.of_type("pulumi:providers:aws")}
    tier = "mvp" if stack == "dev" else "scaled"
    for provider in providers.values():
        # Providers receive nested config as JSON text, as the real engine sends it.
        assert json.loads(provider.inputs["defaultTags"])["tags"] == {
            "Project": "webstack", "Stack": stack, "Tier": tier, "ManagedBy": "pulumi"}
    for resource in plan:
        if resource.custom and resource.type.startswith("aws:"):
            assert resource.provider_urn in providers, resource.name


@pytest.mark.parametrize("stack", STACKS)
def test_only_cloudfront_scoped_resources_leave_the_stack_region(plan_of, stack):
    plan = plan_of(stack)
    # A resource's own `region` overrides its provider's.
    elsewhere = {r.name for r in plan if r.custom and r.type.startswith("aws:")
                 and (r.inputs.get("region") or plan.by_urn(r.provider_urn).inputs["region"])
                 != "ap-northeast-2"}
    # CloudFront's metrics live in us-east-1: its alarm, and the topic (and key) it notifies.
    alarm = {"alarms-cloudfront-5xx-rate", "alerts-us-east-1-topic", "alerts-us-east-1-key",
             "alerts-us-east-1-key-alias"}
    # The web ACL, and its request logs (which AWS keeps in the web ACL's region).
    edge = {"waf-web-acl", "certificates-site", "certificates-site-validation",
            "waf-log-group", "waf-logging", "edge-logs-key", "edge-logs-alias"}
    assert elsewhere == (alarm if stack == "dev" else alarm | edge)


@pytest.mark.parametrize("stack", STACKS)
def test_every_security_group_rule_references_a_group_or_range_of_the_plan(plan_of, stack):
    plan = plan_of(stack)
    group_ids = {g.id for g in plan.of_type(SG)}
    for rule in plan.of_type(INGRESS) + plan.of_type(EGRESS):
        assert rule.inputs["securityGroupId"] in group_ids, rule.name
        source = rule.inputs.get("referencedSecurityGroupId")
        assert source is None or source in group_ids, rule.name
        assert source or rule.inputs.get("cidrIpv4") or rule.inputs.get("prefixListId"), rule.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_security_group_has_a_role(plan_of, stack):
    roles = Counter(g.inputs["tags"]["Role"] for g in plan_of(stack).of_type(SG))
    expected = {"backend": 1, "database": 1, "cache": 1}
    # the scaled tier: + the ALB, and web's and api's own groups
    expected = expected if stack == "dev" else {**expected, "edge": 1, "backend": 3}
    # prod's password rotation function reaches the database as a backend does.
    assert roles == ({**expected, "backend": 4} if stack == "prod" else expected)


@pytest.mark.parametrize("stack", STACKS)
def test_outputs_tell_the_user_where_things_are(plan_of, stack):
    outputs = plan_of(stack).outputs
    assert set(outputs) == (MVP_OUTPUTS if stack == "dev" else SCALED_OUTPUTS)
    assert all(isinstance(v, str) and v for v in outputs.values())


@pytest.mark.parametrize("stack", SCALED_STACKS)
def test_scaled_outputs_name_the_site_api_and_reader(plan_of, stack):
    outputs = plan_of(stack).outputs
    site = "https://example.com" if stack == "prod" else "https://staging.example.com"
    assert outputs["siteUrl"] == site
    assert outputs["apiUrl"] == site + "/api/"
    assert outputs["clusterName"] == f"webstack-{stack}-cluster"
    assert outputs["serviceName"] == f"webstack-{stack}-api"  # the first by name
    assert json.loads(outputs["serviceNames"]) == {
        "api": f"webstack-{stack}-api", "web": f"webstack-{stack}-web"}
    assert outputs["webAclArn"].startswith("arn:aws:wafv2:us-east-1:")
    replica = "-replica-1." in outputs["databaseReaderEndpoint"]
    assert replica == (stack == "prod")  # prod reads from its replica; staging from the writer


def _secret_values(plan) -> list[str]:
    return [r.outputs["result"] for r in plan.of_type("random:index/randomPassword:RandomPassword")]


@pytest.mark.parametrize("stack", STACKS)
def test_no_output_is_or_contains_a_secret(plan_of, stack):
    plan = plan_of(stack)
    assert plan.secret_outputs == frozenset()
    secrets = _secret_values(plan)
    assert secrets
    for value in plan.outputs.values():
        assert not any(secret in value for secret in secrets)


@pytest.mark.parametrize("stack", STACKS)
def test_secrets_flow_only_into_secret_inputs(plan_of, stack):
    plan = plan_of(stack)
    for secret in _secret_values(plan):
        for resource in plan:
            for key, value in resource.inputs.items():
                if secret in str(value):
                    assert key in resource.secret_inputs, f"{resource.name}.{key} holds a secret in clear"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_previews_are_repeatable(plan_of, stack):
    again = run_preview(stack)
    assert sorted((r.urn, r.id) for r in again) == sorted((r.urn, r.id) for r in plan_of(stack))
    assert again.outputs == plan_of(stack).outputs


@pytest.mark.parametrize("stack", STACKS)
def test_every_log_group_has_a_retention_and_the_logs_key(plan_of, stack):
    plan = plan_of(stack)
    keys = {k.name: k.outputs["arn"] for k in plan.of_type("aws:kms/key:Key")}
    groups = plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert groups
    for group in groups:
        assert group.inputs["retentionInDays"] == {"dev": 14, "staging": 30, "prod": 90}[stack]
        # The WAF's group lives in us-east-1, so its key does too.
        key = "edge-logs-key" if group.name == "waf-log-group" else "logs-key"
        assert group.inputs["kmsKeyId"] == keys[key], group.name
