"""Answers the program's resource registrations and invokes with realistic AWS values."""
from __future__ import annotations

import hashlib
from typing import Callable, Mapping, Optional

import pulumi

from config.regions import REGION_ZONES, zone_ids, zone_names

ACCOUNT_ID = "123456789012"
# CloudFront's managed policies have fixed ids in every account.
MANAGED_CACHE_POLICIES = {
    "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
}
MANAGED_ORIGIN_REQUEST_POLICIES = {
    "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
}
CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"
ELB_ARN_KINDS = ("aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup")
ELB_ZONE_IDS = {"ap-northeast-2": "ZWKZPGTI48KDX", "us-east-1": "Z35SXDOTRQ7X7K"}
AMI_IDS = {"x86_64": "ami-0a1b2c3d4e5f60718", "arm64": "ami-0f1e2d3c4b5a69788"}


def _digits(name: str, length: int = 17) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:length]


# Resource type → (id prefix, extra outputs the provider would compute).
ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc", "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg", "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/routeTable:RouteTable": "rtb", "aws:ec2/instance:Instance": "i",
    "aws:ec2/eip:Eip": "eipalloc", "aws:ec2/natGateway:NatGateway": "nat",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:cloudfront/distribution:Distribution": "E",
    "aws:kms/key:Key": "mrk",
}


class WebstackMocks(pulumi.runtime.Mocks):
    """Mock engine answers; an invoke it does not know fails loudly, naming its token."""

    def __init__(self, region: str, unknowns: bool = False,
                 parameters: Optional[Mapping[str, str]] = None):
        self.region = region
        # SSM parameters that exist before this run (name → value): a stack deployed before.
        self.parameters = dict(parameters or {})
        # First-run mode: as in the preview of a brand-new stack, the engine answers a new
        # resource with its inputs only; ids, ARNs, names and endpoints the provider computes
        # stay unknown (the SDK resolves every output missing from a dry-run answer as unknown).
        self.unknowns = unknowns
        self.provider_regions: dict[str, str] = {}  # provider id → its region, for ARNs
        self.invokes: dict[str, Callable[[dict], dict]] = {
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._zones,
            "aws:index/getCallerIdentity:getCallerIdentity": self._caller,
            "aws:index/getRegion:getRegion": self._region,
            "aws:index/getPartition:getPartition": lambda a: {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"},
            "aws:ec2/getAmi:getAmi": self._ami,
            "aws:cloudfront/getCachePolicy:getCachePolicy": self._cache_policy,
            "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy":
                self._origin_request_policy,
            "aws:ec2/getManagedPrefixList:getManagedPrefixList": self._prefix_list,
            "aws:ssm/getParametersByPath:getParametersByPath": self._parameters_by_path,
        }

    def call(self, args: pulumi.runtime.MockCallArgs):
        answer = self.invokes.get(args.token)
        if answer is None:
            raise NotImplementedError(f"the offline preview has no mock for invoke {args.token}")
        return answer(args.args)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        if not args.custom and not args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-component", {}
        if self.unknowns:
            return "", dict(args.inputs)
        resource_id = self._id(args.typ, args.name)
        state = dict(args.inputs)
        if args.typ == "pulumi:providers:aws":
            self.provider_regions[resource_id] = state.get("region", self.region)
        region = self.provider_regions.get((args.provider or "").rsplit("::", 1)[-1], self.region)
        state.setdefault("arn", self._arn(args.typ, args.name, resource_id, state, region))
        state.update(self._computed(args.typ, args.name, resource_id, state))
        return resource_id, state

    # ---- invokes ----

    def _zones(self, _args: dict) -> dict:
        """The region's real zones (config/regions.py); an unknown region has none, so the
        program's azCount check refuses it by name."""
        names, ids = ((zone_names(self.region), zone_ids(self.region))
                      if self.region in REGION_ZONES else ([], []))
        return {"id": self.region, "names": names, "state": "available", "zoneIds": ids,
                "groupNames": [self.region]}

    def _caller(self, _args: dict) -> dict:
        return {"accountId": ACCOUNT_ID, "id": ACCOUNT_ID, "userId": "AIDAMOCKUSER",
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/preview"}

    def _region(self, _args: dict) -> dict:
        return {"name": self.region, "region": self.region, "id": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com", "description": self.region}

    def _ami(self, args: dict) -> dict:
        architecture = next((f["values"][0] for f in args.get("filters", [])
                             if f["name"] == "architecture"), "x86_64")
        return {"id": AMI_IDS[architecture], "imageId": AMI_IDS[architecture],
                "architecture": architecture, "name": f"al2023-ami-2023.9.20261101.0-kernel-6.12-{architecture}",
                "ownerId": "137112412989", "rootDeviceName": "/dev/xvda"}

    def _cache_policy(self, args: dict) -> dict:
        name = args.get("name")
        if name not in MANAGED_CACHE_POLICIES:
            raise LookupError(f"no CloudFront cache policy named {name!r}")
        return {"id": MANAGED_CACHE_POLICIES[name], "name": name}

    def _origin_request_policy(self, args: dict) -> dict:
        name = args.get("name")
        if name not in MANAGED_ORIGIN_REQUEST_POLICIES:
            raise LookupError(f"no CloudFront origin request policy named {name!r}")
        return {"id": MANAGED_ORIGIN_REQUEST_POLICIES[name], "name": name}

    def _prefix_list(self, args: dict) -> dict:
        if args.get("name") != CLOUDFRONT_ORIGIN_FACING:
            raise LookupError(f"no managed prefix list named {args.get('name')!r}")
        return {"id": "pl-22a6434b", "name": CLOUDFRONT_ORIGIN_FACING, "maxEntries": 55,
                "addressFamily": "IPv4", "ownerId": "AWS",
                "arn": f"arn:aws:ec2:{self.region}:aws:prefix-list/pl-22a6434b"}

    def _parameters_by_path(self, args: dict) -> dict:
        path = args["path"].rstrip("/") + "/"
        found = sorted((n, v) for n, v in self.parameters.items() if n.startswith(path))
        return {"id": args["path"], "path": args["path"], "names": [n for n, _ in found],
                "values": [v for _, v in found], "types": ["String"] * len(found),
                "arns": [f"arn:aws:ssm:{self.region}:{ACCOUNT_ID}:parameter{n}" for n, _ in found],
                "withDecryption": True}

    # ---- resources ----

    def _id(self, typ: str, name: str) -> str:
        prefix = ID_PREFIXES.get(typ)
        if prefix == "E":
            return "E" + _digits(name, 13).upper()
        return f"{prefix}-{_digits(name)}" if prefix else f"{name}-{_digits(name, 8)}"

    def _arn(self, typ: str, name: str, resource_id: str, state: dict, region: str) -> str:
        service = typ.split(":")[1].split("/")[0]
        if typ == "aws:s3/bucket:Bucket":
            return f"arn:aws:s3:::{self._bucket_name(name, state)}"
        if typ == "aws:cloudfront/distribution:Distribution":
            return f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/{resource_id}"
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            return f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{state.get('name', name)}"
        if typ == "aws:kms/key:Key":
            return f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{resource_id}"
        if typ in ELB_ARN_KINDS:
            suffix = self._elb_arn_suffix(typ, name, state)
            return f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:{suffix}"
        if typ == "aws:sns/topic:Topic":
            return f"arn:aws:sns:{region}:{ACCOUNT_ID}:{state.get('name', name)}"
        if typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            return f"arn:aws:cloudwatch:{region}:{ACCOUNT_ID}:alarm:{state.get('name', name)}"
        if typ == "aws:iam/role:Role":
            return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
        if typ == "aws:lambda/function:Function":
            return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{state.get('name', name)}"
        if typ == "aws:sqs/queue:Queue":
            return f"arn:aws:sqs:{region}:{ACCOUNT_ID}:{state.get('name', name)}"
        if typ == "aws:rds/proxy:Proxy":  # the resource id IAM's rds-db:connect names
            return f"arn:aws:rds:{region}:{ACCOUNT_ID}:db-proxy:prx-{_digits(name, 17)}"
        if typ == "aws:wafv2/webAcl:WebAcl" and state.get("scope") == "CLOUDFRONT":
            return f"arn:aws:wafv2:{region}:{ACCOUNT_ID}:global/webacl/{state.get('name', name)}/{resource_id}"
        if typ == "aws:acm/certificate:Certificate":
            return f"arn:aws:acm:{region}:{ACCOUNT_ID}:certificate/{_digits(name, 32)}"
        if typ.startswith("aws:lb/"):  # listeners and their rules
            return f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:{typ.split(':')[-1].lower()}/{resource_id}"
        return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource_id}"

    def _elb_arn_suffix(self, typ: str, name: str, state: dict) -> str:
        """What CloudWatch knows a load balancer or target group by: the end of its ARN."""
        resource = state.get("name", name)
        if typ == "aws:lb/targetGroup:TargetGroup":
            return f"targetgroup/{resource}/{_digits(name, 16)}"
        return f"loadbalancer/app/{resource}/{_digits(name, 16)}"

    def _bucket_name(self, name: str, state: dict) -> str:
        return state.get("bucket") or f"{state.get('bucketPrefix', name + '-')}{_digits(name, 8)}"

    def _computed(self, typ: str, name: str, resource_id: str, state: dict) -> dict:
        computers: dict[str, Callable[[], dict]] = {
            "aws:s3/bucket:Bucket": lambda: {
                "bucket": self._bucket_name(name, state),
                "bucketRegionalDomainName":
                    f"{self._bucket_name(name, state)}.s3.{self.region}.amazonaws.com"},
            "aws:cloudfront/distribution:Distribution": lambda: {
                "domainName": f"d{_digits(name, 13)}.cloudfront.net", "hostedZoneId": "Z2FDTNDATAQYW2"},
            "aws:ec2/eip:Eip": lambda: {"publicIp": "203.0.113.10",
                                        "publicDns": "ec2-203-0-113-10.compute.amazonaws.com"},
            "aws:rds/instance:Instance": lambda: self._rds(name, state),
            "aws:rds/subnetGroup:SubnetGroup": lambda: {"name": state.get("name", f"{name}-{_digits(name, 7)}")},
            "aws:rds/proxy:Proxy": lambda: {
                "endpoint": f"{state.get('name', name)}.proxy-cabcdefghijk.{self.region}.rds.amazonaws.com"},
            "aws:rds/parameterGroup:ParameterGroup": lambda: {"name": state.get("name", f"{name}-{_digits(name, 7)}")},
            "aws:elasticache/replicationGroup:ReplicationGroup": lambda: {
                "primaryEndpointAddress": f"master.{state['replicationGroupId']}.abc123.apne2.cache.amazonaws.com",
                "readerEndpointAddress": f"replica.{state['replicationGroupId']}.abc123.apne2.cache.amazonaws.com",
                # ElastiCache names a replication group's node clusters <group id>-001, -002…
                "memberClusters": [f"{state['replicationGroupId']}-{n:03d}"
                                   for n in range(1, int(state.get("numCacheClusters", 1)) + 1)]},
            "aws:kms/key:Key": lambda: {"keyId": resource_id},
            "aws:iam/role:Role": lambda: {"name": state.get("name", f"{name}-{_digits(name, 7)}")},
            "aws:iam/instanceProfile:InstanceProfile": lambda: {"name": state.get("name", f"{name}-{_digits(name, 7)}")},
            "aws:lb/loadBalancer:LoadBalancer": lambda: {
                "dnsName": f"{state.get('name', name)}-{_digits(name, 10)}.{self.region}.elb.amazonaws.com",
                "zoneId": ELB_ZONE_IDS.get(self.region, "ZMOCKELBZONE"),
                # CloudWatch's LoadBalancer dimension: the ARN's end without "loadbalancer/".
                "arnSuffix": self._elb_arn_suffix(typ, name, state).removeprefix("loadbalancer/")},
            "aws:lb/targetGroup:TargetGroup": lambda: {
                "arnSuffix": self._elb_arn_suffix(typ, name, state)},
            "aws:ecr/repository:Repository": lambda: {
                "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{self.region}.amazonaws.com/{state.get('name', name)}"},
            "aws:acm/certificate:Certificate": lambda: self._certificate(name, state),
            "aws:acm/certificateValidation:CertificateValidation": lambda: {
                "certificateArn": state.get("certificateArn")},
            "aws:route53/record:Record": lambda: {"fqdn": str(state.get("name", name)).rstrip(".")},
            "aws:ecs/cluster:Cluster": lambda: {"name": state.get("name", name)},
            "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": lambda: {
                "outputs": self._application_outputs(state)},
            "aws:ecs/service:Service": lambda: {"name": state.get("name", name)},
            # A new function published with publish=True is version 1.
            "aws:lambda/function:Function": lambda: {
                "version": "1", "qualifiedArn": f"{state['arn']}:1",
                "invokeArn": self._lambda_invoke_arn(state["arn"])},
            "aws:lambda/alias:Alias": lambda: {
                "arn": self._alias_arn(state),
                "invokeArn": self._lambda_invoke_arn(self._alias_arn(state))},
            "aws:apigateway/restApi:RestApi": lambda: {
                "rootResourceId": _digits(name, 10),
                "executionArn": f"arn:aws:execute-api:{self.region}:{ACCOUNT_ID}:{resource_id}"},
            "aws:apigateway/stage:Stage": lambda: {
                "invokeUrl": f"https://{state.get('restApi')}.execute-api.{self.region}"
                             f".amazonaws.com/{state.get('stageName')}"},
            "aws:sqs/queue:Queue": lambda: {
                "url": f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT_ID}/{state.get('name', name)}"},
            "aws:random/randomPassword:RandomPassword": lambda: {"result": "mock-" + _digits(name, 40)},
            "random:index/randomPassword:RandomPassword": lambda: {"result": "mock-" + _digits(name, 40)},
            "random:index/randomId:RandomId": lambda: {"hex": _digits(name, 2 * int(state.get("byteLength", 4)))},
        }
        compute = computers.get(typ)
        return compute() if compute else {}

    def _lambda_invoke_arn(self, function_arn: str) -> str:
        """What API Gateway integrates with: the function (or alias) ARN in its invoke path."""
        return (f"arn:aws:apigateway:{self.region}:lambda:path/2015-03-31/functions/"
                f"{function_arn}/invocations")

    def _alias_arn(self, state: dict) -> str:
        return (f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:"
                f"{state.get('functionName')}:{state.get('name')}")

    def _application_outputs(self, state: dict) -> dict:
        """AWS's Secrets Manager rotation templates output the function they create."""
        function = state.get("parameters", {}).get("functionName", "rotation")
        return {"RotationLambdaARN":
                f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{function}"}

    def _certificate(self, name: str, state: dict) -> dict:
        domain = state["domainName"]
        token = _digits(name, 32)
        return {"domainValidationOptions": [{
            "domainName": domain, "resourceRecordName": f"_{token}.{domain}.",
            "resourceRecordType": "CNAME",
            "resourceRecordValue": f"_{token[::-1]}.mhbtsbpdnt.acm-validations.aws."}],
            "status": "PENDING_VALIDATION"}

    def _rds(self, name: str, state: dict) -> dict:
        identifier = state.get("identifier", name)
        address = f"{identifier}.cabcdefghijk.{self.region}.rds.amazonaws.com"
        secrets = ([{"secretArn": f"arn:aws:secretsmanager:{self.region}:{ACCOUNT_ID}:secret:rds!db-{_digits(name, 8)}",
                     "secretStatus": "active", "kmsKeyId": ""}]
                   if state.get("manageMasterUserPassword") else [])
        return {"address": address, "endpoint": f"{address}:5432", "port": 5432,
                "masterUserSecrets": secrets}
