"""The scheduled operations workflows: valid against GitHub's workflow schema (SchemaStore's, as
vendored by check-jsonschema), OIDC only, and failing on a problem; no region written in them."""
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
SCHEDULED = {"backups-check.yml": "python -m ops backups check",
             "restore-drill.yml": "python -m ops restore-drill"}


def load(name: str) -> dict:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True)  # YAML 1.1 reads the key `on` as true
    return document


@pytest.fixture(scope="module")
def schema() -> dict:
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads((vendored / "github-workflows.json").read_text())


@pytest.mark.parametrize("name", sorted(path.name for path in WORKFLOWS.glob("*.yml")))
def test_every_workflow_is_valid_against_githubs_schema(name, schema):
    jsonschema.Draft7Validator(schema).validate(load(name))


@pytest.mark.parametrize("name, command", SCHEDULED.items())
def test_scheduled_checks_assume_a_role_by_oidc_and_fail_on_a_problem(name, command):
    workflow = load(name)
    assert workflow["on"]["schedule"][0]["cron"]
    assert workflow["permissions"] == {"contents": "read", "id-token": "write"}
    [job] = workflow["jobs"].values()
    steps = job["steps"]
    credentials = next(s for s in steps if s.get("uses", "").startswith(
        "aws-actions/configure-aws-credentials"))
    assert credentials["with"]["role-to-assume"].startswith("${{ vars.AWS_OPS_")
    assert credentials["with"]["aws-region"] == "${{ steps.stack.outputs.region }}"
    [run] = [s for s in steps if command in s.get("run", "")]
    assert "continue-on-error" not in run and "|| true" not in run["run"]


def test_no_workflow_writes_a_region():
    for path in WORKFLOWS.glob("*.yml"):
        assert "ap-northeast-2" not in path.read_text(), path.name
