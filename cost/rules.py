"""How each resource type is charged: one small function per billed type, the free types with
the reason they are free. A type in neither table is listed as not priced."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from cost.model import FREE, NOT_PRICED, PRICED, Line, Resource
from cost.prices import PriceTable
from cost.usage import Usage


@dataclass(frozen=True)
class Context:
    region: str
    prices: PriceTable
    usage: Usage
    plan: Sequence[Resource]

    @property
    def hours(self) -> float:
        return self.prices.hours_per_month

    def of_type(self, type_token: str) -> list[Resource]:
        return [r for r in self.plan if r.type == type_token]


def charge(resource: Resource, ctx: Context, group: str, item: str, key: str, quantity: float,
           unit: str, basis: str) -> Line:
    """A line for `quantity` of price `key` in the resource's region; not priced when the table
    has no such price."""
    region = resource.region or ctx.region
    price = ctx.prices.get(region, key)
    if price is None:
        return Line(resource.name, resource.type, group, item, NOT_PRICED, quantity, unit,
                    basis=basis, source=f"no price for {key} in {region} in cost/prices.json")
    return Line(resource.name, resource.type, group, item, PRICED, quantity, unit, price.usd,
                quantity * price.usd, basis, price.source)


def not_priced(resource: Resource, group: str, item: str, reason: str) -> Line:
    return Line(resource.name, resource.type, group, item, NOT_PRICED, source=reason)


def _num(value, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


# ---- compute ----

def ec2_instance(r: Resource, ctx: Context) -> list[Line]:
    instance_type = r.inputs.get("instanceType", "?")
    root = r.inputs.get("rootBlockDevice") or {}
    volume_type, size = root.get("volumeType", "gp3"), _num(root.get("volumeSize"), 8)
    return [charge(r, ctx, "Compute", f"EC2 {instance_type} instance hours",
                   f"ec2.instance.{instance_type}", ctx.hours, "hours", "always on, Linux, shared tenancy"),
            charge(r, ctx, "Compute", f"EBS {volume_type} root volume", f"ebs.{volume_type}", size,
                   "GB-month", f"rootBlockDevice.volumeSize = {size:g}")]


def ebs_volume(r: Resource, ctx: Context) -> list[Line]:
    volume_type, size = r.inputs.get("type", "gp3"), _num(r.inputs.get("size"), 0)
    return [charge(r, ctx, "Compute", f"EBS {volume_type} volume", f"ebs.{volume_type}", size,
                   "GB-month", f"size = {size:g}")]


def fargate_service(r: Resource, ctx: Context) -> list[Line]:
    task = _task_definition(r, ctx)
    if task is None:
        return [not_priced(r, "Compute", "ECS service on EC2 or unknown task", "no Fargate task definition in the plan")]
    tasks, basis = _average_tasks(r, ctx)
    vcpu, gb = _num(task.inputs.get("cpu")) / 1024, _num(task.inputs.get("memory")) / 1024
    arch = ((task.inputs.get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64").lower()
    return [charge(r, ctx, "Compute", f"Fargate {arch} vCPU hours", f"fargate.{arch}.vcpu",
                   tasks * vcpu * ctx.hours, "vCPU-hours", f"{basis} × {vcpu:g} vCPU × {ctx.hours:g} h"),
            charge(r, ctx, "Compute", f"Fargate {arch} memory hours", f"fargate.{arch}.gb",
                   tasks * gb * ctx.hours, "GB-hours", f"{basis} × {gb:g} GB × {ctx.hours:g} h")]


def _task_definition(service: Resource, ctx: Context) -> Optional[Resource]:
    tasks = [t for t in ctx.of_type("aws:ecs/taskDefinition:TaskDefinition")
             if "FARGATE" in (t.inputs.get("requiresCompatibilities") or [])]
    named = [t for t in tasks if t.name in str(service.inputs.get("taskDefinition", ""))]
    return (named or tasks or [None])[0]


def _average_tasks(service: Resource, ctx: Context) -> tuple[float, str]:
    assumed = ctx.usage["fargateAverageTasks"]
    if assumed is not None:
        return float(assumed), ctx.usage.basis("fargateAverageTasks")
    targets = [t for t in ctx.of_type("aws:appautoscaling/target:Target")
               if str(service.inputs.get("name", "\0")) in str(t.inputs.get("resourceId", ""))]
    if targets:
        return _num(targets[0].inputs.get("minCapacity"), 1), "auto scaling minimum tasks"
    return _num(service.inputs.get("desiredCount"), 1), "desiredCount tasks"


# ---- network ----

def public_ipv4(r: Resource, ctx: Context) -> list[Line]:
    return [charge(r, ctx, "Network", "public IPv4 address hours", "vpc.public-ipv4", ctx.hours,
                   "hours", "an Elastic IP is billed whether attached or not")]


def nat_gateway(r: Resource, ctx: Context) -> list[Line]:
    gb = ctx.usage["natDataProcessedGb"]
    return [charge(r, ctx, "Network", "NAT gateway hours", "nat.hour", ctx.hours, "hours", "always on"),
            charge(r, ctx, "Network", "NAT gateway data processed", "nat.gb", gb, "GB",
                   ctx.usage.basis("natDataProcessedGb"))]


def vpc_endpoint(r: Resource, ctx: Context) -> list[Line]:
    if str(r.inputs.get("vpcEndpointType", "Gateway")).lower() == "gateway":
        return [Line(r.name, r.type, "Network", "gateway endpoint", FREE,
                     source="gateway endpoints (S3, DynamoDB) carry no hourly or data charge")]
    return [not_priced(r, "Network", "interface endpoint hours and data", "no interface endpoint price in cost/prices.json")]


def load_balancer(r: Resource, ctx: Context) -> list[Line]:
    if r.inputs.get("loadBalancerType", "application") != "application":
        return [not_priced(r, "Load balancing", f"{r.inputs.get('loadBalancerType')} load balancer", "only ALBs are priced")]
    lcu = ctx.usage["albAverageLcu"]
    return [charge(r, ctx, "Load balancing", "ALB hours", "alb.hour", ctx.hours, "hours", "always on"),
            charge(r, ctx, "Load balancing", "ALB capacity units", "alb.lcu", lcu * ctx.hours, "LCU-hours",
                   f"{ctx.usage.basis('albAverageLcu')} × {ctx.hours:g} h")]


# ---- data ----

def rds_instance(r: Resource, ctx: Context) -> list[Line]:
    source = _replica_source(r, ctx)
    engine = (source or r).inputs.get("engine", "postgres")
    klass, multi_az = r.inputs.get("instanceClass", "?"), bool(r.inputs.get("multiAz"))
    deployment = "multi-az" if multi_az else "single-az"
    role = "read replica" if source else "instance"
    storage = _num((source or r).inputs.get("allocatedStorage"), 20)
    storage_type = (source or r).inputs.get("storageType", "gp3")
    return [charge(r, ctx, "Database", f"RDS {engine} {klass} {deployment} {role} hours",
                   f"rds.{engine}.{deployment}.{klass}", ctx.hours, "hours", "always on"),
            charge(r, ctx, "Database", f"RDS {storage_type} storage, {deployment}",
                   f"rds.{storage_type}.{deployment}", storage, "GB-month",
                   f"allocatedStorage = {storage:g}" + (" (the source's)" if source else "")),
            Line(r.name, r.type, "Database", "automated backup storage up to the provisioned storage", FREE,
                 basis=f"backupRetentionPeriod = {_num(r.inputs.get('backupRetentionPeriod')):g}",
                 source=BACKUP_FREE),
            *_performance_insights(r)]


# https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (citing aws.amazon.com/rds/pricing)
BACKUP_FREE = ("backup storage is free up to 100 % of the provisioned storage (usage.ai RDS pricing guide, "
               "read 2026-11-30); backups beyond it are not modelled")
# https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.aws_rds/PerformanceInsightRetention.html
PI_FREE_DAYS = 7


def _performance_insights(r: Resource) -> list[Line]:
    if not r.inputs.get("performanceInsightsEnabled"):
        return []
    days = _num(r.inputs.get("performanceInsightsRetentionPeriod"), PI_FREE_DAYS)
    if days == PI_FREE_DAYS:
        return [Line(r.name, r.type, "Database", "Performance Insights, 7 days", FREE,
                     source="7 days is the free tier (AWS CDK docs, PerformanceInsightRetention)")]
    return [not_priced(r, "Database", f"Performance Insights, {days:g} days",
                       "the paid retention tier is not in cost/prices.json")]


def _replica_source(r: Resource, ctx: Context) -> Optional[Resource]:
    source_id = r.inputs.get("replicateSourceDb")
    if not source_id:
        return None
    return next((db for db in ctx.of_type(r.type) if db.inputs.get("identifier") == source_id), r)


def cache_group(r: Resource, ctx: Context) -> list[Line]:
    node_type = r.inputs.get("nodeType", "?")
    nodes = _num(r.inputs.get("numCacheClusters"), 1)
    return [charge(r, ctx, "Cache", f"ElastiCache {node_type} node hours", f"elasticache.{node_type}",
                   nodes * ctx.hours, "node-hours", f"numCacheClusters = {nodes:g}, always on")]


# ---- edge ----

def cloudfront(r: Resource, ctx: Context) -> list[Line]:
    return [_free_tier(r, ctx, "data transfer out", "cloudfront.free-tier.gb", "cdnDataTransferGb", "GB"),
            _free_tier(r, ctx, "requests", "cloudfront.free-tier.requests", "cdnRequestsMillions",
                       "million requests")]


def _free_tier(r: Resource, ctx: Context, what: str, key: str, usage_key: str, unit: str) -> Line:
    price, amount = ctx.prices.get(r.region or ctx.region, key), ctx.usage[usage_key]
    basis = ctx.usage.basis(usage_key)
    if price is not None and price.limit is not None and amount <= price.limit:
        return Line(r.name, r.type, "Edge", f"CloudFront {what}", FREE, amount, unit, 0.0, 0.0, basis,
                    f"{price.source}: within the always-free {price.limit:g} {unit} a month, which "
                    "the account shares between its stacks")
    return Line(r.name, r.type, "Edge", f"CloudFront {what} beyond the free tier", NOT_PRICED, amount,
                unit, basis=basis, source="per-GB and per-request rates by edge geography not in cost/prices.json")


def web_acl(r: Resource, ctx: Context) -> list[Line]:
    rules = len(r.inputs.get("rules") or [])
    millions = ctx.usage["wafRequestsMillions"]
    return [charge(r, ctx, "Edge", "WAF web ACL", "waf.web-acl", 1, "web ACL-month", "one web ACL"),
            charge(r, ctx, "Edge", "WAF rules and rule groups", "waf.rule", rules, "rule-months",
                   f"{rules} rules in the ACL"),
            charge(r, ctx, "Edge", "WAF requests inspected", "waf.requests", millions, "million requests",
                   ctx.usage.basis("wafRequestsMillions"))]


# ---- security ----

def kms_key(r: Resource, ctx: Context) -> list[Line]:
    rotation = "rotation on: each yearly rotation adds $1/month from year 2" if r.inputs.get("enableKeyRotation") else "no rotation"
    return [charge(r, ctx, "Security", "KMS customer managed key", "kms.key", 1, "key-month",
                   f"first year; {rotation}")]


def secret(r: Resource, ctx: Context) -> list[Line]:
    return [charge(r, ctx, "Security", "Secrets Manager secret", "secretsmanager.secret", 1,
                   "secret-month", "API calls within a few thousand a month, not counted")]


# ---- observability ----

def metric_alarm(r: Resource, ctx: Context) -> list[Line]:
    queries = r.inputs.get("metricQueries") or []
    metrics = sum(1 for q in queries if q.get("metric") is not None) or 1
    return [charge(r, ctx, "Observability", "CloudWatch alarm metrics", "cloudwatch.alarm", metrics,
                   "alarm metric-months", f"{metrics} metric(s), standard resolution")]


def dashboard(r: Resource, ctx: Context) -> list[Line]:
    return [charge(r, ctx, "Observability", "CloudWatch dashboard", "cloudwatch.dashboard", 1,
                   "dashboard-month", "the account's 3 free dashboards not counted")]


def log_group(r: Resource, ctx: Context) -> list[Line]:
    gb, days = ctx.usage["logsIngestedGbPerGroup"], _num(r.inputs.get("retentionInDays"), 30)
    stored = gb * days / 30
    return [charge(r, ctx, "Observability", "CloudWatch Logs ingestion", "logs.ingest", gb, "GB",
                   ctx.usage.basis("logsIngestedGbPerGroup")),
            charge(r, ctx, "Observability", "CloudWatch Logs storage", "logs.storage", stored, "GB-month",
                   f"steady state: monthly ingestion × retentionInDays {days:g} / 30")]


# ---- storage ----

def bucket(r: Resource, ctx: Context) -> list[Line]:
    gb = ctx.usage["s3StorageGbPerBucket"]
    return [charge(r, ctx, "Storage", "S3 Standard storage", "s3.standard", gb, "GB-month",
                   ctx.usage.basis("s3StorageGbPerBucket") + "; requests not counted")]


def repository(r: Resource, ctx: Context) -> list[Line]:
    gb = ctx.usage["ecrStorageGb"]
    return [charge(r, ctx, "Storage", "ECR image storage", "ecr.storage", gb, "GB-month",
                   ctx.usage.basis("ecrStorageGb"))]


def ecs_cluster(r: Resource, ctx: Context) -> list[Line]:
    insights = any(s.get("name") == "containerInsights" and s.get("value") in ("enabled", "enhanced")
                   for s in r.inputs.get("settings") or [])
    if insights:
        return [not_priced(r, "Observability", "Container Insights metrics and logs",
                           "no Container Insights price in cost/prices.json")]
    return [Line(r.name, r.type, "Compute", "ECS cluster", FREE, source="ECS charges for the tasks, not the cluster")]


# ---- serverless ----

def lambda_function(r: Resource, ctx: Context) -> list[Line]:
    arch = "arm64" if "arm64" in (r.inputs.get("architectures") or []) else "x86_64"
    memory_gb = _num(r.inputs.get("memorySize"), 128) / 1024  # Lambda's default is 128 MB
    millions, duration_ms = ctx.usage["lambdaRequestsMillions"], ctx.usage["lambdaAverageDurationMs"]
    gb_seconds = millions * 1e6 * duration_ms / 1000 * memory_gb
    requests = ctx.usage.basis("lambdaRequestsMillions")
    return [charge(r, ctx, "Compute", f"Lambda {arch} requests", f"lambda.{arch}.requests", millions,
                   "million requests", f"{requests}; the account's free tier not deducted"),
            charge(r, ctx, "Compute", f"Lambda {arch} duration", f"lambda.{arch}.gb-second", gb_seconds,
                   "GB-seconds", f"{requests} × {ctx.usage.basis('lambdaAverageDurationMs')} × "
                                 f"memorySize {memory_gb * 1024:g} MB")]


def rest_api(r: Resource, ctx: Context) -> list[Line]:
    return [charge(r, ctx, "Edge", "API Gateway REST requests", "apigateway.rest.requests",
                   ctx.usage["apiRequestsMillions"], "million requests",
                   ctx.usage.basis("apiRequestsMillions") + "; caching and data transfer not counted")]


def api_stage(r: Resource, ctx: Context) -> list[Line]:
    if r.inputs.get("cacheClusterEnabled"):
        return [not_priced(r, "Edge", f"API Gateway cache {r.inputs.get('cacheClusterSize', '0.5')} GB hours",
                           "no API Gateway cache price read")]
    return [Line(r.name, r.type, "Edge", "API Gateway stage", FREE,
                 source="a stage without a cache; its API's requests are listed on the REST API")]


def dynamodb_table(r: Resource, ctx: Context) -> list[Line]:
    storage = charge(r, ctx, "Database", "DynamoDB storage", "dynamodb.storage", ctx.usage["dynamodbStorageGb"],
                     "GB-month", ctx.usage.basis("dynamodbStorageGb"))
    if r.inputs.get("billingMode", "PROVISIONED") != "PAY_PER_REQUEST":  # the provider's default
        return [not_priced(r, "Database", "DynamoDB provisioned capacity", "no DynamoDB provisioned price read"),
                storage]
    return [charge(r, ctx, "Database", "DynamoDB on-demand reads", "dynamodb.on-demand.read",
                   ctx.usage["dynamodbReadMillions"], "million read request units",
                   ctx.usage.basis("dynamodbReadMillions")),
            charge(r, ctx, "Database", "DynamoDB on-demand writes", "dynamodb.on-demand.write",
                   ctx.usage["dynamodbWriteMillions"], "million write request units",
                   ctx.usage.basis("dynamodbWriteMillions")),
            storage]


def unpriced(group: str, item: str, reason: str) -> Callable[[Resource, Context], list[Line]]:
    return lambda r, ctx: [not_priced(r, group, item, reason)]


BILLED: dict[str, Callable[[Resource, Context], list[Line]]] = {
    "aws:ec2/instance:Instance": ec2_instance,
    "aws:ebs/volume:Volume": ebs_volume,
    "aws:ec2/eip:Eip": public_ipv4,
    "aws:ec2/natGateway:NatGateway": nat_gateway,
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpc_endpoint,
    "aws:lb/loadBalancer:LoadBalancer": load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": load_balancer,
    "aws:ecs/service:Service": fargate_service,
    "aws:ecs/cluster:Cluster": ecs_cluster,
    "aws:rds/instance:Instance": rds_instance,
    "aws:elasticache/replicationGroup:ReplicationGroup": cache_group,
    "aws:cloudfront/distribution:Distribution": cloudfront,
    "aws:wafv2/webAcl:WebAcl": web_acl,
    "aws:kms/key:Key": kms_key,
    "aws:secretsmanager/secret:Secret": secret,
    "aws:cloudwatch/metricAlarm:MetricAlarm": metric_alarm,
    "aws:cloudwatch/dashboard:Dashboard": dashboard,
    "aws:cloudwatch/logGroup:LogGroup": log_group,
    "aws:s3/bucket:Bucket": bucket,
    "aws:s3/bucketV2:BucketV2": bucket,
    "aws:ecr/repository:Repository": repository,
    "aws:dynamodb/table:Table": dynamodb_table,
    "aws:lambda/function:Function": lambda_function,
    "aws:apigateway/restApi:RestApi": rest_api,
    "aws:apigateway/stage:Stage": api_stage,
    "aws:rds/proxy:Proxy": unpriced("Database", "RDS Proxy, per vCPU-hour of its target database",
                                    "no RDS Proxy price read"),
    "aws:codedeploy/deploymentGroup:DeploymentGroup": unpriced("Compute", "CodeDeploy deployments",
                                                               "no CodeDeploy price read"),
    "aws:sns/topic:Topic": unpriced("Observability", "SNS publishes and e-mail deliveries",
                                    "no SNS price read"),
    "aws:backup/vault:Vault": unpriced("Backup", "AWS Backup storage of RDS/EBS snapshots",
                                       "no AWS Backup storage price read"),
    "aws:route53/record:Record": unpriced("Edge", "Route 53 DNS queries",
                                          "no Route 53 query price read (the zone is not made by this program)"),
    "aws:budgets/budget:Budget": unpriced("Observability", "AWS Budgets budget",
                                          "no AWS Budgets price read"),
}

FREE_TYPES: dict[str, str] = {
    **{t: "VPC networking objects carry no charge" for t in (
        "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable", "aws:ec2/route:Route",
        "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/securityGroup:SecurityGroup", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")},
    "aws:ec2/flowLog:FlowLog": "flow logs are charged as ingestion into their log group (priced there)",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":
        "WAF request logs are charged as ingestion into their log group (listed there)",
    **{t: "IAM carries no charge" for t in (
        "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/instanceProfile:InstanceProfile")},
    "aws:kms/alias:Alias": "aliases carry no charge; the key is priced",
    **{t: "bucket configuration; the bucket's storage is priced" for t in (
        "aws:s3/bucketPolicy:BucketPolicy", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")},
    **{t: "configuration of a priced database or cache" for t in (
        "aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup",
        "aws:elasticache/subnetGroup:SubnetGroup")},
    "aws:ec2/launchTemplate:LaunchTemplate": "a template carries no charge; the instances it starts do",
    "aws:ecs/taskDefinition:TaskDefinition": "Fargate charges the running tasks (priced on the service)",
    "aws:appautoscaling/target:Target": "Application Auto Scaling carries no charge",
    "aws:appautoscaling/policy:Policy": "Application Auto Scaling carries no charge; its alarms are CloudWatch's",
    "aws:backup/plan:Plan": "backup plans carry no charge; the vault's storage is listed",
    "aws:backup/selection:Selection": "backup selections carry no charge",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "CloudFront configuration; the distribution is listed",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "CloudFront configuration; the distribution is listed",
    **{t: "load balancer configuration; the ALB is priced" for t in (
        "aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule", "aws:lb/targetGroup:TargetGroup")},
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "repository configuration; the storage is priced",
    "aws:ssm/parameter:Parameter": "standard-tier SSM parameters carry no charge",
    "aws:secretsmanager/secretVersion:SecretVersion": "versions carry no charge; the secret is priced",
    "aws:acm/certificate:Certificate": "public ACM certificates carry no charge",
    "aws:acm/certificateValidation:CertificateValidation": "a deployment-time wait, no AWS resource",
    "aws:sns/topicSubscription:TopicSubscription": "subscriptions carry no charge; deliveries are SNS's",
    "aws:sns/topicPolicy:TopicPolicy": "topic configuration",
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": "AWS Chatbot carries no charge of its own",
    "random:index/randomPassword:RandomPassword": "generated by Pulumi, no AWS resource",
    "random:index/randomId:RandomId": "generated by Pulumi, no AWS resource",
    "aws:backup/vaultNotifications:VaultNotifications": "vault configuration; SNS deliveries are SNS's",
    **{t: "function configuration; the function's requests and duration are priced" for t in (
        "aws:lambda/alias:Alias", "aws:lambda/permission:Permission", "aws:lambda/functionUrl:FunctionUrl")},
    **{t: "API configuration; the REST API's requests are priced" for t in (
        "aws:apigateway/deployment:Deployment", "aws:apigateway/resource:Resource", "aws:apigateway/method:Method",
        "aws:apigateway/integration:Integration", "aws:apigateway/methodSettings:MethodSettings")},
    "aws:codedeploy/application:Application": "a name for its deployment groups, which are listed",
}
