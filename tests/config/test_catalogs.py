"""The config's tables agree with their sources: the AWS API models botocore ships, and the alarms
the program really builds for each tier."""
import gzip
import json
import re
from pathlib import Path

import botocore
import pytest

from config.catalogs import EC2_INSTANCE_TYPES, ELASTICACHE_NODE_TYPES
from config.rules import ALARM_THRESHOLDS, ALARM_TIERS

MODELS = Path(botocore.__file__).parent / "data"


def model(service: str, version: str) -> dict:
    return json.loads(gzip.open(MODELS / service / version / "service-2.json.gz").read())


def test_every_ec2_instance_type_in_the_catalog_is_one_the_ec2_api_knows():
    known = set(model("ec2", "2016-11-15")["shapes"]["InstanceType"]["enum"])
    catalog = {f"{family}.{size}" for family, sizes in EC2_INSTANCE_TYPES.items() for size in sizes}
    assert catalog <= known, sorted(catalog - known)
    # and no size of these families is missing from it
    families = {name.split(".")[0] for name in catalog}
    assert {name for name in known if name.split(".")[0] in families} == catalog


def test_every_elasticache_node_type_in_the_catalog_is_one_the_api_reference_lists():
    documentation = model("elasticache", "2015-02-02")["shapes"]["CacheNode"]["documentation"]
    listed = set(re.findall(r"cache\.[a-z0-9]+\.[a-z0-9]+", documentation))
    catalog = {f"cache.{family}.{size}" for family, sizes in ELASTICACHE_NODE_TYPES.items()
               for size in sizes}
    assert catalog <= listed, sorted(catalog - listed)


@pytest.mark.parametrize("stack, tier", [("dev", "mvp"), ("prod", "scaled")])
def test_the_alarm_tiers_are_the_alarms_each_tier_builds(plan_of, stack, tier):
    descriptions = [alarm.inputs["alarmDescription"]
                    for alarm in plan_of(stack).of_type("aws:cloudwatch/metricAlarm:MetricAlarm")]
    built = {name for name in ALARM_THRESHOLDS
             if any(d.endswith(f"(alarmThresholds.{name})") for d in descriptions)}
    assert built == {name for name, tiers in ALARM_TIERS.items() if tier in tiers}
    assert set(ALARM_TIERS) == set(ALARM_THRESHOLDS)


def test_the_vcpus_and_memory_of_each_catalog_type_are_ec2s_describe_instance_types_answer():
    """config/ec2_sizes.json against moto's recorded DescribeInstanceTypes answers."""
    import moto
    from config.catalogs import EC2_SIZES
    recorded = json.loads(gzip.open(Path(moto.__file__).parent / "ec2" / "resources"
                                    / "instance_types.json.gz").read())
    catalog = {f"{family}.{size}" for family, sizes in EC2_INSTANCE_TYPES.items() for size in sizes}
    assert set(EC2_SIZES) == catalog
    assert {name: (recorded[name]["VCpuInfo"]["DefaultVCpus"],
                   recorded[name]["MemoryInfo"]["SizeInMiB"]) for name in catalog} == EC2_SIZES
    assert EC2_SIZES["t3.micro"] == (2, 1024)
