"""Pulumi.yaml documents every key the program reads; stack files use only declared keys."""
import shutil

import pytest
import yaml

from config.keys import REQUIRED, SETTINGS
from preview.engine import REPO_ROOT, run_preview
from preview.stack_files import StackFileError, load_stack_config

STACKS = ("dev", "staging", "prod")


def project_config() -> dict:
    return yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())["config"]


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_pulumi_yaml_declares_each_setting_as_the_program_reads_it(setting):
    declared = project_config()[setting.key]
    # An object key is declared by its description alone: the CLI's schema has no object type.
    assert declared.get("type", "object") == setting.type
    assert declared["description"] == setting.description
    if setting.default is REQUIRED or setting.default is None:
        assert "default" not in declared
    else:
        assert declared["default"] == setting.default


# The only types the Pulumi CLI accepts in a project's config schema (its project.json).
PULUMI_CONFIG_TYPES = {"string", "integer", "boolean", "array"}


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_every_declared_type_is_one_the_pulumi_cli_accepts(setting):
    declared = project_config()[setting.key]
    if setting.type == "object":
        assert set(declared) == {"description"}
        return
    assert declared["type"] in PULUMI_CONFIG_TYPES
    if declared["type"] == "array":
        assert declared["items"]["type"] in PULUMI_CONFIG_TYPES


def test_pulumi_yaml_declares_nothing_the_program_ignores():
    declared = {k for k in project_config() if ":" not in k}
    assert declared == {s.key for s in SETTINGS}


def test_region_defaults_to_seoul():
    assert project_config()["aws:region"] == "ap-northeast-2"


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_sets_its_tier_and_region(stack):
    config = load_stack_config(stack, REPO_ROOT)
    assert config.values["webstack:tier"] == ("mvp" if stack == "dev" else "scaled")
    assert config.values["aws:region"] == "ap-northeast-2"


def test_stack_values_override_project_defaults():
    values = load_stack_config("prod", REPO_ROOT).values
    assert values["webstack:dbBackupRetentionDays"] == "30"
    assert values["webstack:dbMultiAz"] == "true"
    assert values["webstack:appPort"] == "80"  # from Pulumi.yaml


@pytest.fixture
def project_copy(tmp_path):
    for path in REPO_ROOT.glob("Pulumi*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_an_undeclared_key_in_a_stack_file_is_refused(project_copy):
    stack_file = project_copy / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text() + "  webstack:dbInstanceClas: db.t3.small\n")
    with pytest.raises(StackFileError, match="Pulumi.dev.yaml: webstack:dbInstanceClas is not a "
                                             "webstack config key; did you mean "
                                             "webstack:dbInstanceClass[?]"):
        load_stack_config("dev", project_copy)


def test_an_encrypted_secret_is_named_not_guessed(project_copy):
    stack_file = project_copy / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text() + "  webstack:appImage:\n    secure: AAABAx==\n")
    with pytest.raises(StackFileError, match="webstack:appImage holds an encrypted value .* "
                                             "preview with --set webstack:appImage=<value>"):
        load_stack_config("dev", project_copy)


def test_an_unknown_stack_lists_the_stacks_there_are():
    with pytest.raises(StackFileError, match="no stack 'qa'.*dev, prod, staging"):
        run_preview("qa")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_the_readme_documents_each_setting(setting):
    assert f"| `{setting.key}` | {setting.type} |" in (REPO_ROOT / "README.md").read_text()
