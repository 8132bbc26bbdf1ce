"""Structured config keyed by name (`webstack:services`, `webstack:tables`): the JSON object the
Pulumi CLI passes, read the one way every such key needs."""
from __future__ import annotations

import difflib
import json
from typing import Any, Callable, Optional, Sequence, TypeVar

Parsed = TypeVar("Parsed")


def load_named_objects(raw: Any, key: str, what: str, example: str,
                       error: Callable[[list[str]], Exception]) -> dict:
    """`raw` (JSON text, or the value already parsed) as an object of `what`s by name; else
    `error(problems)`. A name given twice is refused: json.loads would keep the last silently."""
    def unique(pairs: list) -> dict:
        names = [name for name, _ in pairs]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise error([f"{key} names a {what} twice; allowed: each {what} name once "
                         f"({', '.join(map(repr, twice))} is given twice; JSON would keep "
                         "the last silently)"])
        return dict(pairs)

    try:
        value = json.loads(raw, object_pairs_hook=unique) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        raise error([f"{key} is not valid JSON; allowed: an object of {what}s by name, "
                     f"e.g. {example}"]) from None
    if not isinstance(value, dict):
        raise error([f"{key} = {json.dumps(value)} is not valid; allowed: an object of "
                     f"{what}s by name, e.g. {example}"])
    return value


def parse_each(given: dict, parse_one: Callable[[str, Any], tuple[Optional[Parsed], list[str]]]
               ) -> tuple[list[Parsed], list[str]]:
    """Each object parsed in name order: the ones that parsed, and every problem of all."""
    parsed: list[Parsed] = []
    problems: list[str] = []
    for name in sorted(given):
        item, found = parse_one(name, given[name])
        problems += found
        if item is not None:
            parsed.append(item)
    return parsed, problems


def unknown_key_problem(where: str, key: str, fields: Sequence[str], what: str,
                        by_prefix: bool = False) -> str:
    """`<where>.<key>` is none of `fields`: the problem, with the closest field as a hint (with
    `by_prefix`, failing a close match, a field the key begins: `hash` → hashKey)."""
    close = difflib.get_close_matches(key, fields, n=1)
    if not close and by_prefix:
        close = [field for field in fields if field.lower().startswith(str(key).lower())]
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"{where}.{key} is not a {what} key; allowed: {', '.join(fields)}{hint}"
