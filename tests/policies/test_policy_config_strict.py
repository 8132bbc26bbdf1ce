"""Policy config values are checked as strictly as stack config (issue 10): CIDRs are CIDRs, ports
are 1-65535, numbers are finite, and a key written twice anywhere in the file is refused by name."""
import json

import pytest

from policies.pack_config import PolicyConfigError, read_pack_config, reconcile_config

ADMIN = "sg-admin-ports-from-admin-cidrs"
CIDR_ALLOWED = 'a CIDR block such as "203.0.113.0/24" or "2001:db8::/32" (no host bits set)'


@pytest.mark.parametrize("cidr", ["203.0.113.7", "203.0.113.0/33", "10.0.0.1/8", "not-a-cidr", "",
                                  " 10.0.0.0/8", "2001:db8::1/32"])
def test_admin_cidrs_must_be_cidr_blocks(cidr):
    with pytest.raises(PolicyConfigError) as refused:
        reconcile_config({ADMIN: {"adminCidrs": [cidr]}})
    assert refused.value.problems == [
        f"{ADMIN}.adminCidrs = {json.dumps([cidr])} is not valid; allowed: a list, each {CIDR_ALLOWED}"]


@pytest.mark.parametrize("cidr", ["203.0.113.7/32", "10.0.0.0/8", "2001:db8::/32", "0.0.0.0/0"])
def test_real_cidr_blocks_are_accepted(cidr):
    assert reconcile_config({ADMIN: {"adminCidrs": [cidr]}})[ADMIN].properties["adminCidrs"] == [cidr]


@pytest.mark.parametrize("setting", ["publicPorts", "adminPorts", "dataPorts"])
@pytest.mark.parametrize("port", [0, 65536, -22, 1e999, 22.5, "22", None])
def test_ports_are_integers_from_1_to_65535(setting, port):
    policy = {"publicPorts": "sg-public-ingress-only-on-public-ports", "adminPorts": ADMIN,
              "dataPorts": "sg-data-ports-from-security-groups-only"}[setting]
    with pytest.raises(PolicyConfigError, match=r"allowed: a list, each an integer from 1 to 65535"):
        reconcile_config({policy: {setting: [443, port]}})


def test_ports_at_the_bounds_are_accepted():
    config = reconcile_config({ADMIN: {"adminPorts": [1, 65535]}})
    assert config[ADMIN].properties["adminPorts"] == [1, 65535]


@pytest.mark.parametrize("text, where, key", [
    ('{"rds-backup-retention": {"minRetentionDays": 30}, "rds-backup-retention": "disabled"}',
     "at the top level", "rds-backup-retention"),
    ('{"rds-backup-retention": {"minRetentionDays": 30, "minRetentionDays": 1}}',
     "in rds-backup-retention", "minRetentionDays"),
    ('{"sg-admin-ports-from-admin-cidrs": {"exemptions": [{"resource": "a", "reason": "r", "reason": "s"}]}}',
     "in sg-admin-ports-from-admin-cidrs.exemptions[0]", "reason"),
])
def test_a_duplicate_key_is_refused_naming_the_file_and_the_key(tmp_path, text, where, key):
    path = tmp_path / "prod.json"
    path.write_text(text)
    with pytest.raises(PolicyConfigError) as refused:
        read_pack_config(path)
    assert str(refused.value).splitlines() == [
        f"Invalid policy config {path}:",
        f'  - duplicate key "{key}" {where}: JSON would silently keep only the last value; write each key once']


def test_an_infinite_number_is_refused(tmp_path):
    path = tmp_path / "prod.json"
    path.write_text('{"rds-backup-retention": {"minRetentionDays": 1e999}}')
    with pytest.raises(PolicyConfigError, match=r"minRetentionDays = Infinity is not valid; allowed: an integer"):
        read_pack_config(path)
