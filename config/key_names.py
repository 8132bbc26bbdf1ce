"""The config keys webstack reads, by full name, and what to say of any other key.

A key nobody reads is a typo waiting to bite: `dbBackupRetentionDay=30` would leave the default
in force while the user believes it changed. Every key, from a stack file, `--set` or the Pulumi
CLI, is checked here.
"""
from __future__ import annotations

import difflib
from typing import Iterable, Optional

from config.keys import PROJECT, SETTINGS

# The only aws: key the program reads: its AWS providers are explicit and take the region alone,
# so any other aws: key (aws:profile, aws:defaultTags…) would be ignored.
PROVIDER_KEYS = ("aws:region",)
KNOWN_KEYS = (*(f"{PROJECT}:{s.key}" for s in SETTINGS), *PROVIDER_KEYS)
# The Pulumi engine's own settings (e.g. pulumi:disable-default-providers) are its to judge.
ENGINE_NAMESPACE = "pulumi"


def full_name(key: str) -> str:
    """`tier` → `webstack:tier`; a key with a namespace stays as it is."""
    return key if ":" in key else f"{PROJECT}:{key}"


def did_you_mean(key: str, known: Iterable[str] = KNOWN_KEYS) -> str:
    """'; did you mean webstack:tier?' for the closest known key, ignoring case, or ''.

    Names are compared within the key's namespace (a shared `webstack:` would make every key look
    close); a key in an unknown namespace is compared whole, to catch a misspelt namespace."""
    namespace, _, name = key.lower().partition(":")
    elsewhere = [k for k in known if k.lower().partition(":")[2] == name]
    if elsewhere:  # the right name in the wrong namespace, e.g. webstack:region for aws:region
        return f"; did you mean {elsewhere[0]}?"
    same_namespace = {k.lower().partition(":")[2]: k for k in known
                      if k.lower().partition(":")[0] == namespace}
    close = difflib.get_close_matches(name, list(same_namespace), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {same_namespace[close[0]]}?"
    whole = {k.lower(): k for k in known}
    close = difflib.get_close_matches(key.lower(), list(whole), n=1, cutoff=0.8)
    return f"; did you mean {whole[close[0]]}?" if close else ""


def key_problem(key: str) -> Optional[str]:
    """Why `key` is not one webstack reads, or None if it is."""
    if not key.strip():
        return "an empty key is not a config key; expected a name such as tier or webstack:tier"
    if key != "".join(key.split()):
        squeezed = full_name("".join(key.split()))
        return f"{key!r} has white space in it; config keys have none{did_you_mean(squeezed)}"
    name = full_name(key)
    namespace = name.partition(":")[0]
    if name in KNOWN_KEYS or namespace == ENGINE_NAMESPACE:
        return None
    if namespace == "aws":
        return (f"{name} is not read by webstack: its AWS providers are explicit and take only "
                f"aws:region{did_you_mean(name)}")
    if namespace != PROJECT:
        return (f"{name}: the namespace {namespace!r} is not read by webstack, which reads "
                f"{PROJECT}: keys and aws:region{did_you_mean(name)}")
    return f"{name} is not a webstack config key{did_you_mean(name)}"
