"""Exemptions per resource: a justified exception to one policy for named resources, not a lower
level for the whole stack.

Every policy accepts an `exemptions` setting in the stack's policy config:

    "s3-public-access-blocked": {"exemptions": [
        {"resource": "public-site-bucket", "reason": "static website, ticket OPS-12",
         "expires": "2027-03-31"}]}

`resource` is a resource name or a glob (`*`, `?`, `[...]`) matched against the resource's name
and its URN; `reason` is mandatory; `expires` (YYYY-MM-DD, optional) ends the exemption after that
day. The policies honour it themselves (`policies._policy` wraps each validate function), so the
Pulumi CLI applies it too. Offline, `ExemptionLog` also records which exemption silenced what, so
the report can list them and point out expired and unused ones.
"""
from __future__ import annotations

import datetime
import fnmatch
import threading
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

SETTING = "exemptions"
DATE_FORMAT = "YYYY-MM-DD"
FIELDS = ("resource", "reason", "expires")
REQUIRED = ("resource", "reason")
SCHEMA = {
    "type": "array", "default": [],
    "description": "Resources this policy does not apply to: each {resource: name or glob over "
                   "name/URN, reason, expires?: YYYY-MM-DD}.",
    "items": {"type": "object", "additionalProperties": False, "required": list(REQUIRED),
              "properties": {"resource": {"type": "string", "minLength": 1},
                             "reason": {"type": "string", "minLength": 1},
                             "expires": {"type": "string",
                                         "pattern": r"^\d{4}-\d{2}-\d{2}$"}}},
}


@dataclass(frozen=True)
class Exemption:
    resource: str
    reason: str
    expires: Optional[datetime.date] = None

    def matches(self, name: Optional[str], urn: Optional[str]) -> bool:
        return any(isinstance(target, str) and fnmatch.fnmatchcase(target, self.resource)
                   for target in (name, urn))

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and today > self.expires


def today() -> datetime.date:
    """The UTC date exemptions expire against (a function, so tests can move the clock)."""
    return datetime.datetime.now(datetime.timezone.utc).date()


def parse_date(value: Any) -> Optional[datetime.date]:
    if not isinstance(value, str) or len(value) != len(DATE_FORMAT):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def entry_problems(where: str, entry: Any) -> list[str]:
    """What is wrong with one exemption entry of the policy config, each naming the key."""
    if not isinstance(entry, dict):
        return [f"{where} is not an object; allowed: {{\"resource\": name or glob, \"reason\": why, "
                f"\"expires\": {DATE_FORMAT} (optional)}}"]
    problems = [f"{where}.{key} is not a field of an exemption; allowed: {', '.join(FIELDS)}"
                for key in entry if key not in FIELDS]
    for key, meaning in (("resource", "a resource name or a glob over name/URN"),
                         ("reason", "why the exception is justified")):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            shown = "missing" if key not in entry else repr(value)
            problems.append(f"{where}.{key} is {shown}; allowed: a non-empty string ({meaning})")
    if "expires" in entry and parse_date(entry["expires"]) is None:
        problems.append(f"{where}.expires = {entry['expires']!r} is not a date; allowed: {DATE_FORMAT}, "
                        "e.g. 2027-03-31")
    return problems


def parse(entries: Any) -> list[Exemption]:
    """The well-formed exemptions of a (checked) setting; malformed entries are left out, so a
    policy run without the offline checker still never applies a half-written exemption."""
    found = []
    for entry in entries if isinstance(entries, (list, tuple)) else []:
        if isinstance(entry, Mapping) and not entry_problems("exemption", dict(entry)):
            found.append(Exemption(entry["resource"], entry["reason"], parse_date(entry.get("expires"))))
    return found


def matching(exemptions: Iterable[Exemption], name: Optional[str], urn: Optional[str]) -> Optional[Exemption]:
    return next((e for e in exemptions if e.matches(name, urn)), None)


# ---- what the offline report lists: the exemptions that silenced a violation ----

@dataclass(frozen=True)
class Use:
    policy: str
    exemption: Exemption
    urn: Optional[str]
    name: Optional[str]
    message: str


class ExemptionLog(threading.local):
    """Per-thread record of exemptions used while it is active (`with LOG.recording() as uses`)."""

    def __init__(self) -> None:
        self.uses: Optional[list[Use]] = None

    def record(self, use: Use) -> None:
        if self.uses is not None:
            self.uses.append(use)

    def recording(self) -> "_Recording":
        return _Recording(self)


class _Recording:
    def __init__(self, log: ExemptionLog):
        self.log = log

    def __enter__(self) -> list[Use]:
        self.log.uses = []
        return self.log.uses

    def __exit__(self, *exc: Any) -> None:
        self.log.uses = None


LOG = ExemptionLog()
