"""The operations command's dispatcher. A command is one module under ops/ with HELP,
add_arguments(parser) and run(args, outputs) -> Report, registered in COMMANDS below."""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Optional, Sequence

from botocore.exceptions import BotoCoreError, ClientError

from ops import aws, stack
from ops.errors import BadInput, OpsError

COMMANDS = {
    "status": "ops.status",
    "backups check": "ops.backups_check",
    "restore-drill": "ops.restore_drill",
    "dr failover": "ops.dr_failover",
    "rollback": "ops.rollback",
}
# Commands about the repository rather than a live stack: each module's main(argv) -> exit code.
TOOLS = {
    "prices": "ops.prices",
}


class OneLineParser(argparse.ArgumentParser):
    """Usage errors in one line (and exit 2), not a usage block."""

    def error(self, message: str):
        raise BadInput(f"{message} (see `{self.prog} --help`)")


def find_command(argv: Sequence[str]) -> tuple[str, list]:
    for words in (2, 1):
        name = " ".join(argv[:words])
        if name in COMMANDS:
            return name, list(argv[words:])
    if not argv:
        raise BadInput(f"no command given; allowed: {', '.join(COMMANDS)}")
    raise BadInput(f"unknown command {' '.join(argv[:2])!r}; allowed: {', '.join(COMMANDS)}")


def parser_for(name: str, module) -> argparse.ArgumentParser:
    parser = OneLineParser(prog=f"python -m ops {name}", description=module.HELP)
    parser.add_argument("--stack", required=True, help="the Pulumi stack, such as prod")
    parser.add_argument("--outputs", metavar="FILE",
                        help="`pulumi stack output --json` saved to a file (default: run it)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    module.add_arguments(parser)
    return parser


USAGE = """usage: python -m ops <command> --stack <stack> [--outputs FILE] [--json]

Every command reads the stack's region, names and ARNs from `pulumi stack output --json --stack S`
(or --outputs FILE with the same content). Exit 0: healthy; 1: a problem found; 2: bad input.
commands: {commands}
`python -m ops <command> --help` describes one.
`python -m ops prices --refresh` rewrites cost/prices.json from the AWS Pricing API (no stack)."""


def run(argv: Sequence[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE.format(commands=", ".join(COMMANDS)))
        return 0
    if argv and argv[0] in TOOLS:
        return importlib.import_module(TOOLS[argv[0]]).main(argv[1:])
    name, rest = find_command(argv)
    module = importlib.import_module(COMMANDS[name])
    args = parser_for(name, module).parse_args(rest)
    report = module.run(args, stack.load(args.stack, args.outputs))
    print(report.as_json() if args.json else report.human())
    return report.exit_code


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return run(argv)
    except (ClientError, BotoCoreError) as error:
        failure = aws.explain(error)
    except OpsError as error:
        failure = error
    except KeyboardInterrupt:
        print("python -m ops: interrupted", file=sys.stderr)
        return 130
    print(f"python -m ops: {failure}", file=sys.stderr)
    return failure.exit_code


if __name__ == "__main__":
    sys.exit(main())
