"""Shared fixtures: previews of the real program under Pulumi's mocks, one per stack per session."""
import pytest
from hypothesis import HealthCheck, settings

from preview.engine import run_preview

settings.register_profile("webstack", deadline=None, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("webstack")

STACKS = ("dev", "staging", "prod")
SCALED_STACKS = ("staging", "prod")


@pytest.fixture(scope="session")
def plan_of():
    """`plan_of(stack)`: the stack's offline preview, made once per test session."""
    plans = {}

    def preview(stack: str):
        if stack not in plans:
            plans[stack] = run_preview(stack)
        return plans[stack]

    return preview


@pytest.fixture(scope="session")
def dev_plan(plan_of):
    return plan_of("dev")


@pytest.fixture(scope="session")
def staging_plan(plan_of):
    return plan_of("staging")


@pytest.fixture(scope="session")
def prod_plan(plan_of):
    return plan_of("prod")


@pytest.fixture(scope="session")
def plan_in_region():
    """`plan_in_region(stack, region)`: the stack previewed with another aws:region, once."""
    plans = {}

    def preview(stack: str, region: str):
        if (stack, region) not in plans:
            plans[stack, region] = run_preview(stack, overrides={"aws:region": region})
        return plans[stack, region]

    return preview


@pytest.fixture(scope="session")
def calgary_staging(plan_in_region):
    """Staging in ca-west-1: three zones, opened after August 2022 (no ELB log account)."""
    return plan_in_region("staging", "ca-west-1")


@pytest.fixture(scope="session")
def unknown_plan_of():
    """`unknown_plan_of(stack)`: the stack's first-run preview (`--unknowns`), made once."""
    plans = {}

    def preview(stack: str):
        if stack not in plans:
            plans[stack] = run_preview(stack, unknowns=True)
        return plans[stack]

    return preview


@pytest.fixture(scope="session")
def api_plan_of(plan_of):
    """`api_plan_of(stack)`: a scaled stack's plan without its other services (seed 001's `web`),
    so a test of one service's shape reads the `api` service alone."""
    from tests.support import one_service
    return lambda stack: one_service(plan_of(stack), "api")


def without_services(stack: str, project) -> None:
    """Copies the program into `project` with `stack`'s file minus its `webstack:services` block."""
    import shutil
    from preview.engine import REPO_ROOT
    shutil.copy(REPO_ROOT / "Pulumi.yaml", project)
    shutil.copy(REPO_ROOT / "__main__.py", project)
    shutil.copytree(REPO_ROOT / "components", project / "components")
    shutil.copytree(REPO_ROOT / "policies" / "config", project / "policies" / "config")
    lines = (REPO_ROOT / f"Pulumi.{stack}.yaml").read_text().splitlines(keepends=True)
    start = next(n for n, line in enumerate(lines) if line.startswith("  webstack:services:"))
    end = next(n for n in range(start + 1, len(lines)) if not lines[n].startswith("    "))
    (project / f"Pulumi.{stack}.yaml").write_text("".join(lines[:start] + lines[end:]))


@pytest.fixture(scope="session")
def single_app_staging(tmp_path_factory):
    """staging without `services`: the one `app` service from the flat keys, at /api/*."""
    project = tmp_path_factory.mktemp("single-app")
    without_services("staging", project)
    return run_preview("staging", project_dir=project)
