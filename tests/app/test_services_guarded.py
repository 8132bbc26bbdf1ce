"""Policies and preflight cover every service: of three services with one broken inside the real
program, the checks name the broken service's resources and no other's (issue 13)."""
import json

import pulumi_aws
import pytest

import preflight
from policies.offline import evaluate, load_pack_config
from preview.engine import run_preview

SERVICES = {"web": {"routes": ["/*"], "dependsOn": ["api"]}, "api": {"routes": ["/api/*"]},
            "jobs": {"kind": "worker", "dependsOn": ["api"]}}


@pytest.fixture(scope="module")
def api_broken():
    """staging with web, api and a worker; api's repository stops scanning images (a mandatory
    policy) and its log group keeps 13 days (a value CloudWatch Logs refuses: preflight)."""
    repository, log_group = pulumi_aws.ecr.Repository, pulumi_aws.cloudwatch.LogGroup

    def unscanned(resource_name, *args, **kwargs):
        if kwargs.get("name") == "webstack-staging/api":
            kwargs["image_scanning_configuration"] = {"scan_on_push": False}
        return repository(resource_name, *args, **kwargs)

    def thirteen_days(resource_name, *args, **kwargs):
        if kwargs.get("name") == "/webstack/staging/api":
            kwargs["retention_in_days"] = 13
        return log_group(resource_name, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(pulumi_aws.ecr, "Repository", unscanned)
        patched.setattr(pulumi_aws.cloudwatch, "LogGroup", thirteen_days)
        return run_preview("staging", overrides={"services": json.dumps(SERVICES)})


def test_the_policy_check_names_the_broken_service_alone(api_broken):
    mandatory = [v for v in evaluate(api_broken, load_pack_config("staging")) if v.mandatory]
    assert {(v.policy, api_broken.by_urn(v.urn).name) for v in mandatory} == {
        ("ecr-scan-on-push", "api-registry-repository")}


def test_preflight_names_the_broken_service_alone(api_broken):
    assert [(f.rule, f.resource) for f in preflight.check(api_broken)] == [
        ("log_retention_values", "api-logs")]
