"""Masking secrets in the offline report: the secret value itself, not the block that holds it.

The plan says which inputs hold a secret (`secret_inputs`), but only by top-level name: a
distribution's whole `origins` list is "secret" because one custom header's value is. The values
that are secret are known elsewhere in the plan: the outputs a resource declares secret (a
RandomPassword's `result`) and secret inputs that are a plain string. Inside a secret block, only
strings that contain such a value are masked; a block with none of them (its secret came from
somewhere the plan does not show, e.g. secret config) is masked whole, as before.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

MASK = "[secret]"
MIN_LENGTH = 4  # shorter strings ("1", "on") would mask unrelated words


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if len(value) >= MIN_LENGTH:
            yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)


def secret_values(resources: Iterable[Any]) -> frozenset[str]:
    """Every value the plan marks secret on its own: secret outputs and secret string inputs."""
    found: set[str] = set()
    for resource in resources:
        outputs = getattr(resource, "outputs", {}) or {}
        for name in getattr(resource, "additional_secret_outputs", ()):
            found.update(strings(outputs.get(name)))
        inputs = getattr(resource, "inputs", {}) or {}
        for name in getattr(resource, "secret_inputs", ()):
            if isinstance(inputs.get(name), str):
                found.update(strings(inputs.get(name)))
    return frozenset(found)


def secrets_of(resource: Any, known: frozenset[str]) -> list[str]:
    """The strings to mask in messages about `resource`, longest first."""
    masked: set[str] = set()
    inputs = getattr(resource, "inputs", {}) or {}
    for name in getattr(resource, "secret_inputs", ()):
        block = list(strings(inputs.get(name)))
        holders = [text for text in block if any(secret in text for secret in known)]
        if holders:
            masked.update(holders)
            masked.update(secret for secret in known if any(secret in text for text in holders))
        else:
            masked.update(block)  # cannot tell which string is the secret: mask them all
    return sorted(masked, key=len, reverse=True)


def redact(message: str, resource: Any, known: frozenset[str] = frozenset()) -> str:
    """Masks the secret values of the resource's inputs, should a message ever quote one."""
    if resource is None:
        return message
    for secret in secrets_of(resource, known):
        message = message.replace(secret, MASK)
    return message
