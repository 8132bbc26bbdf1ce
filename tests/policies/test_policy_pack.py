"""The pack as a whole: its metadata, the CLI entry point, agreement with the offline check, and
every type token and property name checked against the installed pulumi-aws."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grpc
import pulumi_aws
import pytest
from cli_analyzer import analyze_request, cli_findings
from policy_kit import res
from policy_stack import PACK_CONFIG, compliant_stack, plan_of, setter, with_inputs, with_options, without
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, Severity
from pulumi_policy.policy import _PolicyAnalyzerServicer

from policies import _aws as aws
from policies import backup, data_protection, encryption, exposure, security_groups, tagging, transit
from policies.offline import evaluate, reconcile_config
from policies.pack import ALL_POLICIES, PACK_ENFORCEMENT_LEVEL, PACK_NAME

REPO_ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = REPO_ROOT / "policies"
AWS_SDK = Path(pulumi_aws.__file__).parent
MANDATORY_MODULES = [encryption, transit, backup, security_groups, exposure]

# ---- metadata ----


def test_policy_names_are_unique_and_kebab_case():
    names = [p.name for p in ALL_POLICIES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name) for name in names), names


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: p.name)
def test_each_policy_is_a_named_function_with_a_fix_in_its_description(policy):
    validate = policy._ResourceValidationPolicy__validate if isinstance(policy, ResourceValidationPolicy) \
        else policy._StackValidationPolicy__validate
    assert validate.__name__ == policy.name.replace("-", "_")
    assert len(policy.description) > 80 and policy.description.endswith(".")
    assert policy.severity is not None and policy.enforcement_level is not None


@pytest.mark.parametrize("module", MANDATORY_MODULES, ids=lambda m: m.__name__)
def test_encryption_backup_security_group_and_exposure_policies_are_mandatory(module):
    assert {p.enforcement_level for p in module.POLICIES} == {EnforcementLevel.MANDATORY}


def test_data_protection_is_high_severity_and_advisory_unless_a_stack_says_otherwise():
    assert {(p.severity, p.enforcement_level) for p in data_protection.POLICIES} == {
        (Severity.HIGH, EnforcementLevel.ADVISORY)}
    assert {p.enforcement_level for p in tagging.POLICIES} == {EnforcementLevel.ADVISORY}


def test_every_config_default_satisfies_its_own_schema():
    reconcile_config({})


# ---- what the Pulumi CLI runs ----


def test_the_pack_directory_is_what_the_cli_expects():
    project = (PACK_DIR / "PulumiPolicy.yaml").read_text()
    assert re.search(r"^runtime:\s*\n\s+name: python", project, re.M)
    requirements = (PACK_DIR / "requirements.txt").read_text()
    assert "pulumi-policy" in requirements
    assert 'name=PACK_NAME' in (PACK_DIR / "__main__.py").read_text() and PACK_NAME == "webstack-guardrails"


@pytest.fixture(scope="module")
def pack_server():
    """The pack started as the CLI starts it (`python <pack dir>` from the pack's folder)."""
    process = subprocess.Popen([sys.executable, "."], cwd=PACK_DIR, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_pack_server_describes_every_policy(pack_server):
    from google.protobuf import empty_pb2

    info = pack_server.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == PACK_NAME and info.supportsConfig
    assert [p.name for p in info.policies] == [p.name for p in ALL_POLICIES]
    schema = {p.name: p.configSchema for p in info.policies}
    assert schema["rds-backup-retention"].properties["minRetentionDays"]["default"] == 7


def test_the_pack_server_reports_what_the_offline_check_reports(pack_server):
    stack = with_inputs(compliant_stack(), "database", setter("storageEncrypted", value=False))
    plan = plan_of(stack)
    config = reconcile_config(PACK_CONFIG)
    served = cli_findings(lambda method, request: getattr(pack_server, method)(request), plan, config)
    assert served == {("rds-storage-encrypted", stack["database"].urn, "mandatory", "storageEncrypted is not true")}


# ---- the offline check agrees with pulumi-policy's own analyzer ----

VARIANTS = {
    "compliant": lambda s: s,
    "resource violations": lambda s: with_options(with_inputs(with_inputs(
        s, "database", setter("backupRetentionPeriod", value=1)), "cdn", setter("webAclId", value=None)),
        "bucket", protect=False),
    "stack violations": lambda s: without(without(s, "bucket-encryption"), "bucket-versioning"),
    "security groups": lambda s: with_inputs(with_inputs(s, "edge-https", setter("fromPort", value=22)),
                                             "database-from-backend", setter("referencedSecurityGroupId",
                                                                             value="sg-edge")),
}


@pytest.mark.parametrize("pack_config", [PACK_CONFIG, {**PACK_CONFIG, "all": "advisory"},
                                         {**PACK_CONFIG, "rds-backup-retention": {"minRetentionDays": 30},
                                          "cloudfront-waf-attached": "disabled",
                                          "stateful-resources-protected": "remediate"}])
@pytest.mark.parametrize("variant", VARIANTS)
def test_offline_findings_equal_the_cli_analyzer_s(variant, pack_config):
    plan = plan_of(VARIANTS[variant](compliant_stack()))
    config = reconcile_config(pack_config)
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", ALL_POLICIES, PACK_ENFORCEMENT_LEVEL)
    cli = cli_findings(lambda method, request: getattr(servicer, method)(request, None), plan, config)
    offline = {(v.policy, v.urn, v.level, v.message) for v in evaluate(plan, pack_config)}
    assert offline == cli
    assert offline or variant == "compliant"


def test_the_cli_analyzer_also_reads_plain_planned_resources():
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", ALL_POLICIES, PACK_ENFORCEMENT_LEVEL)
    volume = res(aws.EBS_VOLUME, {"size": 20})
    response = servicer.Analyze(analyze_request(volume, {}), None)
    assert {d.policyName for d in response.diagnostics} == {"ebs-encrypted", "required-tags"}


# ---- ground truth: pulumi-aws itself ----

def _sdk_sources(modules: set[str]) -> dict[Path, str]:
    return {path: path.read_text() for module in modules for path in (AWS_SDK / module).glob("*.py")}


def _tokens_in_policies() -> set[str]:
    tokens = {v for k, v in vars(aws).items() if k.isupper() and isinstance(v, str)}
    tokens |= {t for k, v in vars(aws).items() if k.isupper() and isinstance(v, tuple) for t in v}
    return (tokens | set(tagging.TAGGABLE_TYPES)) - {aws.AWS_PROVIDER}


def _module(token: str) -> str:
    module = token.split(":")[1].split("/")[0]
    return module if (AWS_SDK / module).is_dir() else f"{module}_"  # lambda → lambda_


@pytest.fixture(scope="module")
def sdk():
    tokens = _tokens_in_policies()
    sources = _sdk_sources({_module(t) for t in tokens})
    resources = {}
    for text in sources.values():
        for match in re.finditer(r"super\(\w+, __self__\)\.__init__\(\s*'([^']+)'", text):
            resources[match.group(1)] = text
    getter_names = set()
    for text in list(sources.values()) + [(AWS_SDK / "_inputs.py").read_text()]:
        for match in re.finditer(r'@pulumi\.getter(?:\(name="(\w+)"\))?\s*\n(?:\s*@[^\n]*\n)*\s*def (\w+)\(', text):
            getter_names.add(match.group(1) or match.group(2))
    return resources, getter_names


def test_every_type_token_exists_in_pulumi_aws(sdk):
    resources, _ = sdk
    assert sorted(_tokens_in_policies() - set(resources)) == []


def test_every_taggable_type_takes_tags(sdk):
    resources, _ = sdk
    untaggable = [t for t in tagging.TAGGABLE_TYPES if "__props__.__dict__[\"tags\"] = tags" not in resources[t]]
    assert untaggable == []


def _property_names_read_by_policies() -> set[str]:
    names = set()
    for module in ["encryption", "transit", "backup", "security_groups", "exposure", "data_protection", "tagging",
                   "containers", "keys_and_secrets", "audit_logging", "_sg", "_s3", "lambda_functions",
                   "api_gateway", "dynamodb", "rds_proxy", "codedeploy"]:
        tree = ast.parse((PACK_DIR / f"{module}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                reads = ((isinstance(func, ast.Attribute) and func.attr == "get" and node.args[:1])
                         or (isinstance(func, ast.Name) and func.id in ("dig", "known", "known_elements", "resolve", "attached", "unattached")))
                if reads:
                    names |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    names |= set(exposure.PUBLIC_ACCESS_BLOCK_FLAGS) | set(security_groups.SOURCE_GROUP_PROPERTY.values())
    names |= {prop for _, prop, _ in transit.DATABASE_GROUP_LINKS}
    names |= {step for paths in encryption.KMS_KEY_PROPERTIES.values() for path in paths.values() for step in path}
    # Property names are camelCase; capitalised keys belong to IAM policy documents.
    return {n for n in names if re.fullmatch(r"[a-z][A-Za-z0-9]*", n)}


def test_every_property_name_a_policy_reads_exists_in_pulumi_aws(sdk):
    _, getter_names = sdk
    names = _property_names_read_by_policies()
    assert {"storageEncrypted", "referencedSecurityGroupId", "httpTokens", "sseAlgorithm"} <= names
    assert sorted(names - getter_names) == []


# ---- each resource policy is blind to what is not its concern ----

HOSTILE = {  # a bad value for every property some policy reads
    "storageEncrypted": False, "encrypted": False, "atRestEncryptionEnabled": False,
    "transitEncryptionEnabled": False, "publiclyAccessible": True, "backupRetentionPeriod": 0,
    "snapshotRetentionLimit": 0, "skipFinalSnapshot": True, "deletionProtection": False, "forceDestroy": True,
    "acl": "public-read", "associatePublicIpAddress": True, "mapPublicIpOnLaunch": True, "instance": "i-1",
    "metadataOptions": {"httpTokens": "optional"}, "rootBlockDevice": {"encrypted": False},
    "networkConfiguration": {"assignPublicIp": True}, "protocol": "-1", "type": "ingress",
    "ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0", "cidrBlocks": ["0.0.0.0/0"], "fromPort": 0, "toPort": 65535,
    "ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}],
    "defaultActions": [{"type": "forward"}], "sslPolicy": "ELBSecurityPolicy-2016-08",
    "defaultCacheBehavior": {"viewerProtocolPolicy": "allow-all"}, "pointInTimeRecovery": {"enabled": False},
    "rules": [{"lifecycle": {"deleteAfter": 1}}], "serverSideEncryption": {"enabled": False},
    "principal": "*", "authorizationType": "NONE", "tracingConfig": {"mode": "PassThrough"}, "runtime": "python2.7",
    "environment": {"variables": {"DB_PASSWORD": "hunter2"}}, "securityPolicy": "TLS_1_0",
    "xrayTracingEnabled": False, "accessLogSettings": {}, "requireTls": False, "auths": [{"iamAuth": "DISABLED"}],
    "autoRollbackConfiguration": {"enabled": False}, "alarmConfiguration": {"enabled": False, "alarms": []},
}
KNOWN_TYPES = sorted(_tokens_in_policies())


@pytest.mark.parametrize("policy", [p for p in ALL_POLICIES if isinstance(p, ResourceValidationPolicy)],
                         ids=lambda p: p.name)
def test_resource_policies_ignore_resources_outside_their_concern(policy):
    concern = policy._ResourceValidationPolicy__validate.resource_types
    others = [res(t, HOSTILE) for t in KNOWN_TYPES if t not in concern]
    others += [res("webstack:database:Database", HOSTILE, custom=False), res(aws.AWS_PROVIDER, HOSTILE)]
    assert evaluate(plan_of({r.name: r for r in others}), {}, policies=[policy]) == []
