"""The PR verdict: the offline report as Markdown (mandatory first), the one-comment workflow, and
the workflow files accepted by check-jsonschema's offline copy of GitHub's workflow schema."""
import subprocess
import sys
from pathlib import Path

import pytest
from policy_kit import rds_instance, res
from preview.plan import Plan

from policies import _aws as aws
from policies import markdown_report
from policies.markdown_report import MARKER, cell, render_comment, render_stack
from policies.offline import EXEMPTED, Violation, evaluate

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))


def _violation(policy: str, level: str, message: str, name: str = "db") -> Violation:
    return Violation(policy, level, "high", f"urn:{name}", name, aws.RDS_INSTANCE, message, f"fix {policy}.")


def test_mandatory_comes_first_then_advisory_then_exemptions():
    report = render_stack("prod", [_violation("final-snapshot-kept", "advisory", "skipFinalSnapshot is true"),
                                   _violation("rds-storage-encrypted", "mandatory", "storageEncrypted is not true"),
                                   _violation("policy-exemptions", "advisory", "x: exemption 'y' expired"),
                                   _violation("sg-admin-ports-from-admin-cidrs", EXEMPTED, "ssh — exempted: bastion")],
                          "policies/config/prod.json")
    headings = [line for line in report.splitlines() if line.startswith("#")]
    assert headings == ["### `prod`: ❌ **1 mandatory** violation(s), 2 advisory: the stack cannot be deployed — "
                        "config `policies/config/prod.json`",
                        "#### Mandatory (1)", "#### Advisory (1)", "#### Exemptions to review (1)", "#### Exempted (1)"]
    assert "| `rds-storage-encrypted` | db | aws:rds/instance:Instance | storageEncrypted is not true |" in report
    assert "- `rds-storage-encrypted`: fix rds-storage-encrypted." in report


def test_a_clean_stack_says_so():
    assert render_stack("dev", []).splitlines()[0] == "### `dev`: ✅ no mandatory violation (0 advisory)"
    assert "No violations." in render_stack("dev", [])


@pytest.mark.parametrize("text, shown", [("a | b", "a \\| b"), ("line\nbreak", "line break"),
                                         ("<script>", "&lt;script&gt;"), ("`code`", "'code'")])
def test_cells_cannot_break_the_table_or_inject_markup(text, shown):
    assert cell(text) == shown


def test_the_comment_starts_with_the_marker_the_workflow_looks_for():
    comment = render_comment([("dev", "### `dev`: ok\n"), ("prod", "### `prod`: ok\n")])
    assert comment.splitlines()[0] == MARKER and comment.index("`dev`") < comment.index("`prod`")
    workflow = (REPO_ROOT / ".github" / "workflows" / "pr.yml").read_text()
    assert "body.split('\\n')[0]" in workflow and "updateComment" in workflow and "createComment" in workflow
    assert 'GITHUB_STEP_SUMMARY' in workflow
    assert all(f"report-{stack}.md" in workflow for stack in ("dev", "staging", "prod"))


def test_the_command_prints_the_markdown_report_and_keeps_its_exit_code(monkeypatch, capsys, tmp_path):
    import preview.__main__ as preview_cli

    unencrypted = res(aws.RDS_INSTANCE, rds_instance(storageEncrypted=False), name="database")
    monkeypatch.setattr(preview_cli, "run_preview", lambda stack, overrides, **_: Plan(stack, [unencrypted]))
    config = tmp_path / "qa.json"
    config.write_text("{}")
    assert preview_cli.main(["qa", "--policy-config", str(config), "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("### `qa`: ❌ **1 mandatory**") and "| `rds-storage-encrypted` | database |" in out
    assert "pulumi:pulumi:Stack" not in out  # the report alone, no tree


def test_the_combiner_joins_the_stack_reports(tmp_path, capsys):
    files = []
    for stack in ("dev", "prod"):
        path = tmp_path / f"report-{stack}.md"
        path.write_text(render_stack(stack, evaluate(Plan(stack, []), {})))
        files.append(str(path))
    assert markdown_report.main(files) == 0
    out = capsys.readouterr().out
    assert out.startswith(MARKER) and out.count("no mandatory violation") == 2
    assert markdown_report.main([str(tmp_path / "missing.md")]) == 2


def test_the_ci_command_accepts_every_workflow():
    """`check-jsonschema --builtin-schema vendor.github-workflows`, as a contributor runs it; the
    schema itself is also applied in process by tests/ops/test_ops_workflows.py."""
    assert {p.name for p in WORKFLOWS} >= {"pr.yml", "main.yml", "pulumi.yml"}
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             *map(str, WORKFLOWS)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
