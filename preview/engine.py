"""Runs the real `__main__.py` for a stack under Pulumi's own mocks and returns its Plan."""
from __future__ import annotations

import asyncio
import contextlib
import gc
import runpy
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.output import Unknown
from pulumi.runtime.rpc import (UNKNOWN, deserialize_properties, is_rpc_secret,
                                serialize_properties, wrap_rpc_secret)
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from preview.mocks import WebstackMocks
from preview.plan import Plan, PlannedResource
from config.key_names import full_name, key_problem
from preview.stack_files import StackFileError, load_stack_config

REPO_ROOT = Path(__file__).resolve().parent.parent


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also keeping each registration's options (protect, provider, parent…)."""

    def __init__(self, mocks: pulumi.runtime.Mocks,
                 registrations: Optional[list[PlannedResource]] = None):
        super().__init__(mocks)
        self.registrations = registrations if registrations is not None else []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            response = _mark_secret_outputs(response, request.additionalSecretOutputs)
            self.registrations.append(self._record(request, response))
        return response

    @staticmethod
    def _record(request, response) -> PlannedResource:
        inputs, secret_inputs = _unwrap_secrets(deserialize_properties(request.object))
        outputs, _ = _unwrap_secrets(deserialize_properties(response.object))
        return PlannedResource(
            urn=response.urn, type=request.type, name=request.name,
            inputs=inputs, secret_inputs=frozenset(secret_inputs), custom=request.custom,
            parent=request.parent or None, protect=bool(request.protect),
            provider=request.provider or None, dependencies=tuple(request.dependencies),
            property_dependencies={key: tuple(deps.urns)
                                   for key, deps in request.propertyDependencies.items()},
            ignore_changes=tuple(request.ignoreChanges),
            delete_before_replace=request.deleteBeforeReplace or None,
            retain_on_delete=bool(request.retainOnDelete),
            additional_secret_outputs=tuple(request.additionalSecretOutputs),
            custom_timeouts=_timeouts(request), id=response.id, outputs=outputs,
            aliases=tuple(alias.urn for alias in request.aliases if alias.urn))


def _timeouts(request) -> dict[str, str]:
    timeouts = request.customTimeouts
    return {kind: getattr(timeouts, kind) for kind in ("create", "update", "delete")
            if getattr(timeouts, kind)}


def _mark_secret_outputs(response, secret_names):
    """Wraps the outputs a resource declares secret (e.g. a RandomPassword's `result`) as the
    engine does, so that secrecy flows on to every input built from them. The mock monitor
    alone would hand them back in clear."""
    if not secret_names:
        return response
    state = deserialize_properties(response.object)
    for name in secret_names:
        if name in state and not is_rpc_secret(state[name]):
            state[name] = wrap_rpc_secret(state[name])
    response.object.CopyFrom(_sync_await(serialize_properties(state, {})))
    return response


def _plain(value: Any) -> tuple[Any, bool]:
    """The value with Pulumi's secret wrappers removed, and whether it held a secret."""
    if is_rpc_secret(value):
        return _plain(value["value"])[0], True
    if isinstance(value, Unknown):
        # Not known until apply (first-run mode): recorded as the engine's own marker, which
        # pulumi-policy's proxy also reads as unknown.
        return UNKNOWN, False
    if isinstance(value, dict):
        pairs = {key: _plain(item) for key, item in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [_plain(item) for item in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def _unwrap_secrets(properties: dict) -> tuple[dict, list[str]]:
    plain, secret_names = {}, []
    for key, value in properties.items():
        plain[key], secret = _plain(value)
        if secret:
            secret_names.append(key)
    return plain, secret_names


class _LoopClosingExecutor(ThreadPoolExecutor):
    """The preview loop's default executor. Pulumi runs each monitor call on one of its threads,
    and the mock monitor makes an event loop there (`_ensure_event_loop`) that nobody closes: left
    to the garbage collector at interpreter exit, such a loop's `__del__` may find its self-pipe
    already closed and print `Exception ignored in BaseEventLoop.__del__ ... Invalid file
    descriptor`. Each call here closes the loop it made before returning."""

    def submit(self, fn, /, *args, **kwargs):
        def call_then_close_loop():
            try:
                return fn(*args, **kwargs)
            finally:
                _close_thread_loop()

        return super().submit(call_then_close_loop)


def _close_thread_loop() -> None:
    with contextlib.suppress(RuntimeError):  # no loop on this thread
        loop = asyncio.get_event_loop_policy().get_event_loop()
        if not loop.is_running():
            loop.close()
    asyncio.set_event_loop(None)


@contextlib.contextmanager
def _preview_loop():
    """A fresh event loop for one preview, closed with its executor's threads at the end, so that
    no loop is left for the garbage collector to close at exit."""
    loop = asyncio.new_event_loop()
    loop.set_default_executor(_LoopClosingExecutor(thread_name_prefix="preview-monitor"))
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)


def pause_full_collections() -> tuple[int, int, int]:
    """Stops the garbage collector's full collections (the young generations are still
    collected, so short-lived cycles are freed as before); returns the thresholds to restore.
    A full collection walks every object alive, and the pulumi_aws modules a plan imports leave
    some 360,000 of them: a whole-process preview of prod paid about 1.4 s for 7 full collections
    that found almost nothing."""
    thresholds = gc.get_threshold()
    gc.set_threshold(*thresholds[:2], 2**31 - 1)
    return thresholds


@contextlib.contextmanager
def _full_collections_paused():
    thresholds = pause_full_collections()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextlib.contextmanager
def _no_source_positions():
    """The SDK captures each registration's call stack for the engine's source positions
    (`traceback.extract_stack`, which reads every file on the stack into `linecache`: ~8 MiB of
    pulumi_aws source in a prod preview). The mock monitor records no source position, so the
    offline preview skips the capture; a real `pulumi preview` keeps it. Left alone if the SDK
    no longer has the hook."""
    capture = getattr(pulumi_resource, "_get_stack_trace", None)
    if capture is None:
        yield
        return
    pulumi_resource._get_stack_trace = _empty_stack_trace
    try:
        yield
    finally:
        pulumi_resource._get_stack_trace = capture


def _empty_stack_trace():
    return pulumi_resource.source_pb2.StackTrace()


def _checked_overrides(overrides: dict[str, str]) -> dict[str, str]:
    """The overrides by full key name, once every key is one webstack reads."""
    problems = [f"--set {key}={value}: {problem}" for key, value in overrides.items()
                if (problem := key_problem(key))]
    if problems:
        raise StackFileError("\n".join(problems))
    return {full_name(key): value for key, value in overrides.items()}


def _region(values: dict[str, str]) -> str:
    return values.get("aws:region", "ap-northeast-2")


def _reset_runtime() -> None:
    # Each preview starts from a fresh root stack, as each `pulumi preview` process does.
    pulumi_settings.ROOT.set(None)


def _resolve_outputs(stack_resource) -> tuple[dict, frozenset]:
    values, secrets = {}, set()
    for name, value in stack_resource.outputs.items():
        output = pulumi.Output.from_input(value)
        known = _sync_await(output.is_known())
        values[name] = _sync_await(output.future()) if known else UNKNOWN
        if _sync_await(output.is_secret()):
            secrets.add(name)
    return values, frozenset(secrets)


def run_preview(stack: str, project_dir: Path = REPO_ROOT,
                overrides: Optional[dict[str, str]] = None,
                registrations: Optional[list[PlannedResource]] = None,
                unknowns: bool = False,
                deployed_parameters: Optional[dict[str, str]] = None,
                config_file: Optional[Path] = None) -> Plan:
    """Previews `stack` offline. Raises the program's ConfigError unchanged on bad config.

    `overrides` ("key" or "namespace:key" → string) replace stack-file values, as
    `pulumi config set` would. `registrations`, if given, collects every registration as it
    happens, so a caller can see what was registered before a failure. `unknowns` previews as
    for a brand-new stack: a dry run whose computed outputs are unknown. `deployed_parameters`
    (SSM name → value) are what an earlier `pulumi up` left in the account. `config_file`, as
    `pulumi preview --config-file`, is read instead of Pulumi.<stack>.yaml.
    """
    config = load_stack_config(stack, project_dir, config_file)
    values = {**config.values, **_checked_overrides(overrides or {})}

    with _full_collections_paused(), _no_source_positions(), _preview_loop():
        _reset_runtime()
        monitor = RecordingMonitor(WebstackMocks(_region(values), unknowns, deployed_parameters),
                                   registrations)
        pulumi_mocks.set_mocks(monitor.mocks, project=config.project, stack=stack,
                               preview=unknowns, monitor=monitor)
        set_all_config(values, list(config.secret_keys))
        root = pulumi_settings.get_root_resource()

        main = project_dir / "__main__.py"
        sys.path.insert(0, str(project_dir))
        try:
            _sync_await(run_pulumi_func(lambda: runpy.run_path(str(main), run_name="__main__")))
        finally:
            sys.path.remove(str(project_dir))
        outputs, secret_outputs = _resolve_outputs(root)
    return Plan(stack=stack, resources=monitor.registrations, outputs=outputs,
                secret_outputs=secret_outputs)
