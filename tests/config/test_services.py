"""`webstack:services`: each bad service is refused before any resource, naming the service and
the key; rule priorities come from the config, never its order."""
import json

import pytest

from config.keys import ConfigError, parse_settings
from config.services import MAX_PRIORITY, rule_priorities
from preview.engine import run_preview

WEB = {"routes": ["/*"], "dependsOn": ["api"], "cpu": 256, "memory": 512}
API = {"routes": ["/api/*"], "cpu": 512, "memory": 1024}


def settings(services, tier="scaled"):
    raw = services if isinstance(services, str) else json.dumps(services)
    return parse_settings({"tier": tier, "services": raw}, stack="staging",
                          region="ap-northeast-2")


def problems(services, tier="scaled") -> list[str]:
    with pytest.raises(ConfigError) as caught:
        settings(services, tier)
    return caught.value.problems


def test_without_services_the_flat_keys_make_one_app_at_api():
    [app] = parse_settings({"tier": "scaled", "taskCpu": "1024", "taskMemory": "2048"},
                           stack="staging", region="ap-northeast-2").services
    assert (app.name, app.kind, app.routes, app.cpu, app.memory) == (
        "app", "web", ("/api/*",), 1024, 2048)


def test_a_service_takes_the_flat_keys_for_what_it_leaves_out():
    web, = settings({"web": {"routes": ["/*"]}}).services
    assert (web.image, web.port, web.cpu, web.memory, web.min_tasks, web.max_tasks) == (
        "public.ecr.aws/nginx/nginx:stable", 80, 512, 1024, 1, 2)


def test_of_three_services_only_the_broken_one_is_named():
    found = problems({"web": WEB, "api": API,
                      "jobs": {"kind": "worker", "cpu": 256, "memory": 4096}})
    assert found == ["webstack:services.jobs.memory = 4096 is not valid with "
                     "webstack:services.jobs.cpu = 256; Fargate allows 512, 1024, 2048 MiB"]


def test_a_broken_service_registers_nothing():
    registered = []
    broken = {"web": WEB, "api": API, "jobs": {"kind": "worker", "routes": ["/jobs/*"]}}
    with pytest.raises(ConfigError, match=r"webstack:services\.jobs\.routes"):
        run_preview("staging", overrides={"services": json.dumps(broken)},
                    registrations=registered)
    assert registered == []


@pytest.mark.parametrize("services, expected", [
    ({"web": WEB, "api": {**API, "routes": ["/*"]}},
     "webstack:services.web.routes: '/*' is also claimed by webstack:services.api.routes"),
    ({"web": {**WEB, "dependsOn": ["payments"]}, "api": API},
     "webstack:services.web.dependsOn: 'payments' is not a service; allowed: api"),
    ({"web": {**WEB, "dependsOn": ["web"]}},
     "webstack:services.web.dependsOn: 'web' is the service itself"),
    ({"web": {**WEB, "dependsOn": ["jobs"]}, "jobs": {"kind": "worker"}},
     "webstack:services.web.dependsOn: 'jobs' is a worker"),
    ({"jobs": {"kind": "worker", "routes": ["/jobs/*"]}},
     "webstack:services.jobs.routes = [\"/jobs/*\"] is not valid with kind worker"),
    ({"api": {"cpu": 512}}, "webstack:services.api.routes is empty; allowed for kind web"),
    ({"Api": API}, "the service name 'Api' is not valid; allowed: 1 to 16 lower-case"),
    ({"a-very-long-name-x": API}, "the service name 'a-very-long-name-x' is not valid"),
    ({"api": {**API, "cpus": 512}}, "webstack:services.api.cpus is not a service key; allowed:"),
    ({"api": {**API, "routes": ["/a/*", "/b/*", "/c/*", "/d/*"]}},
     "webstack:services.api.routes has 4 paths; allowed: at most 3"),
    ({"api": {**API, "routes": ["/assets/img/*"]}}, "which CloudFront serves from the assets"),
    ({"api": {**API, "routes": ["api/*"]}}, "webstack:services.api.routes: 'api/*' is not valid"),
    ({"api": {**API, "kind": "cron"}}, "webstack:services.api.kind = \"cron\" is not valid"),
    ({"api": {**API, "minTasks": 3, "maxTasks": 2}}, "webstack:services.api.minTasks = 3"),
    ({"api": {**API, "port": 0}}, "webstack:services.api.port = 0 is not valid"),
    ('{"api": {"routes": ["/api/*"]}, "api": {"routes": ["/v2/*"]}}', "'api' is given twice"),
    ({}, "webstack:services = {} is not valid"),
    ("[]", "webstack:services = '[]' is not valid; allowed: an object of services by name"),
])
def test_each_bad_service_is_refused_naming_the_service_and_key(services, expected):
    assert any(expected in problem for problem in problems(services)), problems(services)


def test_the_suggestion_names_the_closest_key():
    assert "did you mean cpu?" in problems({"api": {**API, "cpus": 512}})[0]


def test_a_general_path_that_would_take_another_services_requests_is_refused():
    """A rule's place comes from its least specific path: `site` (`/*` and `/api/v2/*`) comes
    after `api` (`/api/*`), whose rule would then take the requests for `/api/v2/*`."""
    [problem] = problems({"api": {"routes": ["/api/*"]}, "site": {"routes": ["/*", "/api/v2/*"]}})
    assert problem.startswith("webstack:services.api.routes: '/api/*' would take the requests of "
                              "webstack:services.site.routes '/api/v2/*'")


def test_priorities_follow_specificity_and_stay_within_the_albs_range():
    services = settings({"web": WEB, "api": API, "admin": {"routes": ["/api/admin/*"]}}).services
    priorities = rule_priorities(services)
    assert priorities["admin"] < priorities["api"] < priorities["web"]
    assert all(1 <= p <= MAX_PRIORITY for p in priorities.values())


def test_priorities_do_not_depend_on_order_or_on_the_other_services():
    both = rule_priorities(settings({"web": WEB, "api": API}).services)
    reordered = rule_priorities(settings({"api": API, "web": WEB}).services)
    with_more = rule_priorities(settings({"admin": {"routes": ["/admin/*"]}, "web": WEB,
                                          "api": API, "docs": {"routes": ["/docs/*"]}}).services)
    assert both == reordered == {name: with_more[name] for name in both}


SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:webstack/stripe-AbCdEf"
PARAMETER = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/webstack/feature-flags"


def test_environment_and_secrets_are_kept_sorted_by_name():
    api = settings({"api": {**API, "environment": {"LOG_LEVEL": "info", "FEATURE_X": "on"},
                            "secrets": {"STRIPE_KEY": SECRET, "FLAGS": PARAMETER}}}).services[0]
    assert api.environment == (("FEATURE_X", "on"), ("LOG_LEVEL", "info"))
    assert api.secrets == (("FLAGS", PARAMETER), ("STRIPE_KEY", SECRET))


@pytest.mark.parametrize("variables, expected", [
    ({"environment": {"9LIVES": "x"}},
     "webstack:services.api.environment: '9LIVES' is not a valid variable name"),
    ({"environment": {"AWS_REGION": "us-east-1"}},
     "webstack:services.api.environment: 'AWS_REGION' is not allowed; names starting with AWS_"),
    ({"environment": {"DATABASE_HOST": "db.example.com"}},
     "webstack:services.api.environment: 'DATABASE_HOST' is not allowed"),
    ({"environment": {"STRIPE_SECRET": "sk_live_123"}},
     "webstack:services.api.environment.STRIPE_SECRET holds a literal value under a secret's "
     "name; allowed: move it to webstack:services.api.secrets"),
    ({"environment": {"LOG_LEVEL": 3}},
     "webstack:services.api.environment = {\"LOG_LEVEL\": 3} is not valid; allowed: an object"),
    ({"secrets": {"STRIPE_KEY": "sk_live_123"}},
     "webstack:services.api.secrets.STRIPE_KEY = \"sk_live_123\" is not valid; allowed: the ARN"),
    # A partial secret ARN (no "-" and six characters): the roles' policies would match nothing.
    ({"secrets": {"STRIPE_KEY": SECRET.removesuffix("-AbCdEf")}},
     "webstack:services.api.secrets.STRIPE_KEY = \"arn:aws:secretsmanager:ap-northeast-2:"
     "123456789012:secret:webstack/stripe\" is not valid; allowed: the ARN"),
    ({"environment": {"FLAGS": "x"}, "secrets": {"FLAGS": PARAMETER}},
     "webstack:services.api.environment and webstack:services.api.secrets both set 'FLAGS'"),
])
def test_bad_environment_or_secrets_are_refused_naming_the_key(variables, expected):
    [found] = problems({"api": {**API, **variables}})
    assert found.startswith(expected)
