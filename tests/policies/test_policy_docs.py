"""README.md's policy table is the pack: every policy of ALL_POLICIES in order, marked `(stack)`
when it checks the whole plan, with its default level, the stacks whose config changes that
level, and its settings."""
import re
from collections import defaultdict
from pathlib import Path

import pytest
from pulumi_policy import StackValidationPolicy

from policies.pack import ALL_POLICIES, PACK_ENFORCEMENT_LEVEL
from policies.pack_config import CONFIG_DIR, load_pack_config, reconcile_config

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Guardrails (policy pack)"
STACK_ORDER = ["dev", "staging", "prod"]
STACKS = sorted((path.stem for path in CONFIG_DIR.glob("*.json")),
                key=lambda s: (STACK_ORDER.index(s) if s in STACK_ORDER else len(STACK_ORDER), s))


def _section(text: str) -> str:
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start:end if end != -1 else None]


def _rows() -> dict[str, list[str]]:
    """The policy table's rows: policy cell → [policy, checks, level, settings]."""
    rows = {}
    for line in _section(README.read_text(encoding="utf-8")).splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            assert len(cells) == 4, f"expected 4 cells: {line}"
            rows[cells[0]] = cells
    return rows


def policy_cell(policy) -> str:
    return f"`{policy.name}`" + (" (stack)" if isinstance(policy, StackValidationPolicy) else "")


def level_cell(policy) -> str:
    """"advisory (staging, prod: mandatory)": the default, then each other level a stack sets."""
    default = (policy.enforcement_level or PACK_ENFORCEMENT_LEVEL).value
    by_level = defaultdict(list)
    for stack in STACKS:
        level = reconcile_config(load_pack_config(stack))[policy.name].level.value
        if level != default:
            by_level[level].append(stack)
    notes = "; ".join(f"{', '.join(stacks)}: {level}" for level, stacks in by_level.items())
    return f"{default} ({notes})" if notes else default


def setting_names(cell: str) -> list[str]:
    """`minRetentionDays` (7; prod 30) → [minRetentionDays]: names in backticks, notes left out."""
    return re.findall(r"`([^`]+)`", re.sub(r"\([^)]*\)", "", cell))


def test_the_readme_lists_every_policy_of_the_pack_in_order():
    assert list(_rows()) == [policy_cell(p) for p in ALL_POLICIES]
    assert f"{len(ALL_POLICIES)} policies" in _section(README.read_text(encoding="utf-8"))


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: p.name)
def test_each_row_gives_the_level_and_settings(policy):
    _, checks, level, settings = _rows()[policy_cell(policy)]
    assert checks
    assert level == level_cell(policy)
    schema = policy.config_schema.properties if policy.config_schema else {}
    # `exemptions`, common to every policy, is documented once above the table.
    assert setting_names(settings) == [name for name in schema if name != "exemptions"]
