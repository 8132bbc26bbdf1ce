"""Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI hands config to the program."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class StackFileError(Exception):
    """A stack that cannot be loaded: missing file, unknown key, or a secret we cannot decrypt."""


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    values: dict[str, str]  # "namespace:key" → the string the program sees
    secret_keys: tuple[str, ...]


def load_project(project_dir: Path) -> dict:
    return yaml.safe_load((project_dir / "Pulumi.yaml").read_text())


def _as_config_string(value: Any) -> str:
    """Pulumi passes every config value as a string; structured values as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def load_stack_config(stack: str, project_dir: Path) -> StackConfig:
    project_file = load_project(project_dir)
    project = project_file["name"]
    stack_path = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_path.exists():
        known = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
        raise StackFileError(f"no stack '{stack}': {stack_path.name} does not exist; "
                             f"stacks: {', '.join(known)}")

    declared: dict[str, str] = {}
    values: dict[str, str] = {}
    for key, spec in (project_file.get("config") or {}).items():
        full_key = _qualify(key, project)
        if isinstance(spec, dict) and "type" in spec:
            declared[full_key] = spec["type"]
            if "default" in spec:
                values[full_key] = _as_config_string(spec["default"])
        else:
            values[full_key] = _as_config_string(spec.get("value") if isinstance(spec, dict) else spec)

    stack_values = (yaml.safe_load(stack_path.read_text()) or {}).get("config") or {}
    secret_keys = []
    for key, value in stack_values.items():
        full_key = _qualify(key, project)
        if full_key.startswith(f"{project}:") and full_key not in declared:
            raise StackFileError(f"{stack_path.name} sets {full_key}, which Pulumi.yaml does not "
                                 f"declare; declared keys: {', '.join(sorted(declared))}")
        if isinstance(value, dict) and "secure" in value:
            raise StackFileError(f"{stack_path.name} holds an encrypted secret for {full_key}; the "
                                 "offline preview cannot decrypt it. Pass it with --secret.")
        values[full_key] = _as_config_string(value)
    return StackConfig(project, stack, values, tuple(secret_keys))
