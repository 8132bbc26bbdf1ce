"""Reading resource properties as both the Pulumi CLI and the offline check hand them over.

Under the CLI, `args.props` is a read-only proxy: mappings and lists are `Mapping`/`Sequence`
(not dict/list), numbers arrive as floats (protobuf Struct), and reading a value that is unknown
during preview raises `UnknownValueError`. These helpers accept all of that.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Iterable, Optional

from pulumi_policy.proxy import UnknownValueError

UNKNOWN: Any = type("Unknown", (), {"__repr__": lambda self: "UNKNOWN"})()
"""Stands for a value that is not known during preview (see `peek`)."""


# Sets of allowed values are tuples in the policies: `value in a_tuple` compares, where `in` on a
# set would hash, and an unexpected list or object would raise instead of simply not matching.


def is_map(value: Any) -> bool:
    return isinstance(value, Mapping)


def is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def items(value: Any) -> list:
    """A block that pulumi-aws writes either as one object or as a list, always as a list."""
    if value is None:
        return []
    if is_list(value):
        return list(value)
    return [value]


def elements(value: Any) -> list:
    """Like `items`, but an element unknown during preview becomes UNKNOWN instead of raising."""
    if not is_list(value):
        return items(value)
    return [peek(lambda index=index: value[index]) for index in range(len(value))]


def dig(value: Any, *path: Any) -> Any:
    """`dig(props, "a", "b", 0)` is props["a"]["b"][0], or None where any step is missing."""
    for step in path:
        if isinstance(step, int):
            if not is_list(value) or not -len(value) <= step < len(value):
                return None
        elif not is_map(value):
            return None
        value = value.get(step) if is_map(value) else value[step]
    return value


def known(value: Any, *path: Any) -> Any:
    """`dig`, answering UNKNOWN instead of raising when the value (or a step) is unknown."""
    return peek(lambda: dig(value, *path))


def known_elements(value: Any, *path: Any) -> list:
    """The list at `path`, each element UNKNOWN where not known; [] where the list itself is
    unknown or missing."""
    found = known(value, *path)
    return [] if found is UNKNOWN else elements(found)


def peek(read: Callable[[], Any], default: Any = UNKNOWN) -> Any:
    """Runs `read`, answering `default` instead of failing when it touches an unknown value."""
    try:
        return read()
    except UnknownValueError:
        return default


def is_true(value: Any) -> bool:
    # Some pulumi-aws booleans are strings ("true") in the schema, e.g. launch template EBS.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def as_int(value: Any) -> Optional[int]:
    """An integer from an int, a float (how the CLI sends numbers) or a numeric string; None for
    anything else, including infinities and NaN ("inf", "1e999")."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    return None


def as_ints(values: Iterable[Any]) -> list[int]:
    return [number for number in (as_int(v) for v in values) if number is not None]


def present(value: Any) -> bool:
    """Set to something other than None or an empty string."""
    return value is not None and value != ""


def json_document(value: Any) -> Optional[Mapping]:
    """A policy document given as a JSON string or as an object; None if it is neither."""
    if is_map(value):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, Mapping) else None
    return None


def tag_keys(tags: Any) -> set[str]:
    """The keys of a tags map (reading keys only: tag values may be unknown in preview)."""
    if isinstance(tags, str):
        tags = json_document(tags)
    return {str(key) for key in tags} if is_map(tags) else set()


def tag_value(props: Mapping, key: str) -> Optional[str]:
    """A tag's value; None when unset, unknown or not a string (AWS tag values are strings)."""
    value = peek(lambda: dig(props, "tags", key), default=None)
    return value if isinstance(value, str) else None
