"""Refreshes cost/prices.json from the AWS Price List Query API (boto3 `pricing.get_products`).

    python -m ops prices --refresh [--region R ...] [--add KEY ...] [--file PATH] [--dry-run]

Every price the API can answer (EC2/RDS/ElastiCache classes, EBS, NAT, public IPv4, ALB, Fargate,
RDS gp3, S3, CloudWatch Logs and alarms, ECR) is rewritten for each region of the file, plus
`WANTED` (the classes the stacks use that the file lacks) and `--add` keys; each refreshed price
names its offer, usage type, SKU and effective date. Prices the API cannot answer (region-
independent ones, free tiers) are kept with their sources. Needs AWS credentials allowed
`pricing:GetProducts` (the API answers from us-east-1). Exit codes: 0 done, 1 the API failed,
2 bad input.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

import boto3
from botocore.exceptions import BotoCoreError, ClientError

PRICES_FILE = Path(__file__).resolve().parent.parent / "cost" / "prices.json"
SOURCE_ID = "aws-pricing-api"
# The classes the stacks use (or the README proposes) whose price the file may lack.
WANTED = [f"rds.postgres.{deployment}.{klass}" for deployment in ("single-az", "multi-az")
          for klass in ("db.t3.micro", "db.t3.small", "db.t3.large", "db.t4g.micro", "db.t4g.small",
                        "db.t4g.large")] + \
         [f"elasticache.{node}" for node in ("cache.t3.micro", "cache.t3.small", "cache.m6g.large",
                                             "cache.t4g.micro", "cache.t4g.small", "cache.m7g.large")]


@dataclass(frozen=True)
class Query:
    """What to ask the API for one price key: an offer, attribute filters, and the usage type
    (without its region prefix) of the one SKU that is the price."""

    service_code: str
    filters: dict[str, str]
    usage_type: str
    unit: str


RDS_ENGINES = {"postgres": "PostgreSQL", "mysql": "MySQL"}
RDS_DEPLOYMENTS = {"single-az": ("Single-AZ", "InstanceUsage"), "multi-az": ("Multi-AZ", "Multi-AZUsage")}
FIXED: dict[str, Query] = {
    "nat.hour": Query("AmazonEC2", {"productFamily": "NAT Gateway"}, "NatGateway-Hours", "hour"),
    "nat.gb": Query("AmazonEC2", {"productFamily": "NAT Gateway"}, "NatGateway-Bytes", "GB"),
    "vpc.public-ipv4": Query("AmazonVPC", {}, "PublicIPv4:InUseAddress", "hour"),
    "alb.hour": Query("AWSELB", {"productFamily": "Load Balancer-Application"}, "LoadBalancerUsage", "hour"),
    "alb.lcu": Query("AWSELB", {"productFamily": "Load Balancer-Application"}, "LCUUsage", "LCU-hour"),
    "fargate.x86_64.vcpu": Query("AmazonECS", {}, "Fargate-vCPU-Hours:perCPU", "vCPU-hour"),
    "fargate.x86_64.gb": Query("AmazonECS", {}, "Fargate-GB-Hours", "GB-hour"),
    "fargate.arm64.vcpu": Query("AmazonECS", {}, "Fargate-ARM-vCPU-Hours:perCPU", "vCPU-hour"),
    "fargate.arm64.gb": Query("AmazonECS", {}, "Fargate-ARM-GB-Hours", "GB-hour"),
    "rds.gp3.single-az": Query("AmazonRDS", {"databaseEngine": "PostgreSQL"}, "RDS:GP3-Storage", "GB-month"),
    "rds.gp3.multi-az": Query("AmazonRDS", {"databaseEngine": "PostgreSQL"}, "RDS:Multi-AZ-GP3-Storage", "GB-month"),
    "s3.standard": Query("AmazonS3", {"storageClass": "General Purpose"}, "TimedStorage-ByteHrs", "GB-month"),
    "logs.ingest": Query("AmazonCloudWatch", {}, "DataProcessing-Bytes", "GB"),
    "logs.storage": Query("AmazonCloudWatch", {}, "TimedStorage-ByteHrs", "GB-month"),
    "cloudwatch.alarm": Query("AmazonCloudWatch", {}, "CW:AlarmMonitorUsage", "alarm metric-month"),
    "ecr.storage": Query("AmazonECR", {}, "TimedStorage-ByteHrs", "GB-month"),
}


def query_for(key: str) -> Optional[Query]:
    """The API query for a price key of cost/prices.json, or None if the API cannot answer it."""
    if key in FIXED:
        return FIXED[key]
    if match := re.fullmatch(r"ec2\.instance\.(\S+)", key):
        return Query("AmazonEC2", {"instanceType": match[1], "operatingSystem": "Linux", "tenancy": "Shared",
                                   "preInstalledSw": "NA", "capacitystatus": "Used"},
                     f"BoxUsage:{match[1]}", "hour")
    if match := re.fullmatch(r"ebs\.(gp2|gp3|io1|io2|st1|sc1)", key):
        return Query("AmazonEC2", {"volumeApiName": match[1]}, f"EBS:VolumeUsage.{match[1]}", "GB-month")
    if (match := re.fullmatch(r"rds\.(postgres|mysql)\.(single-az|multi-az)\.(db\.\S+)", key)):
        option, usage = RDS_DEPLOYMENTS[match[2]]
        return Query("AmazonRDS", {"instanceType": match[3], "databaseEngine": RDS_ENGINES[match[1]],
                                   "deploymentOption": option}, f"{usage}:{match[3]}", "hour")
    if match := re.fullmatch(r"elasticache\.(cache\.\S+)", key):
        return Query("AmazonElastiCache", {"instanceType": match[1], "cacheEngine": "Redis"},
                     f"NodeUsage:{match[1]}", "node-hour")
    return None


def is_usage_type(usage_type: str, wanted: str) -> bool:
    """`APN2-NodeUsage:cache.t4g.micro` is `NodeUsage:cache.t4g.micro` in a region; the Extended
    Support surcharge `APN2-ExtendedSupportYr1_Yr2-NodeUsage:…` is not (a region prefix is one
    word of capitals and digits)."""
    return re.fullmatch(rf"(?:[A-Z0-9]+-)?{re.escape(wanted)}", usage_type) is not None


@dataclass(frozen=True)
class Found:
    usd: float
    sku: str
    usage_type: str
    effective: str


def on_demand_price(item: dict[str, Any]) -> Optional[tuple[float, str]]:
    """The USD price of the first tier (beginRange 0) of the item's on-demand term, and its date."""
    for term in item.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            if str(dimension.get("beginRange", "0")) == "0" and "USD" in dimension.get("pricePerUnit", {}):
                return float(dimension["pricePerUnit"]["USD"]), str(term.get("effectiveDate", ""))[:10]
    return None


def products(client, query: Query, region: str) -> Iterator[dict[str, Any]]:
    filters = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
               *({"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in query.filters.items())]
    for page in client.get_paginator("get_products").paginate(ServiceCode=query.service_code, Filters=filters,
                                                               FormatVersion="aws_v1"):
        for text in page.get("PriceList", []):
            yield json.loads(text)


def lookup(client, query: Query, region: str) -> Optional[Found]:
    for item in products(client, query, region):
        product = item.get("product", {})
        usage_type = product.get("attributes", {}).get("usagetype", "")
        price = on_demand_price(item)
        if is_usage_type(usage_type, query.usage_type) and price is not None:
            return Found(price[0], product.get("sku", ""), usage_type, price[1])
    return None


def entry(query: Query, found: Found) -> dict[str, Any]:
    return {"usd": found.usd, "unit": query.unit, "source": SOURCE_ID,
            "code": f"{query.service_code} {found.usage_type} SKU {found.sku}", "effectiveDate": found.effective}


def refresh(data: dict[str, Any], client, regions: Sequence[str], extra_keys: Sequence[str],
            today: str, say: Callable[[str], None] = print) -> dict[str, Any]:
    """The price data with every answerable price re-read; unanswered ones kept as they were."""
    prices = data.setdefault("prices", {})
    for region in regions:
        table = prices.setdefault(region, {})
        for key in sorted({*table, *extra_keys}):
            query = query_for(key)
            if query is None:
                continue
            found = lookup(client, query, region)
            if found is None:
                say(f"{region} {key}: no on-demand price found for {query.service_code} {query.usage_type}; "
                    + ("kept the old one" if key in table else "not priced"))
                continue
            table[key] = entry(query, found)
            say(f"{region} {key}: ${found.usd:g}/{query.unit} ({found.usage_type}, SKU {found.sku})")
    data.setdefault("sources", {})[SOURCE_ID] = {
        "what": "AWS Price List Query API, pricing.get_products (on-demand terms, first tier)",
        "where": "python -m ops prices --refresh (boto3, us-east-1 endpoint)",
        "read": today, "priceDate": "each price's effectiveDate"}
    return data


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops prices", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--refresh", action="store_true", required=True, help="re-read the prices from the API")
    parser.add_argument("--region", action="append", default=[], help="a region to refresh (default: the file's)")
    parser.add_argument("--add", action="append", default=[], metavar="KEY", help="a price key to add")
    parser.add_argument("--file", type=Path, default=PRICES_FILE, help="the price file (default: cost/prices.json)")
    parser.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    return parser.parse_args(argv)


def main(argv: Sequence[str], client=None, today: Optional[str] = None) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code else 0
    unknown = [key for key in args.add if query_for(key) is None]
    if unknown:
        print(f"error: --add {', '.join(unknown)}: not a price key the Pricing API answers; allowed: "
              "ec2.instance.<type>, ebs.<type>, rds.<postgres|mysql>.<single-az|multi-az>.<class>, "
              f"elasticache.<node type>, {', '.join(FIXED)}", file=sys.stderr)
        return 2
    data = json.loads(args.file.read_text(encoding="utf-8"))
    regions = args.region or sorted(r for r in data.get("prices", {}) if r != "global")
    try:
        refresh(data, client or boto3.client("pricing", region_name="us-east-1"), regions,
                [*WANTED, *args.add], today or date.today().isoformat())
    except (BotoCoreError, ClientError) as error:
        print(f"error: the AWS Pricing API failed: {error}", file=sys.stderr)
        return 1
    if not args.dry_run:
        args.file.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
