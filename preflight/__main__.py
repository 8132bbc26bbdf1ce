"""`python -m preflight [stack ...]`: previews each stack offline, runs every stack's preflight
rules and the account-wide quota rules over them all; exit 1 on an error, 2 on bad input."""
from __future__ import annotations

import sys

from config.keys import ConfigError
from preflight import check, check_account, errors, report
from preview.engine import run_preview
from preview.stack_files import StackFileError


def main(stacks: list[str]) -> int:
    try:
        plans = [run_preview(stack) for stack in stacks]
    except (ConfigError, StackFileError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    findings = [f for plan in plans for f in check(plan)] + check_account(plans)
    print(report(findings, ", ".join(stacks)))
    return 1 if errors(findings) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["dev", "staging", "prod"]))
