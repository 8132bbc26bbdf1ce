"""The pulumi-aws v7 type tokens the policies read, checked against the installed provider SDK."""
from __future__ import annotations

# RDS
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
RDS_CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"

# ElastiCache
CACHE_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
CACHE_SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"

# S3: v7 renamed BucketV2 to Bucket; the *V2 tokens remain as deprecated aliases.
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
BUCKETS = (BUCKET, BUCKET_V2)
BUCKET_ENCRYPTION = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                     "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
BUCKET_VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning",
                     "aws:s3/bucketVersioningV2:BucketVersioningV2")
BUCKET_ACL = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
BUCKET_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_OBJECTS = ("aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2")

# EC2 and EBS
EC2_INSTANCE = "aws:ec2/instance:Instance"
EC2_SPOT_INSTANCE = "aws:ec2/spotInstanceRequest:SpotInstanceRequest"
EC2_LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
EC2_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
# Instance, spot request and launch configuration share rootBlockDevice/ebsBlockDevices/metadataOptions.
EC2_INSTANCE_LIKE = (EC2_INSTANCE, EC2_SPOT_INSTANCE, EC2_LAUNCH_CONFIGURATION)
EBS_VOLUME = "aws:ebs/volume:Volume"
EIP = "aws:ec2/eip:Eip"
SUBNET = "aws:ec2/subnet:Subnet"

# Security groups: every way pulumi-aws lets a program write an ingress rule.
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUPS = (SECURITY_GROUP, DEFAULT_SECURITY_GROUP)
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

# Load balancing: aws.alb.* are aliases of aws.lb.*.
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LISTENER_RULES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")

# CloudFront
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
MULTITENANT_DISTRIBUTION = "aws:cloudfront/multitenantDistribution:MultitenantDistribution"
DISTRIBUTIONS = (DISTRIBUTION, MULTITENANT_DISTRIBUTION)
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"

# ECS
ECS_SERVICE = "aws:ecs/service:Service"
ECS_TASK_SET = "aws:ecs/taskSet:TaskSet"

# DynamoDB, SNS, CloudWatch Logs, AWS Backup
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
DYNAMODB_TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica"
SNS_TOPIC = "aws:sns/topic:Topic"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BACKUP_VAULT = "aws:backup/vault:Vault"
BACKUP_AIR_GAPPED_VAULT = "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault"
BACKUP_PLAN = "aws:backup/plan:Plan"

AWS_PROVIDER = "pulumi:providers:aws"

# S3: the resources that can weaken a bucket from outside its definition
BUCKET_OWNERSHIP_CONTROLS = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"

# Containers
ECS_TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECR_REPOSITORY = "aws:ecr/repository:Repository"

# Keys and secrets
KMS_KEY = "aws:kms/key:Key"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"

# Load balancers (aws.alb.LoadBalancer is an alias of aws.lb.LoadBalancer), WAF logging
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"

# Serverless: Lambda, API Gateway (REST), RDS Proxy, CodeDeploy
LAMBDA_FUNCTION = "aws:lambda/function:Function"
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
LAMBDA_FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
API_STAGE = "aws:apigateway/stage:Stage"
API_METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
API_USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan"
API_DOMAIN_NAME = "aws:apigateway/domainName:DomainName"
RDS_PROXY = "aws:rds/proxy:Proxy"
CODEDEPLOY_DEPLOYMENT_GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
