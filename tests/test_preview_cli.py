"""`python -m preview`: the tree, the counts and the outputs, for people and for machines."""
import json
import subprocess
import sys

import pytest

from preview.engine import REPO_ROOT


def preview(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "preview", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def dev_json():
    result = preview("dev", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_counts_match_the_listed_resources(dev_json, dev_plan):
    custom = [r for r in dev_json["resources"] if r["custom"]]
    assert dev_json["total"] == len(custom) == sum(dev_json["counts"].values())
    assert dev_json["counts"] == dict(sorted(dev_plan.count_by_type().items()))
    assert dev_json["outputs"]["siteUrl"].startswith("https://")


def test_text_shows_tree_counts_and_outputs(dev_json):
    text = preview("dev").stdout
    assert "pulumi:pulumi:Stack  webstack-dev" in text
    assert "├─ + webstack:database:Database  database" in text
    assert "│  ├─ + aws:rds/instance:Instance  database-instance" in text
    assert f"Resources: {dev_json['total']} to create" in text
    assert "    1  aws:rds/instance:Instance" in text
    assert f"  siteUrl           {dev_json['outputs']['siteUrl']}" in text


def test_protected_resources_are_marked():
    text = preview("dev", "--set", "protectData=true").stdout
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
