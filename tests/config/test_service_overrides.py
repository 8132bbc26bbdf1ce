"""A service's own rollout keys and alarm thresholds: the stack keys' rules, errors naming
`webstack:services.<name>.<key>`, and the stack's values for what a service leaves out; callee
URL variables and a stack where no service takes a route."""
import json

import pytest

from config.keys import ConfigError, parse_settings

API = {"routes": ["/api/*"], "cpu": 512, "memory": 1024}
JOBS = {"kind": "worker", "cpu": 512, "memory": 1024}
STACK = {"tier": "scaled", "deploymentStrategy": "canary", "canaryPercent": "5",
         "canaryBakeMinutes": "10", "rolloutBakeMinutes": "15"}


def services_of(services: dict, **stack) -> dict:
    raw = {**STACK, **stack, "services": json.dumps(services)}
    parsed = parse_settings(raw, stack="prod", region="ap-northeast-2").services
    return {service.name: service for service in parsed}


def problems(services: dict, **stack) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        services_of(services, **stack)
    return caught.value.problems


def test_a_service_sets_its_own_rollout_and_keeps_the_stacks_other_keys():
    found = services_of({"api": {**API, "canaryPercent": 25, "canaryBakeMinutes": 30},
                         "web": {"routes": ["/*"], "deploymentStrategy": "blue_green"},
                         "jobs": JOBS})
    api, web, jobs = found["api"].rollout, found["web"].rollout, found["jobs"].rollout
    assert (api.strategy, api.canary_percent, api.canary_bake_minutes, api.bake_minutes) == (
        "canary", 25.0, 30, 15)
    assert (web.strategy, web.bake_minutes) == ("blue_green", 15)
    assert jobs.strategy == "canary"  # the stack's; the tier rolls a service without a route


@pytest.mark.parametrize("override, expected", [
    ({"deploymentStrategy": "big_bang"},
     'webstack:services.api.deploymentStrategy = "big_bang" is not valid; allowed: one of rolling'),
    ({"canaryPercent": 0}, "webstack:services.api.canaryPercent = 0 is not valid; allowed: a "
                           "number from 0.1 to 100"),
    ({"canaryBakeMinutes": 1441}, "webstack:services.api.canaryBakeMinutes = 1441 is not valid; "
                                  "allowed: an integer from 0 to 1440"),
    ({"linearStepPercent": "2"}, 'webstack:services.api.linearStepPercent = "2" is not valid'),
    ({"rolloutBakeMinutes": True}, "webstack:services.api.rolloutBakeMinutes = true is not valid"),
])
def test_a_bad_rollout_key_is_refused_by_the_stack_keys_rule(override, expected):
    [problem] = problems({"api": {**API, **override}})
    assert problem.startswith(expected)


def test_a_service_without_routes_cannot_shift_traffic():
    [problem] = problems({"api": API, "jobs": {**JOBS, "deploymentStrategy": "canary"}})
    assert problem.startswith('webstack:services.jobs.deploymentStrategy = "canary" is not valid '
                              "for a service without routes; allowed: rolling")


def test_a_service_sets_its_own_thresholds_for_its_own_alarms_only():
    api = services_of({"api": {**API, "alarmThresholds": {"ecsCpuPercent": 60,
                                                          "targetResponseTimeP95Ms": 300}}})["api"]
    assert api.thresholds({"ecsCpuPercent": 80, "rdsCpuPercent": 80}) == {
        "ecsCpuPercent": 60.0, "targetResponseTimeP95Ms": 300.0, "rdsCpuPercent": 80}
    found = problems({"api": {**API, "alarmThresholds": {"rdsCpuPercent": 50,
                                                         "ecsMemoryPercent": 120}},
                      "jobs": {**JOBS, "alarmThresholds": '{"alb5xxRatePercent": 2}'}})
    assert found == [
        "webstack:services.api.alarmThresholds.rdsCpuPercent is not an alarm of this service; "
        "allowed: alb5xxRatePercent, targetResponseTimeP95Ms, ecsCpuPercent, ecsMemoryPercent",
        "webstack:services.api.alarmThresholds.ecsMemoryPercent = 120 is not valid; allowed: a "
        "finite number > 0, at most 100",
        "webstack:services.jobs.alarmThresholds.alb5xxRatePercent is not an alarm of this "
        "service; allowed: ecsCpuPercent, ecsMemoryPercent (the ALB alarms watch routed "
        "services only)"]
    [bad] = problems({"api": {**API, "alarmThresholds": ["ecsCpuPercent"]}})
    assert bad.startswith('webstack:services.api.alarmThresholds = ["ecsCpuPercent"] is not valid')


def test_the_callee_url_variable_is_the_programs():
    [problem] = problems({"web": {"routes": ["/*"], "dependsOn": ["api"],
                                  "environment": {"API_URL": "http://elsewhere"}}, "api": API})
    assert problem == ("webstack:services.web.environment.API_URL is set by the program: the URL "
                       "of api (dependsOn); allowed: another name")


def test_a_stack_where_no_service_takes_a_route_is_refused():
    [problem] = problems({"auth": {"kind": "internal"}, "jobs": {**JOBS, "dependsOn": ["auth"]}})
    assert problem.startswith("webstack:services: no service takes a route")


def test_on_the_mvp_a_service_has_no_alarms_or_strategy_of_its_own():
    found = problems({"web": {"routes": ["/*"], "cpu": 256, "memory": 256,
                              "alarmThresholds": {"ecsCpuPercent": 60},
                              "deploymentStrategy": "canary"}},
                     tier="mvp", deploymentStrategy="rolling")
    assert found == [
        'webstack:services.web.deploymentStrategy = "canary" is not valid with webstack:tier = '
        "'mvp'; allowed: rolling (traffic shifting needs the scaled tier's load balancer and ECS "
        "services)",
        "webstack:services.web.alarmThresholds is not valid with webstack:tier = 'mvp'; allowed: "
        "unset (a container on the instance has no alarms of its own: the instance's are ec2…)"]


def test_both_tiers_tell_a_caller_its_callees_urls():
    services = {"web": {"routes": ["/*"], "dependsOn": ["api", "auth-svc"]},
                "api": {"routes": ["/api/*"], "port": 8080},
                "auth-svc": {"kind": "internal"}}
    for tier, memory in (("scaled", 512), ("mvp", 128)):  # a Fargate size; within a t3.micro
        sized = {name: {**spec, "cpu": 256, "memory": memory} for name, spec in services.items()}
        web = services_of(sized, tier=tier, deploymentStrategy="rolling")["web"]
        assert web.callee_urls == (("API_URL", "http://api:8080"),
                                   ("AUTH_SVC_URL", "http://auth-svc:80")), tier
