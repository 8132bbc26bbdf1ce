"""The estimate as text: total, groups, the priced lines, what is not priced and why."""
from __future__ import annotations

from cost.model import Estimate, Line


def money(usd: float) -> str:
    return f"${usd:,.2f}"


def report(estimate: Estimate, title: str = "Monthly cost estimate") -> str:
    lines = [f"{title} (on-demand USD, {estimate.region}): {money(estimate.total)} priced"
             + (f", {len(estimate.not_priced)} line(s) not priced" if estimate.not_priced else "")]
    lines += ["", "By group:"] + [f"  {group:<16} {money(usd):>10}" for group, usd in estimate.by_group().items()]
    lines += ["", "Priced lines (monthly, unit price × quantity — assumption):"]
    lines += [_priced(line) for line in estimate.by_cost()]
    if estimate.not_priced:
        lines += ["", "Not priced (counted as nothing in the total):"]
        lines += [f"  {count} × {item}" for item, count in estimate.unpriced_counts().items()]
        reasons = sorted({(line.item, line.source) for line in estimate.not_priced})
        lines += [f"    - {item}: {reason}" for item, reason in reasons]
    lines += ["", f"Free: {len(estimate.free)} resource line(s) (VPC, subnets, security groups, IAM, "
                  "configuration objects…; `--json` lists each with its reason)"]
    return "\n".join(lines)


def _priced(line: Line) -> str:
    unit_price = f"${line.unit_usd:g}/{_singular(line.unit)}"
    return (f"  {money(line.monthly_usd):>10}  {line.resource}: {line.item} — {unit_price} × "
            f"{line.quantity:,.4g} {line.unit} ({line.basis})")


def _singular(unit: str) -> str:
    return unit[:-1] if unit.endswith("s") and not unit.endswith("ss") else unit


def summary_row(stack: str, estimate: Estimate, top: int = 3) -> str:
    """One row of the README's cost table: stack, priced total, biggest lines, not priced."""
    biggest = "; ".join(f"{line.resource} {line.item} {money(line.monthly_usd)}" for line in estimate.top(top))
    unpriced = "; ".join(f"{count} × {item}" for item, count in estimate.unpriced_counts().items())
    return f"| {stack} | {money(estimate.total)} | {biggest} | {unpriced or 'none'} |"


def summary_table(estimates: dict[str, Estimate]) -> str:
    header = ["| stack | priced estimate / month | biggest lines | not priced (not in the total) |",
              "|---|---:|---|---|"]
    return "\n".join(header + [summary_row(stack, estimate) for stack, estimate in estimates.items()])
