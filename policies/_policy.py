"""Building policies: type filters, per-stack settings with schema defaults, policy constructors."""
from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, Optional

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

Schema = Mapping[str, Mapping[str, Any]]
ResourceCheck = Callable[[ResourceValidationArgs, ReportViolation], None]

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY


def settings(args: Any, schema: Optional[Schema]) -> dict[str, Any]:
    """The policy's settings: its schema's defaults, overridden by the stack's policy config.

    The CLI already merges the defaults in; merging again keeps a policy correct when it is
    called without them (a pack run with no config file, a direct call in a test).
    """
    merged = {key: spec["default"] for key, spec in (schema or {}).items() if "default" in spec}
    merged.update(args.get_config() or {})
    return merged


def applies_to(*resource_types: str) -> Callable[[ResourceCheck], ResourceCheck]:
    """Runs the decorated check only on resources of the given types; others pass untouched."""
    wanted = frozenset(resource_types)

    def decorate(check: ResourceCheck) -> ResourceCheck:
        @functools.wraps(check)
        def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
            if args.resource_type in wanted:
                check(args, report)

        validate.resource_types = wanted  # type: ignore[attr-defined]
        return validate

    return decorate


def _schema(config: Optional[Schema]) -> Optional[PolicyConfigSchema]:
    return PolicyConfigSchema(properties={k: dict(v) for k, v in config.items()}) if config else None


def _make(policy_class: type, name: str, description: str, validate: Callable,
          level: EnforcementLevel, severity: Severity, config: Optional[Schema]) -> Any:
    return policy_class(name=name, description=description, validate=validate, enforcement_level=level,
                        severity=severity, config_schema=_schema(config))


def resource_policy(name: str, description: str, validate: ResourceCheck, *,
                    level: EnforcementLevel = MANDATORY, severity: Severity = Severity.HIGH,
                    config: Optional[Schema] = None) -> ResourceValidationPolicy:
    return _make(ResourceValidationPolicy, name, description, validate, level, severity, config)


def stack_policy(name: str, description: str, validate: Callable, *,
                 level: EnforcementLevel = MANDATORY, severity: Severity = Severity.HIGH,
                 config: Optional[Schema] = None) -> StackValidationPolicy:
    return _make(StackValidationPolicy, name, description, validate, level, severity, config)


def integer_setting(default: int, description: str, minimum: int = 0) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "default": default, "description": description}


def list_setting(item_type: str, default: list, description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": item_type}, "default": default,
            "description": description}
