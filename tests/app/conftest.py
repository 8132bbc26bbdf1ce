"""One staging preview with every kind of service and per-service settings, shared by the Service
Connect and per-service override tests."""
import json

import pytest

FOUR_SERVICES = {
    # the stack (staging) rolls out blue/green; web rolls, api runs a canary of its own
    "web": {"routes": ["/*"], "dependsOn": ["api"], "deploymentStrategy": "rolling"},
    "api": {"routes": ["/api/*"], "dependsOn": ["auth"], "deploymentStrategy": "canary",
            "canaryPercent": 10, "canaryBakeMinutes": 20,
            "alarmThresholds": {"targetResponseTimeP95Ms": 400, "ecsCpuPercent": 60}},
    "auth": {"kind": "internal", "port": 8080},
    "jobs": {"kind": "worker", "dependsOn": ["api", "auth"]},
}


@pytest.fixture(scope="session")
def four_services():
    from preview.engine import run_preview
    return run_preview("staging", overrides={"services": json.dumps(FOUR_SERVICES)})
