"""`webstack:services` on the MVP's one instance: Docker limits that must fit the instance type,
routes nginx can match as the ALB does, each problem naming its key before any resource."""
import json

import pytest

from config.keys import ConfigError, parse_settings
from tests.support import refused_before_any_resource

WEB = {"routes": ["/*"], "dependsOn": ["api"], "cpu": 512, "memory": 256}
API = {"routes": ["/api/*"], "cpu": 1024, "memory": 384}


def mvp(services=None, instance_type="t3.micro"):
    raw = {"tier": "mvp", "serverInstanceType": instance_type}
    if services is not None:
        raw["services"] = json.dumps(services)
    return parse_settings(raw, stack="dev", region="ap-northeast-2")


def problems(services, instance_type="t3.micro") -> list[str]:
    with pytest.raises(ConfigError) as caught:
        mvp(services, instance_type)
    return caught.value.problems


def test_sizes_below_fargates_smallest_fit_on_the_instance():
    api, web = mvp({"web": WEB, "api": API}).services
    assert (web.cpu, web.memory, api.cpu, api.memory) == (512, 256, 1024, 384)


def test_services_asking_more_memory_than_the_instance_leaves_are_refused_naming_each_key():
    """t3.micro: 1024 MiB (DescribeInstanceTypes) less the 384 MiB reserve = 640 for containers."""
    [problem] = problems({"web": {**WEB, "memory": 512}, "api": API})
    assert problem == (
        "webstack:services.api.memory (384) + webstack:services.web.memory (512) = 896 MiB is "
        "more than webstack:serverInstanceType = 't3.micro' leaves the containers: 1024 MiB less "
        "384 MiB for the OS, Docker and nginx = 640 MiB; allowed: lower memory limits or a "
        "larger instance type")
    assert len(mvp({"web": {**WEB, "memory": 512}, "api": API}, "t3.small").services) == 2


@pytest.mark.parametrize("service, expected", [
    ({**API, "cpu": 2049}, "webstack:services.api.cpu = 2049 is not valid with "
                           "webstack:serverInstanceType = 't3.micro'; allowed on the mvp tier: "
                           "11 to 2048 CPU units"),
    ({**API, "cpu": 10}, "webstack:services.api.cpu = 10 is not valid"),
    ({**API, "memory": 5}, "webstack:services.api.memory = 5 is not valid with "
                           "webstack:serverInstanceType = 't3.micro'; allowed on the mvp tier: 6 "
                           "to 1024 MiB"),
    ({**API, "routes": ["/api/*/v1"]}, "webstack:services.api.routes: '/api/*/v1' is not valid "
                                       "with webstack:tier = 'mvp'; allowed: a literal path"),
    ({**API, "routes": ["/api/v?/*"]}, "webstack:services.api.routes: '/api/v?/*' is not valid"),
    ({**API, "routes": ["/a\"b/*"]}, "webstack:services.api.routes: '/a\"b/*' is not valid"),
    ({**API, "routes": ["/nginx-health*"]}, "webstack:services.api.routes: '/nginx-health*' is "
                                             "not valid with webstack:tier = 'mvp'; allowed: any "
                                             "path outside /nginx-health"),
])
def test_what_the_instance_cannot_run_is_refused_naming_the_key(service, expected):
    found = problems({"api": service})
    assert len(found) == 1 and found[0].startswith(expected), found


def test_without_services_the_instance_runs_appimage_at_the_root_with_all_it_can_spare():
    [app] = mvp(instance_type="t3.small").services
    assert (app.name, app.routes, app.cpu, app.memory) == ("app", ("/*",), 2048, 2048 - 384)


def test_a_service_that_does_not_fit_registers_nothing():
    message = refused_before_any_resource(
        "dev", {"services": json.dumps({"web": WEB, "api": {**API, "memory": 1024}})})
    assert "webstack:services.api.memory (1024) + webstack:services.web.memory (256)" in message
