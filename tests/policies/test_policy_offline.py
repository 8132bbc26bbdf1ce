"""The offline policy check: CLI config semantics, enforcement levels, arguments, the report."""
import dataclasses
import json
import sys
import types

import pytest
from policy_kit import POLICIES, UNKNOWN, rds_instance, replication_group, res
from preview.plan import Plan
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from policies import _aws as aws
from policies import offline
from policies.offline import (PolicyConfigError, evaluate, format_report, has_mandatory, load_pack_config,
                              reconcile_config)
from policies.pack import ALL_POLICIES

STACKS = ["dev", "staging", "prod"]
DATA_PROTECTION = ["stateful-resources-protected", "deletion-protection-enabled", "final-snapshot-kept"]

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
    assert config["sg-public-ingress-only-on-public-ports"].properties == {"publicPorts": [80, 443]}
    assert config["rds-backup-retention"].properties == {"minRetentionDays": 7}


def test_all_sets_every_level_and_policy_entries_override_it():
    config = reconcile_config({"all": "disabled", "rds-storage-encrypted": "advisory",
                               "rds-backup-retention": {"enforcementLevel": "mandatory", "minRetentionDays": 14}})
    assert config["sg-no-all-traffic-ingress"].level == EnforcementLevel.DISABLED
    assert config["rds-storage-encrypted"].level == EnforcementLevel.ADVISORY
    assert config["rds-backup-retention"] == offline.PolicySettings(EnforcementLevel.MANDATORY,
                                                                    {"minRetentionDays": 14})


def test_all_as_an_object_sets_only_levels():
    config = reconcile_config({"all": {"enforcementLevel": "advisory"}})
    assert {s.level for s in config.values()} == {EnforcementLevel.ADVISORY}
    assert config["rds-backup-retention"].properties == {"minRetentionDays": 7}


def test_a_policy_entry_keeps_the_defaults_it_does_not_name():
    config = reconcile_config({"sg-admin-ports-from-admin-cidrs": {"adminCidrs": ["203.0.113.0/24"]}})
    assert config["sg-admin-ports-from-admin-cidrs"].properties == {"adminPorts": [22, 3389],
                                                                    "adminCidrs": ["203.0.113.0/24"]}


@pytest.mark.parametrize("pack_config, says", [
    ({"rds-storage-encrypted": "strict"}, "not a valid enforcement level"),
    ({"rds-storage-encrypted": {"enforcementLevel": "on"}}, "not a valid enforcement level"),
    ({"rds-storage-encrypted": 3}, "must be a string or object"),
    ({"rds-backup-retention-days": {"minRetentionDays": 7}}, "names no policy"),
    ({"rds-backup-retention": {"minRetentionDays": "7"}}, "does not match its schema"),
    ({"rds-backup-retention": {"minRetentionDays": -1}}, "does not match its schema"),
    ({"sg-public-ingress-only-on-public-ports": {"publicPorts": ["80"]}}, "does not match its schema"),
    ({"ec2-no-public-ip": {"tier": "huge"}}, "does not match its schema"),
    ({"cloudfront-waf-attached": {"required": "yes"}}, "does not match its schema"),
])
def test_bad_config_is_refused(pack_config, says):
    with pytest.raises(PolicyConfigError, match=says):
        reconcile_config(pack_config)


def test_load_pack_config_reads_the_stack_file(tmp_path):
    (tmp_path / "qa.json").write_text(json.dumps({"all": "advisory"}))
    (tmp_path / "empty.json").write_text("  \n")
    assert load_pack_config("qa", tmp_path) == {"all": "advisory"}
    assert load_pack_config("empty", tmp_path) == {}
    with pytest.raises(FileNotFoundError):
        load_pack_config("missing", tmp_path)


# ---- enforcement levels ----

UNENCRYPTED = res(aws.RDS_INSTANCE, rds_instance(storageEncrypted=False), name="db")


@pytest.mark.parametrize("level, reported", [("mandatory", "mandatory"), ("advisory", "advisory"),
                                             ("remediate", "mandatory")])
def test_levels_are_reported_as_the_cli_reports_them(level, reported):
    found = evaluate(Plan("t", [UNENCRYPTED]), {"rds-storage-encrypted": level},
                     policies=[POLICIES["rds-storage-encrypted"]])
    assert [(v.policy, v.level, v.name) for v in found] == [("rds-storage-encrypted", reported, "db")]
    assert has_mandatory(found) == (reported == "mandatory")


def test_disabled_policies_do_not_run():
    enabled = {v.policy for v in evaluate(Plan("t", [UNENCRYPTED]), {})}
    disabled = {v.policy for v in evaluate(Plan("t", [UNENCRYPTED]), {"rds-storage-encrypted": "disabled"})}
    assert enabled - disabled == {"rds-storage-encrypted"}
    assert evaluate(Plan("t", [UNENCRYPTED]), {"all": "disabled"}) == []


def test_a_value_unknown_in_preview_gives_an_advisory_as_the_cli_does():
    found = evaluate(Plan("t", [res(aws.RDS_INSTANCE, {"storageEncrypted": UNKNOWN})]), {},
                     policies=[POLICIES["rds-storage-encrypted"]])
    assert [(v.policy, v.level) for v in found] == [("rds-storage-encrypted", "advisory")]
    assert "can't run policy during preview" in found[0].message
    assert ".storageEncrypted" in found[0].message


# ---- the arguments a policy receives ----

def _recording_policy(seen: list) -> ResourceValidationPolicy:
    def record(args, report):
        seen.append(args)

    return ResourceValidationPolicy(name="recorder", description="records its arguments", validate=record,
                                    config_schema=None, enforcement_level=EnforcementLevel.ADVISORY)


def test_resource_policies_get_the_cli_s_argument_types():
    seen: list = []
    provider = res(aws.AWS_PROVIDER, {"region": "ap-northeast-2"}, name="aws", id="p1")
    database = res(aws.RDS_INSTANCE, rds_instance(backupRetentionPeriod=7), protect=True, provider=provider)
    evaluate(Plan("t", [provider, database]), {"recorder": {"threshold": 3}}, policies=[_recording_policy(seen)])
    args = seen[1]
    assert (args.resource_type, args.urn, args.name) == (aws.RDS_INSTANCE, database.urn, database.name)
    assert type(args.props).__name__ == "_DictProxy"  # pulumi-policy's unknown-checking proxy
    assert isinstance(args.props["backupRetentionPeriod"], float)  # as protobuf sends numbers
    assert args.opts.protect is True
    assert args.provider.urn == provider.urn and args.provider.props["region"] == "ap-northeast-2"
    assert args.get_config() == {"threshold": 3.0}
    assert seen[0].provider is None


def test_stack_policies_see_every_resource_with_links_and_ids():
    seen: list = []
    group = res(aws.RDS_PARAMETER_GROUP, {"family": "postgres16"}, id="pg-1")
    database = res(aws.RDS_INSTANCE, rds_instance(parameterGroupName="pg-1"), deps={"parameterGroupName": [group]})
    policy = StackValidationPolicy(name="stack-recorder", description="records", validate=lambda a, r: seen.append(a),
                                   enforcement_level=EnforcementLevel.ADVISORY)
    evaluate(Plan("t", [group, database]), {}, policies=[policy])
    resources = {r.name: r for r in seen[0].resources}
    assert resources[group.name].props["id"] == "pg-1"
    assert resources[database.name].property_dependencies["parameterGroupName"] == [resources[group.name]]
    assert resources[database.name].dependencies == [resources[group.name]]


def test_stack_violations_name_their_resource_or_the_stack():
    database = res(aws.RDS_INSTANCE, {}, name="db")

    def blame(args, report):
        report("about the database", database.urn)
        report("about the whole stack")

    policy = StackValidationPolicy(name="blamer", description="blames", validate=blame,
                                   enforcement_level=EnforcementLevel.MANDATORY)
    found = evaluate(Plan("t", [database]), {}, policies=[policy])
    assert [(v.name, v.resource_type, v.urn) for v in found] == [("db", aws.RDS_INSTANCE, database.urn),
                                                                 (None, None, None)]


# ---- the report ----


def test_the_report_groups_by_policy_mandatory_first():
    plan = Plan("t", [res(aws.RDS_INSTANCE, rds_instance(storageEncrypted=False, skipFinalSnapshot=True),
                          name="db", protect=True),
                      res(aws.RDS_INSTANCE, rds_instance(storageEncrypted=False), name="db2", protect=True)])
    report = format_report(evaluate(plan, {}))
    lines = report.splitlines()
    assert lines[0] == "[mandatory] rds-storage-encrypted (2)"
    assert lines[1].startswith("    fix: RDS instances and clusters must encrypt their storage")
    assert "    - db (aws:rds/instance:Instance): storageEncrypted is not true" in lines
    assert "    - db2 (aws:rds/instance:Instance): storageEncrypted is not true" in lines
    assert "[advisory] final-snapshot-kept (1)" in lines
    assert lines[-1] == "Policy check: 2 mandatory, 1 advisory violation(s) across 2 policies."


def test_an_empty_report_says_so():
    assert format_report([]) == "Policy check: no violations."


def test_the_report_never_prints_secret_inputs():
    secret = "hunter2-super-secret-password"
    database = res(aws.RDS_INSTANCE, rds_instance(password=secret, storageEncrypted=False, publiclyAccessible=True))
    cache = res(aws.CACHE_REPLICATION_GROUP, replication_group(authToken=secret, transitEncryptionEnabled=False))
    report = format_report(evaluate(Plan("t", [database, cache]), {}))
    assert "storageEncrypted" in report and "transitEncryptionEnabled" in report
    assert secret not in report


def test_secret_inputs_are_masked_even_if_a_policy_quotes_them():
    secret = "hunter2-super-secret-password"
    database = res(aws.RDS_INSTANCE, {"password": secret})
    database = dataclasses.replace(database, secret_inputs=frozenset({"password"}))
    leaky = ResourceValidationPolicy(name="leaky", description="quotes inputs", validate=lambda a, report: report(
        f"password is {a.props['password']}"), enforcement_level=EnforcementLevel.MANDATORY)
    found = evaluate(Plan("t", [database]), {}, policies=[leaky])
    assert found[0].message == "password is [secret]"


# ---- the command ----


def test_the_command_previews_checks_and_exits_nonzero_on_mandatory_violations(monkeypatch, capsys):
    plans = {"good": Plan("good", []), "bad": Plan("bad", [UNENCRYPTED])}
    engine = types.ModuleType("preview.engine")
    engine.run_preview = lambda stack: plans[stack]
    monkeypatch.setitem(sys.modules, "preview.engine", engine)
    monkeypatch.setattr(offline, "load_pack_config", lambda stack: {})
    assert offline.main(["--stack", "good"]) == 0
    assert "no violations" in capsys.readouterr().out
    assert offline.main(["--stack", "bad"]) == 1
    assert "[mandatory] rds-storage-encrypted" in capsys.readouterr().out
