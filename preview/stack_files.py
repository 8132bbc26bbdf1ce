"""Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI hands config to the program.

A file that cannot be read as the CLI would read it is refused with one message naming the file
and what is wrong in it, never a traceback: missing, not YAML, not the expected shape, a key given
twice (YAML would silently keep the last), a key webstack does not read, a null or encrypted value.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from config.key_names import full_name, key_problem


class StackFileError(Exception):
    """A stack that cannot be loaded: a missing or malformed file, an unknown key, or a secret."""


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    values: dict[str, str]  # "namespace:key" → the string the program sees
    secret_keys: tuple[str, ...]


class _UniqueKeys:
    """A safe loader that refuses a mapping holding the same key twice."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)):
                continue  # SafeLoader refuses unhashable keys itself
            line = key_node.start_mark.line + 1
            if key in seen:
                raise StackFileError(f"line {line}: {key!r} is given twice (also on line "
                                     f"{seen[key]}); YAML would keep the last silently; keep one")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


class _UniqueKeyLoader(_UniqueKeys, yaml.SafeLoader):
    """Pure Python: slower, but its syntax errors name the character at fault."""


# libyaml's parser reads Pulumi.yaml ten times faster (about 2 ms instead of 20); a file it
# refuses is read again by the pure Python loader, whose message is the clearer one.
if getattr(yaml, "__with_libyaml__", False):
    class _FastUniqueKeyLoader(_UniqueKeys, yaml.CSafeLoader):
        """libyaml's parser, the same constructor and resolver as SafeLoader."""
else:
    _FastUniqueKeyLoader = _UniqueKeyLoader


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise StackFileError(f"{path.name}: no such file in {path.parent}")
    try:
        text = path.read_text(encoding="utf-8")
        return _load(text)
    except StackFileError as err:
        raise StackFileError(f"{path.name}: {err}") from None
    except UnicodeDecodeError:
        raise StackFileError(f"{path.name} is not UTF-8 text") from None
    except OSError as err:
        raise StackFileError(f"{path.name} cannot be read: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise StackFileError(f"{path.name} is not valid YAML: {_yaml_problem(err)}") from None


def _load(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_FastUniqueKeyLoader)
    except yaml.YAMLError:
        return yaml.load(text, Loader=_UniqueKeyLoader)


def _yaml_problem(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}" if mark else problem


def load_project(project_dir: Path) -> dict:
    """Pulumi.yaml, checked for what the CLI needs of it: a name, and config as a mapping."""
    project = _read_yaml(project_dir / "Pulumi.yaml")
    if not isinstance(project, dict):
        raise StackFileError(f"Pulumi.yaml must be a mapping with at least `name:`; it holds "
                             f"{_kind(project)}")
    name = project.get("name")
    if not isinstance(name, str) or not name.strip():
        raise StackFileError("Pulumi.yaml has no project `name:` (a non-empty string, e.g. "
                             "name: webstack)")
    config = project.get("config")
    if config is not None and not isinstance(config, dict):
        raise StackFileError(f"Pulumi.yaml: `config:` must be a mapping of keys to their "
                             f"declarations; it holds {_kind(config)}")
    return project


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (the file is empty or null)"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {str(value)[:40]!r}"


def _as_config_string(value: Any) -> str:
    """Pulumi passes every config value as a string; structured values as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str)
    return str(value)


def _project_values(project_file: dict, project: str) -> tuple[set[str], dict[str, str]]:
    """The keys Pulumi.yaml declares (with a type) and the values it gives (defaults, plain)."""
    declared: set[str] = set()
    values: dict[str, str] = {}
    for key, spec in (project_file.get("config") or {}).items():
        full_key = key if ":" in str(key) else f"{project}:{key}"
        # An object key (`services`) is declared by its description alone: the CLI's schema
        # types config as string, integer, boolean or array only.
        if isinstance(spec, dict) and ("type" in spec or set(spec) == {"description"}):
            declared.add(full_key)
            if spec.get("default") is not None:
                values[full_key] = _as_config_string(spec["default"])
        elif isinstance(spec, dict):
            if spec.get("value") is not None:
                values[full_key] = _as_config_string(spec["value"])
        elif spec is not None:
            values[full_key] = _as_config_string(spec)
    return declared, values


_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def check_stack_name(stack: str) -> None:
    if not _STACK_NAME.match(stack):
        raise StackFileError(f"{stack!r} is not a stack name; allowed: letters, digits, _, . and -")


def stack_path(stack: str, project_dir: Path) -> Path:
    check_stack_name(stack)
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
        raise StackFileError(f"no stack '{stack}': {path.name} does not exist; "
                             f"stacks: {', '.join(known)}")
    return path


def _stack_config(path: Path) -> Mapping:
    content = _read_yaml(path)
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise StackFileError(f"{path.name} must be a mapping with a `config:` mapping in it; it "
                             f"holds {_kind(content)}")
    config = content.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path.name}: `config:` must be a mapping of keys to values "
                             f"(e.g. webstack:tier: mvp); it holds {_kind(config)}")
    return config


def _check_stack_value(path: Path, key: Any, value: Any, project: str,
                       declared: set[str]) -> str:
    """The key's full name, once it is one webstack reads and its value one we can pass on."""
    if not isinstance(key, str):
        raise StackFileError(f"{path.name}: the key {key!r} is not a name; keys are names such as "
                             "webstack:tier")
    problem = key_problem(key)
    if problem:
        raise StackFileError(f"{path.name}: {problem}")
    full_key = full_name(key)
    if full_key.startswith(f"{project}:") and full_key not in declared:
        raise StackFileError(f"{path.name} sets {full_key}, which Pulumi.yaml does not declare; "
                             "declare it there with its type and description")
    if value is None:
        raise StackFileError(f"{path.name}: {full_key} is null (no value after the colon); give it "
                             "a value, or delete the line to keep its default")
    if isinstance(value, dict) and "secure" in value:
        raise StackFileError(
            f"{path.name}: {full_key} holds an encrypted value (secure:). No webstack key is a "
            "secret, and the offline preview cannot decrypt one: put the plain value in the file "
            f"(`pulumi config set {full_key.partition(':')[2]} <value>` without --secret), or "
            f"preview with --set {full_key}=<value>")
    return full_key


def load_stack_config(stack: str, project_dir: Path,
                      config_file: Optional[Path] = None) -> StackConfig:
    """`config_file`, as the CLI's `--config-file`, replaces Pulumi.<stack>.yaml for this run;
    the stack keeps its name, and the file is checked as a stack file is."""
    project_file = load_project(project_dir)
    project = project_file["name"]
    if config_file is None:
        path = stack_path(stack, project_dir)
    else:
        check_stack_name(stack)
        path = config_file
    declared, values = _project_values(project_file, project)
    given: dict[str, Any] = {}
    for key, value in _stack_config(path).items():
        full_key = _check_stack_value(path, key, value, project, declared)
        if full_key in given:
            raise StackFileError(f"{path.name} sets {full_key} twice ({given[full_key]!r} and "
                                 f"{key!r}); keep one")
        given[full_key] = key
        values[full_key] = _as_config_string(value)
    return StackConfig(project, stack, values, ())
