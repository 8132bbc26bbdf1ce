"""The pack's config in the CLI's `--policy-pack-config` format: read, checked, reconciled.

A stack's file (`policies/config/<stack>.json`) maps `"all"` or a policy name to an enforcement
level (`"advisory"`) or an object of settings (`{"enforcementLevel": …, "minRetentionDays": 30}`).
Reconciling follows the CLI: schema defaults, then `"all"`'s level, then each policy's own level
and settings.

Checking is stricter than the CLI, which ignores unknown policies and settings: here a typo would
silently keep a default (a prod threshold back at dev's), so it is refused. Every problem of a
file is reported at once, each naming the key, the value given and what is allowed.
"""
from __future__ import annotations

import difflib
import ipaddress
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

from pulumi_policy import EnforcementLevel, Policy

from policies import exemptions
from policies._policy import CIDR_FORMAT, FORMAT_KEY
from policies.pack import ALL_POLICIES, PACK_ENFORCEMENT_LEVEL, PACK_NAME

CONFIG_DIR = Path(__file__).resolve().parent / "config"
LEVELS = {level.value: level for level in EnforcementLevel}
LEVEL_KEY = "enforcementLevel"
ALL = "all"
JSON_TYPES = {"integer": (int,), "number": (int, float), "string": (str,), "boolean": (bool,),
              "array": (list,), "object": (dict,)}
TYPE_NAMES = {"integer": "an integer", "number": "a number", "string": "a string",
              "boolean": "true or false", "array": "a list", "object": "an object"}


class PolicyConfigError(ValueError):
    """The pack config is unreadable, not JSON, names an unknown policy or setting, or breaks a
    policy's schema. The message names the file, then each problem, as the program's ConfigError
    does for stack config."""

    def __init__(self, problems: Sequence[str], source: Union[str, Path, None] = None):
        self.problems = list(problems)
        self.source = source
        where = f" {shown_path(source)}" if source else ""
        super().__init__("\n".join([f"Invalid policy config{where}:", *(f"  - {p}" for p in problems)]))


@dataclass(frozen=True)
class PolicySettings:
    level: EnforcementLevel
    properties: dict[str, Any]


# ---- files ----

def stack_config_file(stack: str, config_dir: Path = CONFIG_DIR) -> Path:
    return Path(config_dir) / f"{stack}.json"


def load_pack_config(stack: str, config_dir: Path = CONFIG_DIR) -> dict:
    """The stack's policy config (`policies/config/<stack>.json`), read and checked."""
    return read_pack_config(stack_config_file(stack, config_dir))


def read_pack_config(path: Union[str, Path]) -> dict:
    """A policy config file, checked whole before any preview runs; an empty file is `{}`."""
    path = Path(path)
    pack_config = _parse(_read(path), path)
    problems = config_problems(pack_config)
    if problems:
        raise PolicyConfigError(problems, path)
    return pack_config


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyConfigError([f"no such file; {_files_beside(path)}"], path) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error.__class__.__name__
        raise PolicyConfigError([f"cannot be read ({reason}); allowed: a UTF-8 JSON file"], path) from None


def _files_beside(path: Path) -> str:
    """What the user may have meant: the configs in the same folder (a stack name's typo)."""
    found = sorted(p.name for p in path.parent.glob("*.json")) if path.parent.is_dir() else []
    if not found:
        return "allowed: a JSON file such as policies/config/dev.json"
    return f"policy configs in {shown_path(path.parent)}: {', '.join(found)}"


def _parse(text: str, path: Path) -> Any:
    if not text.strip():
        return {}
    duplicates: dict[int, list[str]] = {}

    def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict:
        result: dict = {}
        for key, value in pairs:
            if key in result:
                duplicates.setdefault(id(result), []).append(key)
            result[key] = value
        return result

    try:
        parsed = json.loads(text, object_pairs_hook=refuse_duplicates)
    except json.JSONDecodeError as error:
        raise PolicyConfigError([f"not valid JSON: {error.msg} at line {error.lineno}, column "
                                 f"{error.colno}"], path) from None
    except ValueError as error:  # e.g. a number too long to convert
        raise PolicyConfigError([f"not valid JSON: {error}"], path) from None
    if duplicates:
        raise PolicyConfigError([f"duplicate key {_json(key)}{where}: JSON would silently keep only "
                                 "the last value; write each key once"
                                 for where, key in _duplicate_paths(parsed, duplicates)], path)
    return parsed


def _duplicate_paths(value: Any, duplicates: Mapping[int, list[str]], path: str = "") -> list[tuple[str, str]]:
    """(" in <path>", key) for each key written twice, found by walking the parsed document."""
    found = []
    if isinstance(value, dict):
        found += [(f" in {path}" if path else " at the top level", key) for key in duplicates.get(id(value), [])]
        for key, item in value.items():
            found += _duplicate_paths(item, duplicates, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _duplicate_paths(item, duplicates, f"{path}[{index}]")
    return found


def shown_path(path: Union[str, Path]) -> str:
    """The path relative to the working directory when it lies below it, as a user would type it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---- checking ----

def config_problems(pack_config: Any, policies: Sequence[Policy] = ALL_POLICIES) -> list[str]:
    """Everything wrong with a pack config, each naming the key, the value and what is allowed."""
    if not isinstance(pack_config, dict):
        return [f"the top level is {_kind(pack_config)}; allowed: an object of \"all\" and policy "
                "names, each set to an enforcement level or an object of settings"]
    by_name = {policy.name: policy for policy in policies}
    problems: list[str] = []
    for key, value in pack_config.items():
        if key == ALL or key in by_name:
            problems += _entry_problems(key, _schema(by_name.get(key)), value)
        else:
            problems.append(_unknown_policy(key, list(by_name)))
    return problems


def _schema(policy: Optional[Policy]) -> dict[str, Any]:
    return dict(policy.config_schema.properties) if policy and policy.config_schema else {}


def _entry_problems(name: str, schema: Mapping[str, Any], value: Any) -> list[str]:
    if isinstance(value, str):
        return _level_problems(name, value)
    if not isinstance(value, dict):
        return [f"{name} = {_json(value)} is not valid; allowed: an enforcement level "
                f"({_levels()}) or an object of settings"]
    problems = _level_problems(f"{name}.{LEVEL_KEY}", value[LEVEL_KEY]) if LEVEL_KEY in value else []
    for key, item in value.items():
        if key == LEVEL_KEY:
            continue
        if key not in schema:
            problems.append(f"{name}.{key} is not a setting of {name}; allowed: "
                            f"{', '.join([LEVEL_KEY, *schema])}")
        elif key == exemptions.SETTING:
            problems += _exemption_problems(f"{name}.{key}", item)
        elif not _fits(item, schema[key]):
            problems.append(f"{name}.{key} = {_json(item)} is not valid; allowed: {_allowed(schema[key])}")
    return problems


def _exemption_problems(where: str, entries: Any) -> list[str]:
    if not isinstance(entries, list):
        return [f"{where} = {_json(entries)} is not valid; allowed: a list of exemptions"]
    problems = [p for index, entry in enumerate(entries)
                for p in exemptions.entry_problems(f"{where}[{index}]", entry)]
    seen: set = set()
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, str) and resource in seen:
            problems.append(f"{where}[{index}].resource = {_json(resource)} is exempted twice; "
                            "allowed: one exemption per resource pattern")
        seen.add(resource)
    return problems


def _level_problems(key: str, value: Any) -> list[str]:
    return [] if value in LEVELS else [f"{key} = {_json(value)} is not an enforcement level; "
                                       f"allowed: {_levels()}"]


def _unknown_policy(key: str, names: list[str]) -> str:
    guess = difflib.get_close_matches(key, names, n=1)
    hint = f" (did you mean {_json(guess[0])}?)" if guess else ""
    return (f"{_json(key)} names no policy of {PACK_NAME}{hint}; allowed: \"all\" or a policy "
            "name from the policy table in README.md")


def _levels() -> str:
    return ", ".join(LEVELS)


def _json(value: Any) -> str:
    return json.dumps(value)


def _kind(value: Any) -> str:
    return TYPE_NAMES.get(_json_type(value), "null")


def _json_type(value: Any) -> Optional[str]:
    return next((name for name in ("boolean", "integer", "number", "string", "array", "object")
                 if _is_type(value, name)), None)


def _allowed(spec: Mapping[str, Any]) -> str:
    """The schema in words: "an integer ≥ 0", "a list of integers", "one of "mvp", "scaled""."""
    if spec.get("type") == "array":
        items = spec.get("items", {})
        return f"a list, each {_allowed(items)}" if items else "a list"
    if "enum" in spec:
        return "one of " + ", ".join(_json(v) for v in spec["enum"])
    if spec.get(FORMAT_KEY) == CIDR_FORMAT:
        return "a CIDR block such as \"203.0.113.0/24\" or \"2001:db8::/32\" (no host bits set)"
    words = TYPE_NAMES.get(spec.get("type"), "any value")
    if "minimum" in spec and "maximum" in spec:
        return f"{words} from {spec['minimum']} to {spec['maximum']}"
    return f"{words} ≥ {spec['minimum']}" if "minimum" in spec else words


def _fits(value: Any, spec: Mapping[str, Any]) -> bool:
    """The subset of JSON Schema the pack's schemas use: type, items, enum, minimum."""
    if not _is_type(value, spec.get("type")):
        return False
    if spec.get("type") == "array":
        return all(_fits(item, spec.get("items", {})) for item in value)
    if "enum" in spec and value not in spec["enum"]:
        return False
    if spec.get(FORMAT_KEY) == CIDR_FORMAT and not _is_cidr(value):
        return False
    if "maximum" in spec and value > spec["maximum"]:
        return False
    return "minimum" not in spec or value >= spec["minimum"]


def _is_cidr(value: str) -> bool:
    """A network in CIDR notation with its prefix written out and no host bits set."""
    if "/" not in value or value != value.strip():
        return False
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        return False
    return True


def _is_type(value: Any, json_type: Optional[str]) -> bool:
    if json_type is None:
        return True
    if isinstance(value, bool) and json_type in ("integer", "number"):
        return False
    if json_type in ("integer", "number") and isinstance(value, float) and not math.isfinite(value):
        return False
    if json_type == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, JSON_TYPES[json_type])


# ---- reconciling ----

def reconcile_config(pack_config: Mapping[str, Any],
                     policies: Sequence[Policy] = ALL_POLICIES) -> dict[str, PolicySettings]:
    """Each policy's enforcement level and properties, reconciled as the CLI does."""
    problems = config_problems(pack_config if pack_config is not None else {}, policies)
    if problems:
        raise PolicyConfigError(problems)
    result = {policy.name: PolicySettings(policy.enforcement_level or PACK_ENFORCEMENT_LEVEL,
                                          _schema_defaults(policy)) for policy in policies}
    entries = {key: _split_entry(value) for key, value in (pack_config or {}).items()}
    all_level = entries.get(ALL, (None, {}))[0]
    if all_level is not None:
        result = {name: PolicySettings(all_level, s.properties) for name, s in result.items()}
    for name, (level, properties) in entries.items():
        if name != ALL:
            current = result[name]
            result[name] = PolicySettings(level or current.level, {**current.properties, **properties})
    return result


def _split_entry(value: Any) -> tuple[Optional[EnforcementLevel], dict]:
    """A checked entry as (its level or None, its settings)."""
    if isinstance(value, str):
        return LEVELS[value], {}
    properties = dict(value)
    level = properties.pop(LEVEL_KEY, None)
    return (LEVELS[level] if level is not None else None), properties


def _schema_defaults(policy: Policy) -> dict[str, Any]:
    return {key: spec["default"] for key, spec in _schema(policy).items() if "default" in spec}
