"""Many services in one scaled stack: 20 long-named services stay within AWS's name limits and
pass preflight, and renaming or reordering one service leaves the others' plan untouched."""
import json

import pytest

import preflight
from preflight.model import physical_name
from tests.support import one_service, service_names

TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
RULE = "aws:lb/listenerRule:ListenerRule"
# 16 characters, the longest name config/services.py allows.
LONG_NAMES = [f"service-name-{n:03d}" for n in range(20)]


INTERNAL, WORKER = LONG_NAMES[18], LONG_NAMES[19]
WEB = LONG_NAMES[:18]


@pytest.fixture(scope="module")
def twenty_services():
    """staging (blue/green: two target groups each) with 18 web services, one at the root, each
    calling the next; the last web service calls an internal one, which (like a worker) calls
    the first."""
    from preview.engine import run_preview
    services = {name: {"routes": [f"/svc{n:03d}/*"], "dependsOn": [LONG_NAMES[n + 1]]}
                for n, name in enumerate(WEB)}
    services[LONG_NAMES[0]]["routes"] = ["/*"]
    services[INTERNAL] = {"kind": "internal", "dependsOn": [LONG_NAMES[0]]}
    services[WORKER] = {"kind": "worker", "dependsOn": [LONG_NAMES[0]]}
    return run_preview("staging", overrides={"services": json.dumps(services)})


def test_twenty_long_named_services_pass_preflight(twenty_services):
    assert service_names(twenty_services) == LONG_NAMES
    assert preflight.check(twenty_services) == []


def test_every_target_group_name_fits_in_32_characters(twenty_services):
    names = [physical_name(group) for group in twenty_services.of_type(TARGET_GROUP)]
    assert len(names) == 36
    assert max(len(name) for name in names) == 31  # `service-name-000-tg-alt` + 8 characters


def test_the_web_services_rules_have_distinct_priorities_in_range_with_the_root_last(
        twenty_services):
    priorities = {rule.name.removesuffix("-from-cloudfront"): rule.inputs["priority"]
                  for rule in twenty_services.of_type(RULE)}
    assert sorted(priorities) == WEB and len(set(priorities.values())) == 18
    assert all(1 <= p <= 50_000 for p in priorities.values())
    assert max(priorities, key=priorities.get) == LONG_NAMES[0]  # `/*` is evaluated last


def test_each_service_admits_exactly_the_alb_if_routed_and_its_declared_callers(twenty_services):
    admitted = {rule.name for rule in twenty_services.of_type(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") if "-firewall-from-" in rule.name}
    callers = {(LONG_NAMES[n + 1], name) for n, name in enumerate(WEB)} | {
        (LONG_NAMES[0], INTERNAL), (LONG_NAMES[0], WORKER)}
    assert admitted == {f"{callee}-firewall-from-{caller}" for callee, caller in callers} | {
        f"{name}-firewall-from-alb" for name in WEB}


def test_internal_services_and_workers_roll_outside_the_load_balancer(twenty_services):
    for name in (INTERNAL, WORKER):
        service = next(s for s in twenty_services.of_type("aws:ecs/service:Service")
                       if s.name == f"{name}-service").inputs
        assert "loadBalancers" not in service and "healthCheckGracePeriodSeconds" not in service
        assert service["deploymentConfiguration"] == {"strategy": "ROLLING"}
        assert [alarm.removeprefix(f"webstack-staging-{name}-")
                for alarm in service["alarms"]["alarmNames"]] == ["ecs-cpu", "ecs-memory"]


def own_resources(plan, service: str) -> dict:
    """`service`'s resources by URN with their inputs (ids of others' resources aside)."""
    others = set(service_names(plan)) - {service}
    kept = one_service(plan, service)
    shared = {r.urn for r in one_service(plan, "")}  # what no service owns
    return {r.urn: json.dumps(r.inputs, sort_keys=True, default=str) for r in kept
            if r.urn not in shared and not any(f"-from-{other}" in r.name for other in others)}


def test_renaming_and_reordering_web_leaves_apis_plan_untouched(plan_of):
    """staging's `web` renamed `frontend` and listed first, `api` as it was: every resource of
    api's is the same, by URN and inputs; only the rules naming the old caller change."""
    from preview.engine import REPO_ROOT, run_preview
    from preview.stack_files import load_stack_config
    services = json.loads(load_stack_config("staging", REPO_ROOT).values["webstack:services"])
    renamed = {"frontend": services["web"], "api": services["api"]}
    before, after = plan_of("staging"), run_preview(
        "staging", overrides={"services": json.dumps(renamed)})
    assert service_names(after) == ["api", "frontend"]
    assert own_resources(after, "api") == own_resources(before, "api")
    names = {r.name for r in one_service(after, "api")}
    assert "api-firewall-from-frontend" in names and "api-firewall-from-web" not in names


def test_a_services_environment_and_secrets_reach_its_container_and_roles_only():
    from preview.engine import run_preview
    from tests.app.test_service import container
    from tests.config.test_services import PARAMETER, SECRET
    services = {"web": {"routes": ["/*"]},
                "api": {"routes": ["/api/*"], "environment": {"LOG_LEVEL": "debug"},
                        "secrets": {"STRIPE_KEY": SECRET, "FLAGS": PARAMETER}}}
    plan = run_preview("staging", overrides={"services": json.dumps(services)})
    api, web = one_service(plan, "api"), one_service(plan, "web")
    definition = container(api)
    assert {"name": "LOG_LEVEL", "value": "debug"} in definition["environment"]
    assert {"name": "STRIPE_KEY", "valueFrom": SECRET} in definition["secrets"]
    assert {"name": "FLAGS", "valueFrom": PARAMETER} in definition["secrets"]
    assert "LOG_LEVEL" not in {v["name"] for v in container(web)["environment"]}
    [reads] = [p for p in api.of_type("aws:iam/rolePolicy:RolePolicy")
               if p.name == "api-read-secrets"]
    statements = {s["Sid"]: s for s in json.loads(reads.inputs["policy"])["Statement"]}
    assert SECRET in statements["ReadTaskSecrets"]["Resource"]
    assert statements["ReadTaskSecretsParameters"] == {
        "Sid": "ReadTaskSecretsParameters", "Effect": "Allow",
        "Action": ["ssm:GetParameter", "ssm:GetParameters"],
        "Resource": [PARAMETER]}
    # Under a customer managed key the value needs kms:Decrypt too, through SSM or Secrets Manager.
    decrypt = statements["ReadTaskSecretsDecrypt"]
    assert decrypt["Action"] == "kms:Decrypt"
    assert set(decrypt["Condition"]["StringLike"]["kms:ViaService"]) == {
        "ssm.*.amazonaws.com", "secretsmanager.*.amazonaws.com"}
