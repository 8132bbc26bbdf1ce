"""The scale series' generated stack configs are configs the program accepts, with N services."""
import importlib.util
import sys

import pytest

from config.keys import SETTINGS, parse_settings
from preview.engine import REPO_ROOT
from preview.stack_files import load_stack_config

spec = importlib.util.spec_from_file_location("service_config",
                                              REPO_ROOT / "bench" / "service_config.py")
service_config = importlib.util.module_from_spec(spec)
sys.modules["service_config"] = service_config
spec.loader.exec_module(service_config)


def settings_of(path):
    values = load_stack_config("prod", REPO_ROOT, path).values
    raw = {s.key: values.get(f"webstack:{s.key}") for s in SETTINGS}
    return parse_settings(raw, stack="prod", region=values["aws:region"])


@pytest.mark.parametrize("count", [1, 5, 20])
def test_the_generated_config_parses_with_n_services(tmp_path, count):
    services = settings_of(service_config.write(count, tmp_path)).services
    assert len(services) == count
    routes = [route for s in services for route in s.routes]
    assert len(routes) == len(set(routes)) == sum(s.kind == "web" for s in services)


def test_twenty_services_mix_the_three_kinds():
    kinds = [spec["kind"] for spec in service_config.services(20).values()]
    assert (kinds.count("web"), kinds.count("internal"), kinds.count("worker")) == (8, 6, 6)


def test_everything_but_the_services_is_prods_config(tmp_path):
    generated = load_stack_config("prod", REPO_ROOT, service_config.write(5, tmp_path)).values
    prod = load_stack_config("prod", REPO_ROOT).values
    assert {k: v for k, v in generated.items() if k != "webstack:services"} == \
        {k: v for k, v in prod.items() if k != "webstack:services"}
