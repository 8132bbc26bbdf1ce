"""Property tests through the whole program: valid configs build and size as asked; invalid ones
fail with the config error naming the key — never with a traceback from deep inside."""
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from config.catalogs import EC2_INSTANCE_TYPES, ELASTICACHE_NODE_TYPES, RDS_POSTGRES_CLASSES
from config.rules import LOG_RETENTION_DAYS
from preview.engine import run_preview
from tests.support import refused_before_any_resource


def instance_types(prefix, catalog):
    """Any class or node type AWS sells in the catalog's families."""
    return st.sampled_from(sorted(f"{prefix}{family}.{size}"
                                  for family, sizes in catalog.items() for size in sizes))


def fits_dev(instance_type: str) -> bool:
    """Room for the containers dev's stack file runs (web + api): a smaller type is refused."""
    from config.instance_services import container_memory_mib
    return container_memory_mib(instance_type) >= DEV_CONTAINERS_MIB


DEV_CONTAINERS_MIB = 256 + 384  # Pulumi.dev.yaml: web and api's memory limits


@st.composite
def valid_configs(draw):
    storage = draw(st.integers(20, 2000))
    ceiling = draw(st.one_of(st.just(0), st.integers(math.ceil(storage * 1.1), 65536)))
    admin = draw(st.lists(st.builds(lambda a, b: f"203.0.{a}.{b}/32", st.integers(0, 255),
                                    st.integers(0, 255)), max_size=3, unique=True))
    return {
        "azCount": draw(st.integers(2, 4)),
        "vpcCidr": f"10.{draw(st.integers(0, 255))}.0.0/{draw(st.integers(16, 22))}",
        "serverInstanceType": draw(instance_types("", EC2_INSTANCE_TYPES).filter(fits_dev)),
        "serverRootVolumeGb": draw(st.integers(8, 500)),
        "adminCidrs": json.dumps(admin),
        "appPort": draw(st.integers(1, 65535)),
        "dbInstanceClass": draw(instance_types("db.", RDS_POSTGRES_CLASSES)),
        "dbAllocatedStorage": storage, "dbMaxAllocatedStorage": ceiling,
        "dbBackupRetentionDays": draw(st.integers(7, 35)),
        "dbMultiAz": draw(st.booleans()),
        "cacheNodeType": draw(instance_types("cache.", ELASTICACHE_NODE_TYPES)),
        "cacheNodes": draw(st.integers(1, 6)),
        "cacheSnapshotRetentionDays": draw(st.integers(0, 35)),
        "logRetentionDays": draw(st.sampled_from(LOG_RETENTION_DAYS)),
        "protectData": draw(st.booleans()),
    }


def as_config_strings(config: dict) -> dict:
    return {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in config.items()}


@settings(max_examples=6)  # each example is a whole dev preview (~0.8 s); the parser alone sees 300
@given(valid_configs())
def test_valid_configs_build_and_sizes_follow_config(config):
    plan = run_preview("dev", overrides=as_config_strings(config))
    db = plan.one("aws:rds/instance:Instance")
    assert db.inputs["instanceClass"] == config["dbInstanceClass"]
    assert db.inputs["allocatedStorage"] == config["dbAllocatedStorage"]
    assert db.inputs.get("maxAllocatedStorage", 0) == config["dbMaxAllocatedStorage"]
    assert db.inputs["backupRetentionPeriod"] == config["dbBackupRetentionDays"]
    assert db.inputs["multiAz"] is config["dbMultiAz"]
    assert db.protect is config["protectData"] is db.inputs["deletionProtection"]
    redis = plan.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs
    assert (redis["nodeType"], redis["numCacheClusters"]) == (config["cacheNodeType"], config["cacheNodes"])
    assert redis["automaticFailoverEnabled"] is (config["cacheNodes"] >= 2)
    assert redis["snapshotRetentionLimit"] == config["cacheSnapshotRetentionDays"]
    server = plan.one("aws:ec2/instance:Instance").inputs
    assert server["instanceType"] == config["serverInstanceType"]
    assert server["rootBlockDevice"]["volumeSize"] == config["serverRootVolumeGb"]
    assert len(plan.of_type("aws:ec2/subnet:Subnet")) == 2 * config["azCount"]
    ssh = [r for r in plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
           if r.inputs["fromPort"] == 22]
    assert sorted(r.inputs["cidrIpv4"] for r in ssh) == sorted(json.loads(config["adminCidrs"]))
    assert {g.inputs["retentionInDays"] for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup")} == {
        config["logRetentionDays"]}


letters = st.text(alphabet="abcxyz-_ ", min_size=1, max_size=8).filter(lambda s: s.strip())
INVALID = {
    "tier": letters.filter(lambda s: s.strip() not in ("mvp", "scaled")),
    "vpcCidr": st.one_of(letters, st.builds(lambda p: f"10.0.0.0/{p}", st.integers(0, 15)),
                         st.builds(lambda p: f"10.0.0.0/{p}", st.integers(23, 32))),
    "azCount": st.one_of(st.integers(-10, 1), st.integers(7, 100), letters),
    "appPort": st.one_of(st.integers(-70000, 0), st.integers(65536, 10**6)),
    "serverRootVolumeGb": st.integers(-100, 7),
    "dbBackupRetentionDays": st.one_of(st.integers(-400, 6), st.integers(36, 1000)),
    "cacheSnapshotRetentionDays": st.one_of(st.integers(-400, -1), st.integers(36, 1000)),
    "logRetentionDays": st.integers(-10, 4000).filter(lambda d: d not in LOG_RETENTION_DAYS),
    "cacheNodes": st.one_of(st.integers(-5, 0), st.integers(7, 50)),
    "dbInstanceClass": st.one_of(letters, instance_types("cache.", ELASTICACHE_NODE_TYPES)),
    "cacheNodeType": st.one_of(letters, instance_types("db.", RDS_POSTGRES_CLASSES)),
    "serverInstanceType": st.one_of(letters, st.just("x1.large")),
    "dbMultiAz": letters.filter(lambda s: s.strip().lower() not in ("true", "false")),
    "adminCidrs": st.one_of(letters, st.just('["0.0.0.0/0"]'), st.just('[1, 2]')),
    "dbAllocatedStorage": st.integers(-100, 19),
}


@given(st.sampled_from(sorted(INVALID)).flatmap(lambda key: st.tuples(st.just(key), INVALID[key])))
def test_invalid_configs_fail_with_the_config_error_and_register_nothing(key_and_value):
    key, value = key_and_value
    assert f"webstack:{key} = " in refused_before_any_resource("dev", {key: str(value)})
