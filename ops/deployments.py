"""Records a deployment in the stack's deployment history table, and lists the recent ones.

    python -m ops.deployments record --table T --stack prod --version v1.4.2 --commit abc123 \
        --status succeeded [--actor alice]
    python -m ops.deployments list --table T --stack prod [--limit 10]

Run by CI after every `pulumi up` (see .github/workflows/pulumi.yml). Items expire after 90 days through
the table's TTL attribute (seed 003).
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from typing import Optional, Sequence

import boto3
from boto3.dynamodb.conditions import Key

KEEP_FOR = timedelta(days=90)
STATUSES = ("succeeded", "failed", "rolled_back")


def deployment_item(*, stack: str, version: str, commit: str, status: str, actor: str,
                    now: datetime) -> dict:
    if status not in STATUSES:
        raise ValueError(f"status {status!r} is not valid; allowed: {', '.join(STATUSES)}")
    moment = now.astimezone(timezone.utc)
    return {"stack": stack, "deployedAt": moment.isoformat(timespec="seconds"),
            "version": version, "commit": commit, "status": status, "actor": actor,
            "expiresAt": int((moment + KEEP_FOR).timestamp())}


def record(table, item: dict) -> None:
    # Never overwrite: two deployments in the same second are two records, or an error.
    table.put_item(Item=item, ConditionExpression="attribute_not_exists(deployedAt)")


def recent(table, stack: str, limit: int = 10) -> list[dict]:
    response = table.query(KeyConditionExpression=Key("stack").eq(stack),
                           ScanIndexForward=False, Limit=limit)
    return response["Items"]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.deployments", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("record", help="record one deployment")
    show = commands.add_parser("list", help="the stack's latest deployments, newest first")
    for sub in (add, show):
        sub.add_argument("--table", required=True)
        sub.add_argument("--stack", required=True)
        sub.add_argument("--region", default=None)
    add.add_argument("--version", required=True)
    add.add_argument("--commit", required=True)
    add.add_argument("--status", required=True, choices=STATUSES)
    add.add_argument("--actor", default="ci")
    show.add_argument("--limit", type=int, default=10)
    return parser.parse_args(argv)


def main(argv: Sequence[str], now: Optional[datetime] = None) -> int:
    args = parse_args(argv)
    table = boto3.resource("dynamodb", region_name=args.region).Table(args.table)
    if args.command == "record":
        record(table, deployment_item(stack=args.stack, version=args.version, commit=args.commit,
                                      status=args.status, actor=args.actor,
                                      now=now or datetime.now(timezone.utc)))
        return 0
    for item in recent(table, args.stack, args.limit):
        print(f"{item['deployedAt']}  {item['status']:<11}  {item['version']}  {item['commit']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
