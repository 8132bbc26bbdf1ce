"""What AWS offers for the families webstack supports: instance classes, node types, engine versions.

Each table is a family → the sizes AWS sells in it, copied from the page named above it; a value
outside them is refused before any resource, not by the AWS API during `pulumi up`.
"""
from __future__ import annotations

import json
from pathlib import Path

_BURSTABLE = ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge")
_XLARGES = ("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")

# EC2: the InstanceType enum of the EC2 API, botocore 1.43.127 data/ec2/2016-11-15/service-2.json
# (tests/config/test_catalogs.py checks this table against it).
_EC2_5 = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge",
          "metal")
_EC2_6_X86 = ("large", *_XLARGES, "24xlarge", "32xlarge", "metal")
_EC2_7_X86 = ("large", *_XLARGES, "24xlarge", "48xlarge", "metal-24xl", "metal-48xl")
_EC2_GRAVITON = ("medium", "large", *_XLARGES, "metal")
EC2_INSTANCE_TYPES: dict[str, tuple[str, ...]] = {
    "t3": _BURSTABLE, "t3a": _BURSTABLE, "t4g": _BURSTABLE,
    "m5": _EC2_5, "r5": _EC2_5,
    "c5": ("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "12xlarge", "18xlarge", "24xlarge",
           "metal"),
    "m6i": _EC2_6_X86, "c6i": _EC2_6_X86, "r6i": _EC2_6_X86,
    "m6a": ("large", *_XLARGES, "24xlarge", "32xlarge", "48xlarge", "metal"),
    "m7i": _EC2_7_X86, "c7i": _EC2_7_X86, "r7i": _EC2_7_X86,
    "m6g": _EC2_GRAVITON, "c6g": _EC2_GRAVITON, "r6g": _EC2_GRAVITON,
    "m7g": _EC2_GRAVITON, "c7g": _EC2_GRAVITON, "r7g": _EC2_GRAVITON,
}

# RDS for PostgreSQL: "Supported DB engines for DB instance classes", Amazon RDS User Guide
# (awsdocs/amazon-rds-user-guide doc_source/Concepts.DBInstanceClass.md, commit 0219b24f), the
# classes whose PostgreSQL column lists 13 or later for single DB instances. That page predates
# db.m7g/db.r7g/db.m7i/db.r7i; they are left out until a source for their PostgreSQL sizes is read.
_RDS_BURSTABLE = ("micro", "small", "medium", "large", "xlarge", "2xlarge")
_RDS_5 = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge")
RDS_POSTGRES_CLASSES: dict[str, tuple[str, ...]] = {
    "t3": _RDS_BURSTABLE, "t4g": _RDS_BURSTABLE,
    "m5": _RDS_5, "r5": _RDS_5,
    "m6g": ("large", *_XLARGES), "r6g": ("large", *_XLARGES),
    "m6i": ("large", *_XLARGES, "24xlarge", "32xlarge"),
    "r6i": ("large", *_XLARGES, "24xlarge", "32xlarge"),
}

# ElastiCache: the CacheNode reference of the ElastiCache API ("The following node types are
# supported by ElastiCache", docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/
# API_CacheNode.html, also botocore's elasticache service-2.json), current generation.
ELASTICACHE_NODE_TYPES: dict[str, tuple[str, ...]] = {
    "t3": ("micro", "small", "medium"), "t4g": ("micro", "small", "medium"),
    "m5": ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"),
    "r5": ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"),
    "m6g": ("large", *_XLARGES), "m7g": ("large", *_XLARGES),
    "r6g": ("large", *_XLARGES), "r7g": ("large", *_XLARGES),
}

# RDS for PostgreSQL majors under RDS standard support. 12 ended it on 2025-02-28 ("Upgrade
# strategies for Amazon Aurora PostgreSQL and Amazon RDS for PostgreSQL 12", AWS Database Blog); a
# new instance of an older major is enrolled in paid RDS Extended Support ("Overview of Amazon RDS
# Extended Support", RDS User Guide). 17 is the newest major on the RDS upgrade-target page read.
POSTGRES_MAJORS = ("13", "14", "15", "16", "17")

# ElastiCache (Redis OSS) versions for new self-designed clusters, from 6.0 ("Supported
# ElastiCache (Redis OSS) versions", ElastiCache user guide, which also lists 5.0.6 and 4.0.10,
# refused here as issue 10 asks). From 6 on, the aws provider takes major.minor, or "6.x" for 6.
REDIS_VERSIONS = ("6.0", "6.2", "6.x", "7.0", "7.1")

# EC2: each catalog type's default vCPUs and memory in MiB, as EC2's DescribeInstanceTypes answers
# them (VCpuInfo.DefaultVCpus, MemoryInfo.SizeInMiB), copied from the answers moto 5.2.1 records
# (moto/ec2/resources/instance_types.json.gz; tests/config/test_catalogs.py checks the copy).
EC2_SIZES: dict[str, tuple[int, int]] = {
    name: (vcpus, memory_mib) for name, (vcpus, memory_mib)
    in json.loads((Path(__file__).with_name("ec2_sizes.json")).read_text()).items()}
