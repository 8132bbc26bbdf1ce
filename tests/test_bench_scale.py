"""The scale series' generated stack configs are configs the program accepts, with N services."""
import importlib.util
import sys

import pytest

from config.keys import SETTINGS, parse_settings
from preview.engine import REPO_ROOT
from preview.stack_files import load_stack_config


def _load(name, file_name):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "bench" / file_name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


service_config = _load("service_config", "service_config.py")


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


def test_the_series_ratio_compares_the_most_services_with_the_fewest():
    bench = sys.modules.get("preview_bench") or _load("preview_bench", "preview_bench.py")
    run = lambda name, wall, **extra: {"name": name, "status": "ok", "resources": 100,  # noqa: E731
                                       "wall_s": {"median": wall}, "cpu_s": {"median": wall},
                                       **extra}
    summaries = [run("preview prod, first run", 9.0), run("preview prod, 1 service", 2.0, services=1),
                 run("preview prod, 20 services", 5.0, services=20)]
    assert bench.scale_ratio(summaries).startswith(
        "preview prod, 20 services: 2.50x the wall time (2.50x the CPU time) of preview prod, 1 service")
