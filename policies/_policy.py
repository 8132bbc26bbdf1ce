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
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError

from policies import exemptions

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
    merged.update(peek_config(args))
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


UNEXPECTED_SHAPE = "cannot be checked: a property holds a value of an unexpected type"


def _schema(config: Optional[Schema]) -> PolicyConfigSchema:
    properties = {k: dict(v) for k, v in (config or {}).items()}
    properties[exemptions.SETTING] = dict(exemptions.SCHEMA)  # every policy takes exemptions
    return PolicyConfigSchema(properties=properties)


def _resource_name(urn: Optional[str]) -> Optional[str]:
    return urn.rsplit("::", 1)[-1] if isinstance(urn, str) and "::" in urn else None


def guarded(policy_name: str, validate: Callable, is_stack: bool) -> Callable:
    """The validate function as the pack runs it: a violation on an exempted resource is
    dropped (and logged for the offline report), one under an expired exemption says so, and a
    value of a shape the policy does not expect is reported instead of crashing the pack."""

    def run(args: Any, report: ReportViolation) -> Any:
        active = exemptions.parse(peek_config(args).get(exemptions.SETTING))

        def filtered(message: str, urn: Optional[str] = None) -> None:
            target_urn = urn if is_stack else args.urn
            target_name = _resource_name(urn) if is_stack else args.name
            exemption = exemptions.matching(active, target_name, target_urn) if target_urn else None
            if exemption is None:
                report(message, urn)
            elif exemption.expired(exemptions.today()):
                report(f"{message} (its exemption {exemption.resource!r} expired on "
                       f"{exemption.expires.isoformat()})", urn)
            else:
                exemptions.LOG.record(exemptions.Use(policy_name, exemption, target_urn, target_name, message))

        try:
            return validate(args, filtered)
        except (UnknownValueError, _NotApplicableError):
            raise  # the CLI's own outcomes: "can't run during preview", "not applicable"
        except Exception as error:  # noqa: BLE001 - a malformed value must not crash the pack
            report(f"{UNEXPECTED_SHAPE} ({error.__class__.__name__}); check the resource's inputs")

    functools.update_wrapper(run, validate)
    return run


def peek_config(args: Any) -> dict:
    config = args.get_config() or {}
    return dict(config) if isinstance(config, Mapping) else {}


def _make(policy_class: type, name: str, description: str, validate: Callable,
          level: EnforcementLevel, severity: Severity, config: Optional[Schema]) -> Any:
    is_stack = policy_class is StackValidationPolicy
    return policy_class(name=name, description=description, validate=guarded(name, validate, is_stack),
                        enforcement_level=level, severity=severity, config_schema=_schema(config))


def resource_policy(name: str, description: str, validate: ResourceCheck, *,
                    level: EnforcementLevel = MANDATORY, severity: Severity = Severity.HIGH,
                    config: Optional[Schema] = None) -> ResourceValidationPolicy:
    policy = _make(ResourceValidationPolicy, name, description, validate, level, severity, config)
    # The types `applies_to` admits (None: every type), so the offline check can skip the rest.
    policy.resource_types = getattr(validate, "resource_types", None)
    return policy


def stack_policy(name: str, description: str, validate: Callable, *,
                 level: EnforcementLevel = MANDATORY, severity: Severity = Severity.HIGH,
                 config: Optional[Schema] = None) -> StackValidationPolicy:
    return _make(StackValidationPolicy, name, description, validate, level, severity, config)


def integer_setting(default: int, description: str, minimum: int = 0) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "default": default, "description": description}


def list_setting(item_type: str, default: list, description: str,
                 **item_rules: Any) -> dict[str, Any]:
    return {"type": "array", "items": {"type": item_type, **item_rules}, "default": default,
            "description": description}


# A keyword JSON Schema validators ignore; the pack's own config check reads it.
FORMAT_KEY = "x-webstack-format"
CIDR_FORMAT = "cidr"


def port_list_setting(default: list, description: str) -> dict[str, Any]:
    return list_setting("integer", default, description, minimum=1, maximum=65535)


def cidr_list_setting(default: list, description: str) -> dict[str, Any]:
    return list_setting("string", default, description, **{FORMAT_KEY: CIDR_FORMAT})
