"""The offline policy check: enforcement levels, the arguments policies get, the report, the command.

The config file format and its errors: test_policy_config.py."""
import dataclasses

import pytest
from policy_kit import POLICIES, UNKNOWN, rds_instance, replication_group, res
from preview.plan import Plan
from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy

from policies import _aws as aws
from policies import offline
from policies.offline import evaluate, format_report, has_mandatory

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
                                    config_schema=PolicyConfigSchema({"threshold": {"type": "integer"}}),
                                    enforcement_level=EnforcementLevel.ADVISORY)


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


def test_report_only_previews_checks_and_exits_nonzero_on_mandatory_violations(monkeypatch, capsys, tmp_path):
    import preview.__main__ as preview_cli

    plans = {"good": Plan("good", []), "bad": Plan("bad", [UNENCRYPTED])}
    monkeypatch.setattr(preview_cli, "run_preview", lambda stack, overrides, **_: plans[stack])
    defaults = tmp_path / "defaults.json"
    defaults.write_text("{}")
    assert preview_cli.main(["good", "--report-only", "--policy-config", str(defaults)]) == 0
    out = capsys.readouterr().out
    assert "no violations" in out and "pulumi:pulumi:Stack" not in out  # the report alone
    assert preview_cli.main(["bad", "--report-only", "--policy-config", str(defaults)]) == 1
    assert "[mandatory] rds-storage-encrypted" in capsys.readouterr().out


def test_only_the_secret_itself_is_masked_in_a_secret_block():
    """A distribution's `origins` is secret because one custom header is: its protocol policy is not."""
    secret = "mock-origin-verify-0123456789"
    password = res("random:index/randomPassword:RandomPassword", {"length": 32}, name="origin-secret")
    password = dataclasses.replace(password, additional_secret_outputs=("result",), outputs={"result": secret})
    origins = [{"originId": "api", "domainName": "api.example.com",
                "customHeaders": [{"name": "X-Origin-Verify", "value": secret}],
                "customOriginConfig": {"originProtocolPolicy": "http-only", "httpPort": 80, "httpsPort": 443,
                                       "originSslProtocols": ["TLSv1.2"]}}]
    cdn = dataclasses.replace(res(aws.DISTRIBUTION, {"origins": origins}), secret_inputs=frozenset({"origins"}))
    leaky = ResourceValidationPolicy(name="leaky", description="quotes inputs", validate=lambda a, report: report(
        f"header {a.props['origins'][0]['customHeaders'][0]['value']}, policy "
        f"{a.props['origins'][0]['customOriginConfig']['originProtocolPolicy']}") if "origins" in a.props else None,
        enforcement_level=EnforcementLevel.MANDATORY)
    found = evaluate(Plan("t", [password, cdn]), {}, policies=[leaky, POLICIES["cloudfront-origin-https"]])
    messages = {v.policy: v.message for v in found if v.name == cdn.name}
    assert messages["leaky"] == "header [secret], policy http-only"
    assert messages["cloudfront-origin-https"] == "origins[0].originProtocolPolicy is 'http-only', not https-only"
