"""`python -m preview`: the tree, the counts and the outputs, for people and for machines."""
import json
import re
import subprocess
import sys

import pytest

from preview.engine import REPO_ROOT


def preview(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "preview", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


def _run_in_process(capsys, *argv: str) -> tuple[int, str]:
    from preview.__main__ import main

    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def dev_json():
    result = preview("dev", "--json")
    assert result.returncode == 0, result.stderr
    assert "Exception ignored" not in result.stderr  # no event loop left to the collector
    return json.loads(result.stdout)


def test_json_counts_match_the_listed_resources(dev_json, dev_plan):
    custom = [r for r in dev_json["resources"] if r["custom"]]
    assert dev_json["total"] == len(custom) == sum(dev_json["counts"].values())
    assert dev_json["counts"] == dict(sorted(dev_plan.count_by_type().items()))
    assert dev_json["outputs"]["siteUrl"].startswith("https://")


def test_text_shows_tree_counts_and_outputs(capsys, dev_json):
    _, text = _run_in_process(capsys, "dev")
    assert "pulumi:pulumi:Stack  webstack-dev" in text
    assert "├─ + webstack:database:Database  database" in text
    assert "│  ├─ + aws:rds/instance:Instance  database-instance" in text
    assert f"Resources: {dev_json['total']} to create" in text
    assert "    1  aws:rds/instance:Instance" in text
    assert re.search(rf"^  siteUrl +{re.escape(dev_json['outputs']['siteUrl'])}$", text, re.M)


def test_protected_resources_are_marked(capsys):
    _, text = _run_in_process(capsys, "dev", "--set", "protectData=true")
    assert "aws:rds/instance:Instance  database-instance [protected]" in text
    assert "aws:ec2/instance:Instance  backend-instance [protected]" not in text


def test_a_malformed_set_is_a_clear_error():
    result = preview("dev", "--set", "azCount")
    assert result.returncode == 2
    assert "--set 'azCount': expected KEY=VALUE" in result.stderr


def test_an_unknown_stack_is_a_clear_error():
    result = preview("nope")
    assert result.returncode == 2 and "no stack 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


# ---- --policies: the policy pack over the plan just previewed ----

ADMIN_CIDR = "203.0.113.7/32"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def test_policies_prints_the_tree_then_the_report_and_exits_1_on_a_mandatory_violation(capsys):
    # The program allows SSH from adminCidrs; dev's policy config admits no admin network.
    code, out = _run_in_process(capsys, "dev", "--policies", "--set", f'adminCidrs=["{ADMIN_CIDR}"]')
    assert code == 1
    lines = out.splitlines()
    tree = lines.index("pulumi:pulumi:Stack  webstack-dev")
    report = lines.index("Policy check (webstack-guardrails, policies/config/dev.json):")
    group = lines.index("[mandatory] sg-admin-ports-from-admin-cidrs (1)")
    assert tree < report < group
    assert lines[group + 1].startswith("    fix: ")
    assert lines[group + 2].startswith(f"    - backend-ssh-0 ({INGRESS}): ")
    assert ADMIN_CIDR in lines[group + 2]
    assert any(line.startswith("[advisory] stateful-resources-protected (") for line in lines[group:])
    assert lines[-1].startswith("Policy check: 1 mandatory, ")


def test_json_includes_the_violations(capsys, dev_json, dev_plan):
    from policies.offline import evaluate, load_pack_config

    code, out = _run_in_process(capsys, "dev", "--policies", "--json")
    checked = json.loads(out)
    assert code == 0 and "policies" not in dev_json
    assert (checked["counts"], checked["outputs"]) == (dev_json["counts"], dev_json["outputs"])
    policies = checked["policies"]
    expected = evaluate(dev_plan, load_pack_config("dev"))
    assert (policies["config"], policies["mandatory"], policies["advisory"]) == (
        "policies/config/dev.json", 0, len(expected))
    # Registration order varies from run to run; the findings do not.
    assert sorted((v["policy"], v["level"], v["resource"], v["type"]) for v in policies["violations"]) == sorted(
        (v.policy, v.level, v.name, v.resource_type) for v in expected)
    assert all(v["fix"] and v["message"] for v in policies["violations"])


def test_a_policy_config_file_replaces_the_stack_s(capsys, tmp_path):
    admitted = tmp_path / "admin.json"
    admitted.write_text(json.dumps({"sg-admin-ports-from-admin-cidrs": {"adminCidrs": [ADMIN_CIDR]}}))
    code, out = _run_in_process(capsys, "dev", "--policy-config", str(admitted),
                                "--set", f'adminCidrs=["{ADMIN_CIDR}"]')
    assert f"Policy check (webstack-guardrails, {admitted}):" in out
    assert "sg-admin-ports-from-admin-cidrs" not in out  # the file admits the admin network,
    assert "[mandatory] ec2-no-public-ip" in out and code == 1  # and leaves dev's `tier: mvp` out


# ---- preflight: with every preview ----

def test_preflight_findings_are_printed_and_an_error_exits_1(monkeypatch, capsys):
    """A plan AWS would refuse (an apostrophe in a group description) fails the preview."""
    import preview.__main__ as cli
    from tests.preflight.broken import plan, resource

    broken = plan(resource("aws:ec2/securityGroup:SecurityGroup", "alb",
                           {"description": "CloudFront's addresses"}))
    monkeypatch.setattr(cli, "run_preview", lambda stack, overrides=None, **_: broken)
    assert cli.main(["test"]) == cli.EXIT_POLICY_VIOLATION
    out = capsys.readouterr().out
    assert "[error] security_group_texts: alb:" in out and "source: https://" in out
    assert cli.main(["test", "--json"]) == cli.EXIT_POLICY_VIOLATION
    [finding] = json.loads(capsys.readouterr().out)["preflight"]
    assert (finding["rule"], finding["severity"]) == ("security_group_texts", "error")


def test_a_clean_plan_says_so(dev_json, dev_plan):
    import preflight
    import preview.__main__ as cli
    text = cli.output(dev_plan, None, False, False, None, preflight.check(dev_plan))
    assert re.search(r"^Preflight \(dev\): \d+ rules, no findings\.$", text, re.M)
    assert dev_json["preflight"] == []
