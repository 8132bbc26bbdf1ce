"""The pack's config: the CLI's file format and reconciliation, and every way a file can be wrong,
each refused with one message naming the file, the key, the value and what is allowed (exit 2 from
both commands, before any preview)."""
import json
import subprocess
import sys

import pytest
from pulumi_policy import EnforcementLevel

from policies import offline
from policies.pack import ALL_POLICIES
from policies.pack_config import (PolicyConfigError, config_problems, load_pack_config, read_pack_config,
                                  reconcile_config)

STACKS = ["dev", "staging", "prod"]
DATA_PROTECTION = ["stateful-resources-protected", "deletion-protection-enabled", "final-snapshot-kept"]
LEVELS = "advisory, mandatory, remediate, disabled"

# ---- config files and reconciliation ----


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_config_reconciles(stack):
    config = reconcile_config(load_pack_config(stack))
    assert set(config) == {p.name for p in ALL_POLICIES}


def test_stack_configs_carry_the_stack_thresholds():
    dev, staging, prod = (reconcile_config(load_pack_config(s)) for s in STACKS)
    assert dev["ec2-no-public-ip"].properties["tier"] == "mvp"
    assert staging["ec2-no-public-ip"].properties["tier"] == prod["ec2-no-public-ip"].properties["tier"] == "scaled"
    assert dev["rds-backup-retention"].properties["minRetentionDays"] == 7
    assert prod["rds-backup-retention"].properties["minRetentionDays"] == 30
    assert prod["cloudfront-waf-attached"].properties["required"] is True
    assert dev["cloudfront-waf-attached"].properties["required"] is False
    assert {prod[name].level for name in DATA_PROTECTION} == {EnforcementLevel.MANDATORY}
    assert {dev[name].level for name in DATA_PROTECTION} == {EnforcementLevel.ADVISORY}
    assert prod["required-tags"].level == EnforcementLevel.ADVISORY


def test_defaults_come_from_each_policy_and_its_schema():
    config = reconcile_config({})
    assert config["rds-storage-encrypted"].level == EnforcementLevel.MANDATORY
    assert config["final-snapshot-kept"].level == EnforcementLevel.ADVISORY
    assert config["sg-public-ingress-only-on-public-ports"].properties == {"publicPorts": [80, 443], "exemptions": []}
    assert config["rds-backup-retention"].properties == {"minRetentionDays": 7, "exemptions": []}


def test_all_sets_every_level_and_policy_entries_override_it():
    config = reconcile_config({"all": "disabled", "rds-storage-encrypted": "advisory",
                               "rds-backup-retention": {"enforcementLevel": "mandatory", "minRetentionDays": 14}})
    assert config["sg-no-all-traffic-ingress"].level == EnforcementLevel.DISABLED
    assert config["rds-storage-encrypted"].level == EnforcementLevel.ADVISORY
    assert config["rds-backup-retention"] == offline.PolicySettings(EnforcementLevel.MANDATORY,
                                                                    {"minRetentionDays": 14, "exemptions": []})


def test_all_as_an_object_sets_only_levels():
    config = reconcile_config({"all": {"enforcementLevel": "advisory"}})
    assert {s.level for s in config.values()} == {EnforcementLevel.ADVISORY}
    assert config["rds-backup-retention"].properties == {"minRetentionDays": 7, "exemptions": []}


def test_a_policy_entry_keeps_the_defaults_it_does_not_name():
    config = reconcile_config({"sg-admin-ports-from-admin-cidrs": {"adminCidrs": ["203.0.113.0/24"]}})
    assert config["sg-admin-ports-from-admin-cidrs"].properties == {"adminPorts": [22, 3389],
                                                                    "adminCidrs": ["203.0.113.0/24"], "exemptions": []}


# ---- what a config may not say ----

@pytest.mark.parametrize("pack_config, problem", [
    ({"rds-storage-encrypted": "strict"},
     f'rds-storage-encrypted = "strict" is not an enforcement level; allowed: {LEVELS}'),
    ({"rds-storage-encrypted": {"enforcementLevel": "on"}},
     f'rds-storage-encrypted.enforcementLevel = "on" is not an enforcement level; allowed: {LEVELS}'),
    ({"rds-storage-encrypted": 3},
     f"rds-storage-encrypted = 3 is not valid; allowed: an enforcement level ({LEVELS}) or an object of settings"),
    ({"rds-backup-retention-days": {"minRetentionDays": 7}},
     '"rds-backup-retention-days" names no policy of webstack-guardrails (did you mean "rds-backup-retention"?); '
     'allowed: "all" or a policy name from the policy table in README.md'),
    ({"rds-backup-retention": {"minRetentionDay": 30}},  # a typo would silently keep the default
     "rds-backup-retention.minRetentionDay is not a setting of rds-backup-retention; "
     "allowed: enforcementLevel, minRetentionDays, exemptions"),
    ({"all": {"minRetentionDays": 30}}, "all.minRetentionDays is not a setting of all; allowed: enforcementLevel"),
    ({"rds-storage-encrypted": {"strict": True}},
     "rds-storage-encrypted.strict is not a setting of rds-storage-encrypted; allowed: enforcementLevel, exemptions"),
    ({"rds-backup-retention": {"minRetentionDays": "7"}},
     'rds-backup-retention.minRetentionDays = "7" is not valid; allowed: an integer ≥ 0'),
    ({"rds-backup-retention": {"minRetentionDays": -1}},
     "rds-backup-retention.minRetentionDays = -1 is not valid; allowed: an integer ≥ 0"),
    ({"sg-public-ingress-only-on-public-ports": {"publicPorts": ["80"]}},
     'sg-public-ingress-only-on-public-ports.publicPorts = ["80"] is not valid; allowed: a list, each an integer from 1 to 65535'),
    ({"kms-key-at-rest": {"services": ["ebs"]}},
     'kms-key-at-rest.services = ["ebs"] is not valid; allowed: a list, each one of "backup", "dynamodb", "logs", '
     '"sns"'),
    ({"ec2-no-public-ip": {"tier": "huge"}},
     'ec2-no-public-ip.tier = "huge" is not valid; allowed: one of "mvp", "scaled"'),
    ({"cloudfront-waf-attached": {"required": "yes"}},
     'cloudfront-waf-attached.required = "yes" is not valid; allowed: true or false'),
    (["rds-storage-encrypted"], 'the top level is a list; allowed: an object of "all" and policy names, each set to '
                                "an enforcement level or an object of settings"),
])
def test_bad_config_names_the_key_the_value_and_what_is_allowed(pack_config, problem):
    with pytest.raises(PolicyConfigError) as refused:
        reconcile_config(pack_config)
    assert refused.value.problems == [problem]
    assert str(refused.value) == f"Invalid policy config:\n  - {problem}"


def test_every_problem_of_a_config_is_reported_at_once():
    problems = config_problems({"rds-storage-encrypted": "strict", "nope": "advisory",
                                "rds-backup-retention": {"minRetentionDays": "7"}})
    assert [p.split(" ")[0] for p in problems] == ["rds-storage-encrypted", '"nope"',
                                                   "rds-backup-retention.minRetentionDays"]


# ---- files ----

def test_a_stack_file_is_read_and_an_empty_one_is_no_config(tmp_path):
    (tmp_path / "qa.json").write_text(json.dumps({"all": "advisory"}))
    (tmp_path / "empty.json").write_text("  \n")
    assert load_pack_config("qa", tmp_path) == {"all": "advisory"}
    assert load_pack_config("empty", tmp_path) == {}


BAD_FILES = {  # name: (file text, or None for no file; what the one problem says)
    "missing file": (None, "no such file; policy configs in {dir}: good.json"),
    "bad json": ('{"rds-backup-retention": {"minRetentionDays": 30,}}',
                 "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 50"),
    "unknown policy": ('{"rds-storage-encryption": "mandatory"}',
                       '"rds-storage-encryption" names no policy of webstack-guardrails '
                       '(did you mean "rds-storage-encrypted"?)'),
    "wrong type": ('{"rds-backup-retention": {"minRetentionDays": "30"}}',
                   'rds-backup-retention.minRetentionDays = "30" is not valid; allowed: an integer ≥ 0'),
}


def _bad_file(tmp_path, case: str):
    text, problem = BAD_FILES[case]
    (tmp_path / "good.json").write_text("{}")
    path = tmp_path / "bad.json"
    if text is not None:
        path.write_text(text)
    return path, problem.format(dir=tmp_path)


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_with_its_name(tmp_path, case):
    path, problem = _bad_file(tmp_path, case)
    with pytest.raises(PolicyConfigError) as refused:
        read_pack_config(path)
    lines = str(refused.value).splitlines()
    assert lines[0] == f"Invalid policy config {path}:"
    assert len(lines) == 2 and lines[1].startswith(f"  - {problem}")


def test_a_file_that_cannot_be_read_says_why(tmp_path):
    with pytest.raises(PolicyConfigError, match=r"cannot be read \(Is a directory\); allowed: a UTF-8 JSON file"):
        read_pack_config(tmp_path)


# ---- both commands: exit 2, one message, no preview ----

COMMANDS = {"tree and report": lambda path: ["preview", "dev", "--policy-config", str(path)],
            "report only": lambda path: ["preview", "dev", "--report-only", "--policy-config", str(path)]}


def _main(module: str):
    import preview.__main__ as preview_cli

    assert module == "preview"
    return preview_cli.main


@pytest.mark.parametrize("case", BAD_FILES)
@pytest.mark.parametrize("command", COMMANDS)
def test_both_commands_refuse_a_bad_file_before_previewing(tmp_path, monkeypatch, capsys, command, case):
    import preview.__main__ as preview_cli

    monkeypatch.setattr(preview_cli, "run_preview", lambda *a, **k: pytest.fail("previewed despite a bad config"))
    path, problem = _bad_file(tmp_path, case)
    module, *args = COMMANDS[command](path)
    assert _main(module)(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: Invalid policy config {path}:\n  - {problem}")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_file_is_exit_code_2_without_a_traceback(tmp_path, command):
    path, problem = _bad_file(tmp_path, "wrong type")
    module, *args = COMMANDS[command](path)
    result = subprocess.run([sys.executable, "-m", module, *args], cwd=offline.CONFIG_DIR.parent.parent,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"error: Invalid policy config {path}:\n  - {problem}\n"


@pytest.mark.parametrize("argv", [["preview", "qa", "--policies"], ["preview", "qa", "--report-only"]])
def test_a_stack_without_a_policy_config_is_exit_code_2(argv):
    module, *args = argv
    assert _main(module)(args) == 2
