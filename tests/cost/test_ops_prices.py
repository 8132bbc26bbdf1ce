"""`python -m ops prices --refresh` against botocore's Stubber with the Price List API's response
shape (no network: an unstubbed call fails the test)."""
import json

import boto3
import pytest
from botocore.stub import Stubber

import ops.prices as ops_prices
from cost import load_prices
from ops.prices import is_usage_type, query_for, refresh

REGION = "ap-northeast-2"


def price_item(sku, usage_type, usd, *, family="Cache Instance", effective="2026-10-01T00:00:00Z", extra=None):
    """One PriceList entry as get_products returns it: a JSON string of product, terms and dates;
    unlike the bulk offer file, OnDemand maps "<sku>.<term code>" straight to the term."""
    term = f"{sku}.JRTCKXETXF"
    return json.dumps({
        "product": {"productFamily": family, "sku": sku,
                    "attributes": {"regionCode": REGION, "usagetype": usage_type, **(extra or {})}},
        "serviceCode": "AmazonElastiCache",
        "terms": {"OnDemand": {term: {
            "offerTermCode": "JRTCKXETXF", "sku": sku, "effectiveDate": effective, "termAttributes": {},
            "priceDimensions": {f"{term}.6YS6EN2CT7": {
                "rateCode": f"{term}.6YS6EN2CT7", "description": f"${usd} per node hour",
                "beginRange": "0", "endRange": "Inf", "unit": "Hrs", "pricePerUnit": {"USD": str(usd)},
                "appliesTo": []}}}}},
        "version": "20261001000000", "publicationDate": "2026-10-01T00:00:00Z"})


def filters(**fields):
    return [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": REGION},
            *({"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in fields.items())]


@pytest.fixture
def pricing():
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_refresh_writes_the_node_price_not_the_extended_support_surcharge(pricing):
    client, stubber = pricing
    stubber.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": [
        price_item("SURCHARGE1", "APN2-ExtendedSupportYr1_Yr2-NodeUsage:cache.t3.micro", "0.019"),
        price_item("NODESKU123", "APN2-NodeUsage:cache.t3.micro", "0.025")]},
        {"ServiceCode": "AmazonElastiCache", "FormatVersion": "aws_v1",
         "Filters": filters(instanceType="cache.t3.micro", cacheEngine="Redis")})
    data = refresh({"prices": {REGION: {}}}, client, [REGION], ["elasticache.cache.t3.micro"], "2026-11-30",
                   say=lambda _: None)
    assert data["prices"][REGION]["elasticache.cache.t3.micro"] == {
        "usd": 0.025, "unit": "node-hour", "source": "aws-pricing-api",
        "code": "AmazonElastiCache APN2-NodeUsage:cache.t3.micro SKU NODESKU123", "effectiveDate": "2026-10-01"}
    assert data["sources"]["aws-pricing-api"]["read"] == "2026-11-30"


def test_refresh_follows_pages_and_keeps_a_price_the_api_does_not_answer(pricing):
    client, stubber = pricing
    old = {"usd": 0.0912, "unit": "GB-month", "source": "x"}
    stubber.add_response("get_products", {"PriceList": []}, {  # keys go in order: ebs.gp3 first
        "ServiceCode": "AmazonEC2", "FormatVersion": "aws_v1", "Filters": filters(volumeApiName="gp3")})
    nat = {"ServiceCode": "AmazonEC2", "FormatVersion": "aws_v1", "Filters": filters(productFamily="NAT Gateway")}
    stubber.add_response("get_products", {"PriceList": [price_item("BYTES1", "APN2-NatGateway-Bytes", "0.059")],
                                          "NextToken": "page2"}, nat)
    stubber.add_response("get_products", {"PriceList": [price_item("HOURS1", "APN2-NatGateway-Hours", "0.06")]},
                         {**nat, "NextToken": "page2"})
    said = []
    data = refresh({"prices": {REGION: {"ebs.gp3": old, "nat.hour": {}, "waf.web-acl": {"usd": 5}}}}, client,
                   [REGION], [], "2026-11-30", say=said.append)
    table = data["prices"][REGION]
    assert table["nat.hour"]["usd"] == 0.06 and table["nat.hour"]["code"].endswith("SKU HOURS1")
    assert table["ebs.gp3"] == old and table["waf.web-acl"] == {"usd": 5}  # not found / not answerable
    assert any("ebs.gp3: no on-demand price found" in line and "kept the old one" in line for line in said)


def test_main_writes_the_file_the_estimator_reads(pricing, tmp_path, monkeypatch):
    client, stubber = pricing
    monkeypatch.setattr(ops_prices, "WANTED", [])
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"hoursPerMonth": 730, "sources": {}, "prices": {REGION: {}, "global": {}}}))
    stubber.add_response("get_products", {"PriceList": [price_item("RDS1", "APN2-Multi-AZUsage:db.t3.large", "0.3")]},
                         {"ServiceCode": "AmazonRDS", "FormatVersion": "aws_v1",
                          "Filters": filters(instanceType="db.t3.large", databaseEngine="PostgreSQL",
                                             deploymentOption="Multi-AZ")})
    assert ops_prices.main(["--refresh", "--add", "rds.postgres.multi-az.db.t3.large", "--file", str(path)],
                           client=client, today="2026-11-30") == 0
    price = load_prices(path).get(REGION, "rds.postgres.multi-az.db.t3.large")
    assert (price.usd, price.source) == (0.3, "aws-pricing-api")


def test_bad_input_exits_2(tmp_path, capsys):
    assert ops_prices.main(["--refresh", "--add", "waf.web-acl"]) == 2
    assert "waf.web-acl: not a price key the Pricing API answers" in capsys.readouterr().err
    assert ops_prices.main([]) == 2


def test_an_api_failure_exits_1(pricing, tmp_path, monkeypatch, capsys):
    client, stubber = pricing
    monkeypatch.setattr(ops_prices, "WANTED", [])
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": {REGION: {"nat.gb": {}}}}))
    stubber.add_client_error("get_products", "AccessDeniedException", "not allowed")
    assert ops_prices.main(["--refresh", "--file", str(path)], client=client) == 1
    assert "AccessDeniedException" in capsys.readouterr().err
    assert json.loads(path.read_text()) == {"prices": {REGION: {"nat.gb": {}}}}


def test_every_price_key_the_stacks_need_has_a_query_or_a_non_api_source():
    answerable = {key for scope in load_prices().data["prices"].values() for key in scope if query_for(key)}
    assert {"nat.hour", "rds.gp3.multi-az", "ec2.instance.t3.micro", "elasticache.cache.t4g.micro"} <= answerable
    assert query_for("kms.key") is None and query_for("cloudfront.free-tier.gb") is None


@pytest.mark.parametrize("usage_type,wanted,expected", [
    ("APN2-NatGateway-Hours", "NatGateway-Hours", True), ("NatGateway-Hours", "NatGateway-Hours", True),
    ("EU-NatGateway-Hours", "NatGateway-Hours", True),
    ("APN2-ExtendedSupportYr1_Yr2-NodeUsage:cache.t3.micro", "NodeUsage:cache.t3.micro", False),
    ("APN2-RDS:Multi-AZ-GP3-Storage", "RDS:GP3-Storage", False)])
def test_usage_types_match_with_a_region_prefix_only(usage_type, wanted, expected):
    assert is_usage_type(usage_type, wanted) is expected
