"""Each service rolls out by its own strategy (target groups, deployment configuration, the
provider's wait) and alarms at its own thresholds; the rest keep the stack's."""
from tests.support import named

SERVICE = "aws:ecs/service:Service"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def deployment(plan, name: str) -> dict:
    return named(plan, SERVICE, f"{name}-service").inputs["deploymentConfiguration"]


def test_each_service_rolls_out_its_own_way(four_services):
    """staging is blue/green; web overrides it with rolling, api with a canary of its own."""
    assert deployment(four_services, "web") == {"strategy": "ROLLING"}
    api = deployment(four_services, "api")
    assert (api["strategy"], api["bakeTimeInMinutes"]) == ("CANARY", "15")
    assert api["canaryConfiguration"] == {"canaryPercent": 10, "canaryBakeTimeInMinutes": "20"}
    groups = {group.name for group in four_services.of_type(TARGET_GROUP)}
    assert groups == {"web-tg", "api-tg", "api-tg-alt"}  # only a shifting service takes two


def test_the_providers_wait_follows_each_services_rollout(four_services):
    """1.5 × (10 to start + 20 of canary + 15 of bake) = 67.5 → 68 min; rolling keeps 20."""
    waits = {name: named(four_services, SERVICE, f"{name}-service").custom_timeouts
             for name in ("web", "api", "auth")}
    assert waits["api"] == {"create": "68m", "update": "68m"}
    assert waits["web"] == waits["auth"] == {"create": "20m", "update": "20m"}


def test_a_services_own_thresholds_set_its_alarms_only(four_services):
    def alarm(label):
        return named(four_services, ALARM, f"alarms-{label}").inputs
    api_p95, web_p95 = alarm("api-alb-p95-response-time"), alarm("web-alb-p95-response-time")
    assert (api_p95["threshold"], web_p95["threshold"]) == (0.4, 1.0)  # compared in seconds
    assert "(services.api.alarmThresholds.targetResponseTimeP95Ms)" in api_p95["alarmDescription"]
    assert "(alarmThresholds.targetResponseTimeP95Ms)" in web_p95["alarmDescription"]
    assert (alarm("api-ecs-cpu")["threshold"], alarm("jobs-ecs-cpu")["threshold"]) == (60, 80)
