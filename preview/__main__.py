"""`python -m preview <stack> [--json] [--set key=value ...]`: what `pulumi preview` would create."""
from __future__ import annotations

import argparse
import sys

from components.config import ConfigError
from preview.engine import run_preview
from preview.render import as_json, as_text
from preview.stack_files import StackFileError

EXIT_BAD_CONFIG = 2


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m preview", description=__doc__)
    parser.add_argument("stack", nargs="?", default="dev", help="stack name (default: dev)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, as `pulumi config set` would")
    return parser.parse_args(argv)


def overrides(pairs: list[str]) -> dict[str, str]:
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise StackFileError(f"--set {pair!r}: expected KEY=VALUE")
        result[key] = value
    return result


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        plan = run_preview(args.stack, overrides=overrides(args.set))
    except (ConfigError, StackFileError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    print(as_json(plan) if args.json else as_text(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
