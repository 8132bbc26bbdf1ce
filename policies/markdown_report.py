"""The offline policy report as Markdown, for the pull request comment and the job summary.

One section per stack: the verdict, then mandatory violations, advisory ones, exemption problems
and the violations exemptions silenced, each as a table of resource, type and message, with the
policy's fix once per policy. `MARKER` (an HTML comment, invisible when rendered) lets the PR
workflow find its own comment and update it instead of adding another.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable, Sequence

from policies.offline import EXEMPTIONS_POLICY, PolicyCheck, Violation
from policies.pack_config import shown_path

MARKER = "<!-- webstack-policy-report -->"
TITLE = "Policy check (webstack-guardrails)"
SECTIONS = (  # (heading, which violations), in report order: mandatory first
    ("Mandatory", lambda v: v.mandatory),
    ("Advisory", lambda v: not v.mandatory and not v.exempted and v.policy != EXEMPTIONS_POLICY),
    ("Exemptions to review", lambda v: v.policy == EXEMPTIONS_POLICY),
    ("Exempted", lambda v: v.exempted),
)


def cell(text: object) -> str:
    """Text safe inside a table cell: one line, pipes escaped, no HTML or Markdown injected."""
    value = " ".join(str(text).split())
    for char, escaped in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;"), ("`", "'")):
        value = value.replace(char, escaped)
    return value


def verdict(violations: Sequence[Violation]) -> str:
    mandatory = sum(v.mandatory for v in violations)
    advisory = sum(1 for v in violations if not v.mandatory and not v.exempted)
    if mandatory:
        return f"❌ **{mandatory} mandatory** violation(s), {advisory} advisory: the stack cannot be deployed"
    return f"✅ no mandatory violation ({advisory} advisory)"


def render_stack(stack: str, violations: Sequence[Violation], config: str = "") -> str:
    """One stack's report: heading with the verdict, then a table per section that has rows."""
    source = f" — config `{cell(config)}`" if config else ""
    lines = [f"### `{cell(stack)}`: {verdict(violations)}{source}", ""]
    for heading, belongs in SECTIONS:
        rows = [v for v in violations if belongs(v)]
        if rows:
            lines += _section(heading, rows)
    if not violations:
        lines.append("No violations.")
    return "\n".join(lines).rstrip() + "\n"


def _section(heading: str, rows: Sequence[Violation]) -> list[str]:
    lines = [f"#### {heading} ({len(rows)})", "", "| policy | resource | type | what is wrong |", "|---|---|---|---|"]
    fixes: dict[str, str] = {}
    for v in rows:
        lines.append(f"| `{cell(v.policy)}` | {cell(v.name or 'stack')} | {cell(v.resource_type or '')} | "
                     f"{cell(v.message)} |")
        if v.description:
            fixes.setdefault(v.policy, v.description)
    lines.append("")
    if fixes:
        lines += ["<details><summary>How to fix</summary>", ""]
        lines += [f"- `{cell(policy)}`: {cell(fix)}" for policy, fix in fixes.items()]
        lines += ["", "</details>", ""]
    return lines


def render_check(stack: str, check: PolicyCheck) -> str:
    """What `python -m preview <stack> --policies --format markdown` prints."""
    return render_stack(stack, check.violations, shown_path(check.config_file))


def render_comment(stacks: Iterable[tuple[str, str]]) -> str:
    """The pull request comment: the marker, a title, then each stack's rendered report."""
    return "\n".join([MARKER, f"## {TITLE}", "", *(body for _, body in stacks)])


def main(argv: Sequence[str]) -> int:
    """`python -m policies.markdown_report REPORT.md ...`: the PR comment made of the stacks'
    reports (each from `python -m preview <stack> --policies --format markdown`), on stdout."""
    if not argv:
        print("usage: python -m policies.markdown_report REPORT.md ...", file=sys.stderr)
        return 2
    try:
        bodies = [(path, Path(path).read_text(encoding="utf-8")) for path in argv]
    except OSError as error:
        print(f"error: cannot read {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    print(render_comment(bodies), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
