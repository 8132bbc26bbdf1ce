"""Runs a few components alone under the preview's mocks, without the whole program: a
component's test registers just what it needs (a second or less, not a stack's preview)."""
from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from preview.engine import RecordingMonitor, _preview_loop, _reset_runtime
from preview.mocks import WebstackMocks
from preview.plan import Plan

REGION = "ap-northeast-2"


def components_plan(build: Callable[[], Optional[Mapping[str, Any]]], stack: str = "test",
                    region: str = REGION, unknowns: bool = False) -> tuple[Plan, dict[str, Any]]:
    """Registers what `build` creates; returns the plan and the resolved values of the outputs
    `build` returns (name → Output or plain value; None where unknown). `unknowns`: as a
    brand-new stack's first preview, where computed outputs are not known yet."""
    outputs: dict[str, Any] = {}
    with _preview_loop():
        _reset_runtime()
        monitor = RecordingMonitor(WebstackMocks(region, unknowns))
        pulumi_mocks.set_mocks(monitor.mocks, project="webstack", stack=stack, preview=unknowns,
                               monitor=monitor)
        found: dict[str, Any] = {}
        _sync_await(run_pulumi_func(lambda: found.update(build() or {})))
        for key, value in found.items():
            outputs[key] = _sync_await(pulumi.Output.from_input(value).future())
    return Plan(stack=stack, resources=monitor.registrations, outputs={}), outputs
