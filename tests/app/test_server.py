"""The MVP backend: web ports open, SSH only from admins, IMDSv2, encrypted disk, Session Manager."""
import json

import preflight
from policies.offline import evaluate, load_pack_config
from preview.engine import run_preview
from preview.mocks import AMI_IDS
from tests.support import egress_of, ingress_of, named, ports, security_group

INSTANCE = "aws:ec2/instance:Instance"


def test_only_80_and_443_are_open_to_the_world_and_no_ssh_by_default(dev_plan):
    rules = ingress_of(dev_plan, security_group(dev_plan, "backend"))
    assert ports(rules) == {(80, 80), (443, 443)}
    assert {r.inputs["cidrIpv4"] for r in rules} == {"0.0.0.0/0"}
    assert all(r.inputs["ipProtocol"] == "tcp" for r in rules)


def test_ssh_opens_to_exactly_the_admin_cidrs():
    plan = run_preview("dev", overrides={"adminCidrs": '["203.0.113.7/32", "198.51.100.0/24"]'})
    ssh = [r for r in ingress_of(plan, security_group(plan, "backend")) if r.inputs["fromPort"] == 22]
    assert sorted(r.inputs["cidrIpv4"] for r in ssh) == ["198.51.100.0/24", "203.0.113.7/32"]


def test_the_backend_may_reach_out(dev_plan):
    [egress] = egress_of(dev_plan, security_group(dev_plan, "backend"))
    assert egress.inputs["ipProtocol"] == "-1"


def test_instance_requires_imdsv2_and_encrypts_its_root_volume(dev_plan):
    instance = dev_plan.one(INSTANCE).inputs
    assert instance["metadataOptions"]["httpTokens"] == "required"
    assert instance["rootBlockDevice"]["encrypted"] is True
    assert instance["rootBlockDevice"]["volumeType"] == "gp3"
    assert instance["rootBlockDevice"]["volumeSize"] == 20
    assert instance["instanceType"] == "t3.micro"


def test_instance_sits_in_a_public_subnet_behind_its_security_group_with_an_elastic_ip(dev_plan):
    instance = dev_plan.one(INSTANCE)
    subnet = next(s for s in dev_plan.of_type("aws:ec2/subnet:Subnet") if s.id == instance.inputs["subnetId"])
    assert subnet.inputs["tags"]["SubnetKind"] == "public"
    assert instance.inputs["vpcSecurityGroupIds"] == [security_group(dev_plan, "backend").id]
    eip = dev_plan.one("aws:ec2/eip:Eip")
    assert (eip.inputs["instance"], eip.inputs["domain"]) == (instance.id, "vpc")


def test_instance_profile_grants_session_manager(dev_plan):
    role = named(dev_plan, "aws:iam/role:Role", "backend-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    attachments = [a for a in dev_plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                   if a.inputs["role"] == role.outputs["name"]]
    assert [a.inputs["policyArn"] for a in attachments] == [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    profile = dev_plan.one("aws:iam/instanceProfile:InstanceProfile")
    assert profile.inputs["role"] == role.outputs["name"]
    assert dev_plan.one(INSTANCE).inputs["iamInstanceProfile"] == profile.outputs["name"]


def test_the_app_may_read_only_its_own_parameters_and_logs(dev_plan):
    policy = json.loads(named(dev_plan, "aws:iam/rolePolicy:RolePolicy", "backend-app-access").inputs["policy"])
    resources = {s["Sid"]: s["Resource"] for s in policy["Statement"]}
    assert resources["ReadAppParameters"] == "arn:aws:ssm:ap-northeast-2:123456789012:parameter/webstack/dev/*"
    assert resources["WriteAppLogs"].startswith("arn:aws:logs:ap-northeast-2:123456789012:log-group:/webstack/dev/backend")


def test_the_app_reads_exactly_the_database_and_cache_secrets(dev_plan):
    policy = json.loads(named(dev_plan, "aws:iam/rolePolicy:RolePolicy", "app-config-read-secrets").inputs["policy"])
    [statement] = policy["Statement"]
    assert statement["Action"] == "secretsmanager:GetSecretValue"
    cache_secret = dev_plan.one("aws:secretsmanager/secret:Secret")
    assert len(statement["Resource"]) == 2
    assert statement["Resource"][0].startswith("arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:rds!db-")
    assert statement["Resource"][1] == cache_secret.outputs["arn"]


def test_user_data_runs_docker_behind_nginx_and_carries_no_secret(dev_plan):
    script = dev_plan.one(INSTANCE).inputs["userData"]
    assert "dnf install -y docker nginx" in script
    assert "proxy_pass http://127.0.0.1:8080" in script
    assert '--name "/webstack/dev/$1"' in script
    assert "public.ecr.aws/nginx/nginx:stable" in script
    token = dev_plan.one("random:index/randomPassword:RandomPassword").outputs["result"]
    assert token not in script and "password" not in script.lower()


def test_graviton_instance_types_get_an_arm64_image():
    plan = run_preview("dev", overrides={"serverInstanceType": "t4g.small"})
    assert plan.one(INSTANCE).inputs["ami"] == AMI_IDS["arm64"]
    assert plan.one(INSTANCE).inputs["instanceType"] == "t4g.small"


def test_app_logs_are_kept_for_the_configured_days(dev_plan):
    group = named(dev_plan, "aws:cloudwatch/logGroup:LogGroup", "backend-app-logs")
    assert (group.inputs["name"], group.inputs["retentionInDays"]) == ("/webstack/dev/backend", 14)


def test_the_app_starts_only_once_its_parameters_exist(dev_plan):
    """Issue 9: the SSM parameters appear 10-20 minutes after the instance; a failing $(...)
    inside `exec docker run` arguments did not stop the script, so the app got empty endpoints."""
    script = dev_plan.one(INSTANCE).inputs["userData"]
    launcher = script.split("<<'RUN'")[1].split("\nRUN\n")[0]
    wait, run = launcher.split("\ncommon=(", 1)
    assert "until DATABASE_HOST=$(param database/endpoint)" in wait and "sleep" in wait
    assert "$(" not in run and run.count("exec docker run") == 2  # web and api


def test_package_installs_are_retried_until_the_elastic_ip_gives_a_route(dev_plan):
    script = dev_plan.one(INSTANCE).inputs["userData"]
    assert "retry dnf install -y docker nginx" in script


def test_a_new_boot_script_replaces_the_instance_and_a_new_ami_does_not(dev_plan):
    """User data runs at first boot only; the AMI lookup changes with every AL2023 release."""
    instance = dev_plan.one(INSTANCE)
    assert instance.inputs["userDataReplaceOnChange"] is True
    assert "ami" in instance.ignore_changes


def test_dev_runs_web_and_api_on_the_instance_and_passes_preflight_and_the_policies(dev_plan):
    """Issue 13: the MVP runs staging's services, `web` at /* and `api` at /api/*, behind nginx."""
    script = dev_plan.one(INSTANCE).inputs["userData"]
    assert "systemctl enable --now webstack@api webstack@web webstack-health nginx" in script
    assert "    location /api/ { proxy_pass http://127.0.0.1:8080; }" in script
    assert "    location / { proxy_pass http://127.0.0.1:8081; }" in script
    # web, told where api answers (its dependsOn), as the scaled tier tells it
    assert "--cpus 0.5 --memory 256m -e API_URL=http://api:80 \\\n        -p 127.0.0.1:8081:80" \
        in script
    assert preflight.errors(preflight.check(dev_plan)) == []
    assert [v.policy for v in evaluate(dev_plan, load_pack_config("dev")) if v.mandatory] == []


def test_the_instance_may_read_exactly_the_secrets_its_services_list():
    import json

    from preview.engine import run_preview
    secret = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:stripe-AbCdEf"
    parameter = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/webstack/flags"
    services = {"web": {"routes": ["/*"], "cpu": 512, "memory": 256},
                "api": {"routes": ["/api/*"], "cpu": 1024, "memory": 384,
                        "secrets": {"STRIPE_KEY": secret, "FLAGS": parameter}}}
    plan = run_preview("dev", overrides={"services": json.dumps(services)})
    [reads] = [p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy")
               if p.name == "app-config-read-secrets"]
    statements = {s["Sid"]: s for s in json.loads(reads.inputs["policy"])["Statement"]}
    assert secret in statements["ReadAppSecrets"]["Resource"]
    assert len(statements["ReadAppSecrets"]["Resource"]) == 3  # the database's, the cache's, api's
    assert statements["ReadAppSecretsParameters"]["Resource"] == [parameter]
    # Under a customer managed key the value needs kms:Decrypt too, through SSM or Secrets Manager.
    assert statements["ReadAppSecretsDecrypt"]["Condition"]["StringLike"]["kms:ViaService"] == [
        "ssm.*.amazonaws.com", "secretsmanager.*.amazonaws.com"]
