"""Shared fixtures: previews of the real program under Pulumi's mocks."""
import pytest
from hypothesis import HealthCheck, settings

from preview.engine import run_preview

settings.register_profile("webstack", deadline=None, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("webstack")


@pytest.fixture(scope="session")
def dev_plan():
    return run_preview("dev")
