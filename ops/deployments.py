"""Records a deployment in the stack's deployment history table, and lists the recent ones.

    python -m ops.deployments record --stack prod --version v1.4.2 --commit abc123 \
        --status succeeded [--actor alice] [--outputs FILE | --table T --region R]
    python -m ops.deployments list --stack prod [--limit 10] [--outputs FILE | --table T --region R]

The table and the region come from the stack's outputs (deploymentHistoryTable, region): from
--outputs FILE (`pulumi stack output --json` saved), else from
`pulumi stack output --json --stack S`; --table and --region override them. Run by CI after
every `pulumi up` (see .github/workflows/pulumi.yml). Items expire after 90 days through the
table's TTL attribute (seed 003). Exit 0: done; 1: AWS refused or throttled the call after retries; 2: bad input.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from typing import Optional, Sequence

from boto3.dynamodb.conditions import Key
from botocore.exceptions import BotoCoreError, ClientError

from ops import aws, stack
from ops.errors import BadInput, OpsError

KEEP_FOR = timedelta(days=90)
STATUSES = ("succeeded", "failed", "rolled_back")
FIELDS = ("stack", "deployedAt", "version", "commit", "status", "actor")
# DynamoDB: a partition key value is 1 to 2048 bytes
# (https://docs.amazonaws.cn/amazondynamodb/latest/developerguide/Constraints.html).
STACK_KEY_MAX_BYTES = 2048
# Our own bound for the other fields (a version tag, a commit hash, a user name), not AWS's: it
# keeps the listing readable and far below DynamoDB's 400 KB item size.
FIELD_MAX_CHARS = 256
MAX_SAME_SECOND = 100  # records kept per stack and second: "#002" ... "#100" after the first
LIST_MAX = 1000


def check_fields(**fields: str) -> None:
    for name, value in fields.items():
        if not value or not value.strip():
            raise BadInput(f"--{name} is empty; it must name the deployment's {name}")
        limit_ok = (len(value.encode()) <= STACK_KEY_MAX_BYTES if name == "stack"
                    else len(value) <= FIELD_MAX_CHARS)
        if not limit_ok:
            allowed = (f"{STACK_KEY_MAX_BYTES} bytes (DynamoDB's partition key limit)"
                       if name == "stack" else f"{FIELD_MAX_CHARS} characters")
            raise BadInput(f"--{name} is {len(value)} characters long; allowed: at most {allowed}")


def deployment_item(*, stack: str, version: str, commit: str, status: str, actor: str,
                    now: datetime) -> dict:
    if status not in STATUSES:
        raise BadInput(f"status {status!r} is not valid; allowed: {', '.join(STATUSES)}")
    check_fields(stack=stack, version=version, commit=commit, actor=actor)
    moment = now.astimezone(timezone.utc)
    return {"stack": stack, "deployedAt": moment.isoformat(timespec="seconds"),
            "version": version, "commit": commit, "status": status, "actor": actor,
            "expiresAt": int((moment + KEEP_FOR).timestamp())}


def record(table, item: dict) -> str:
    """Puts the item without ever overwriting one: a second record in the same second gets the
    next free suffix ("...+00:00#002"), which still sorts after the first and before the next
    second. Returns the sort key it was stored under."""
    second = item["deployedAt"]
    for number in range(1, MAX_SAME_SECOND + 1):
        key = second if number == 1 else f"{second}#{number:03d}"
        try:
            table.put_item(Item={**item, "deployedAt": key},
                           ConditionExpression="attribute_not_exists(deployedAt)")
            return key
        except ClientError as error:
            if aws.error_code(error) != "ConditionalCheckFailedException":
                raise
    raise OpsError(f"{MAX_SAME_SECOND} deployments of {item['stack']} are already recorded at "
                   f"{second}; not recording more")


def recent(table, stack: str, limit: int = 10) -> tuple[list[dict], list[dict]]:
    """The latest items, newest first, and those skipped for lacking a field."""
    response = table.query(KeyConditionExpression=Key("stack").eq(stack),
                           ScanIndexForward=False, Limit=limit)
    complete = [item for item in response["Items"] if all(name in item for name in FIELDS)]
    broken = [item for item in response["Items"] if item not in complete]
    return complete, broken


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str):
        raise BadInput(f"{message} (see `{self.prog} --help`)")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = OneLineParser(prog="python -m ops.deployments", description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    add = commands.add_parser("record", help="record one deployment")
    show = commands.add_parser("list", help="the stack's latest deployments, newest first")
    for sub in (add, show):
        sub.add_argument("--stack", required=True)
        sub.add_argument("--outputs", metavar="FILE",
                         help="`pulumi stack output --json` saved (table and region)")
        sub.add_argument("--table", default=None, help="overrides deploymentHistoryTable")
        sub.add_argument("--region", default=None, help="overrides the stack's region")
    add.add_argument("--version", required=True)
    add.add_argument("--commit", required=True)
    add.add_argument("--status", required=True, choices=STATUSES)
    add.add_argument("--actor", default="ci")
    show.add_argument("--limit", type=int, default=10)
    return parser.parse_args(argv)


def table_and_region(args: argparse.Namespace) -> tuple[str, str]:
    table, region = args.table, args.region
    if table is None or region is None:
        outputs = stack.load(args.stack, args.outputs)
        table = table or str(outputs.require("deploymentHistoryTable", "the deployment recorder"))
        region = region or outputs.region
    if not table.strip():
        raise BadInput("--table is empty; it must name the deployment history table")
    return table, aws.check_region(region, "--region" if args.region else "the stack's region")


def execute(args: argparse.Namespace, now: datetime) -> int:
    if args.command == "list" and not 1 <= args.limit <= LIST_MAX:
        raise BadInput(f"--limit {args.limit} is not valid; allowed: 1 to {LIST_MAX}")
    if args.command == "record":
        item = deployment_item(stack=args.stack, version=args.version, commit=args.commit,
                               status=args.status, actor=args.actor, now=now)
    name, region = table_and_region(args)
    table = aws.resource("dynamodb", region).Table(name)
    try:
        if args.command == "record":
            key = record(table, item)
            print(f"recorded {args.stack} {args.version} ({args.status}) at {key} in {name}")
            return 0
        items, broken = recent(table, args.stack, args.limit)
    except ClientError as error:
        if aws.error_code(error) == "ResourceNotFoundException":
            raise BadInput(f"table {name!r} does not exist in {region}: check the stack's "
                           "deploymentHistoryTable and region outputs") from None
        raise
    for item in items:
        print(f"{item['deployedAt']}  {item['status']:<11}  {item['version']}  {item['commit']}")
    for item in broken:
        missing = ", ".join(name for name in FIELDS if name not in item)
        print(f"skipped the item at {item.get('deployedAt', '?')}: it lacks {missing}",
              file=sys.stderr)
    return 0


def main(argv: Sequence[str], now: Optional[datetime] = None) -> int:
    try:
        return execute(parse_args(argv), now or datetime.now(timezone.utc))
    except (ClientError, BotoCoreError) as error:
        failure = aws.explain(error)
    except OpsError as error:
        failure = error
    print(f"python -m ops.deployments: {failure}", file=sys.stderr)
    return failure.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
