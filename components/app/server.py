"""The MVP backend: one EC2 instance running the services in Docker behind nginx, with an
Elastic IP."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.network.security_groups import (ANYWHERE_IPV4, allow_all_egress, allow_from_cidrs,
                                 security_group)
from components.iam import service_role
from components.observability.logs_key import encrypted_log_group, log_group_path
from components.app.server_boot import BootArgs, render_boot_script
from config.settings import ServerSettings, ServiceSettings

PUBLIC_PORTS = (80, 443)
SSH_PORT = 22
SSM_CORE_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
AMAZON_LINUX_2023 = "al2023-ami-2023.*-kernel-*"


@dataclass(frozen=True)
class ServerArgs:
    name_prefix: str
    settings: ServerSettings
    region: str
    vpc_id: pulumi.Input[str]
    subnet_id: pulumi.Input[str]
    parameter_path: str  # SSM path under which the app's endpoints are published
    log_retention_days: int
    logs_key_arn: pulumi.Input[str]
    services: tuple[ServiceSettings, ...]  # each a container on the instance


class Server(pulumi.ComponentResource):
    def __init__(self, name: str, args: ServerArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:server:Server", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings

        self.security_group = self._firewall(name, args)
        self.log_group = encrypted_log_group(
            f"{name}-app-logs", log_group_path(args.name_prefix, "backend"),
            args.log_retention_days, args.logs_key_arn, parent=self)
        self.role = service_role(f"{name}-role", "ec2.amazonaws.com", self)
        aws.iam.RolePolicyAttachment(f"{name}-session-manager", role=self.role.name,
                                     policy_arn=SSM_CORE_POLICY, opts=child)
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        aws.iam.RolePolicy(f"{name}-app-access", role=self.role.id,
                           policy=app_access_policy(args, account_id, self.log_group.arn),
                           opts=child)
        profile = aws.iam.InstanceProfile(f"{name}-profile", role=self.role.name, opts=child)
        ami = aws.ec2.get_ami_output(
            most_recent=True, owners=["amazon"],
            filters=[{"name": "name", "values": [AMAZON_LINUX_2023]},
                     {"name": "architecture", "values": [settings.architecture]}],
            opts=pulumi.InvokeOutputOptions(parent=self))

        self.instance = aws.ec2.Instance(
            f"{name}-instance",
            ami=ami.id, instance_type=settings.instance_type, subnet_id=args.subnet_id,
            vpc_security_group_ids=[self.security_group.id],
            iam_instance_profile=profile.name,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required",
                # 2 hops so that the Docker container can reach IMDSv2 for its role credentials.
                http_put_response_hop_limit=2),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                encrypted=True, volume_type="gp3", volume_size=settings.root_volume_gb,
                delete_on_termination=True),
            user_data=self.log_group.name.apply(lambda group: render_boot_script(BootArgs(
                args.region, args.parameter_path, group, args.services))),
            # EC2 runs user data at launch only; a changed script (another service, image, port,
            # size or route) would merely stop and start the old instance without running it (EC2
            # User Guide, "Work with instance user data", Considerations), so it replaces the
            # instance.
            user_data_replace_on_change=True,
            tags={"Name": f"{args.name_prefix}-backend"},
            # The AMI lookup follows every Amazon Linux release; the instance keeps the image it
            # was made from until it is replaced for another reason (dnf updates it in place).
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["ami"]))
        self.elastic_ip = aws.ec2.Eip(f"{name}-eip", domain="vpc", instance=self.instance.id,
                                      tags={"Name": f"{args.name_prefix}-backend"}, opts=child)

        self.public_ip = self.elastic_ip.public_ip
        self.url = pulumi.Output.concat("http://", self.elastic_ip.public_ip)
        self.register_outputs({"publicIp": self.public_ip,
                               "securityGroupId": self.security_group.id})

    def _firewall(self, name: str, args: ServerArgs) -> aws.ec2.SecurityGroup:
        group = security_group(f"{args.name_prefix}-backend", vpc_id=args.vpc_id, role="backend",
                               description="Backend: HTTP(S) from anywhere, SSH from admins only",
                               parent=self)
        for port in PUBLIC_PORTS:
            allow_from_cidrs(f"{name}-public-{port}", group, port=port, cidrs=[ANYWHERE_IPV4],
                             description=f"Public web traffic on {port}", parent=self)
        allow_from_cidrs(f"{name}-ssh", group, port=SSH_PORT, cidrs=args.settings.admin_cidrs,
                         description="SSH from an admin network", parent=self)
        allow_all_egress(f"{name}-egress", group, parent=self)
        return group


def app_access_policy(args: ServerArgs, account_id: pulumi.Input[str],
                      log_group_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """Only what the app needs: its parameters, and writing its own log group."""
    return pulumi.Output.json_dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadAppParameters", "Effect": "Allow",
             "Action": ["ssm:GetParameter", "ssm:GetParametersByPath"],
             "Resource": pulumi.Output.concat(
                 "arn:aws:ssm:", args.region, ":", account_id,
                 ":parameter", args.parameter_path, "/*")},
            {"Sid": "WriteAppLogs", "Effect": "Allow",
             "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": pulumi.Output.concat(log_group_arn, ":*")},
        ],
    })
