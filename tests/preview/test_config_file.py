"""`--config-file FILE`, as `pulumi preview --config-file`: FILE replaces Pulumi.<stack>.yaml for
the run, the stack keeps its name, and a bad FILE exits 2 in one message naming it."""
import pytest

import preview.__main__ as cli
from preview.engine import REPO_ROOT
from preview.stack_files import StackFileError, load_stack_config

GREENFLOW = REPO_ROOT / "examples" / "greenflow.yaml"


def test_the_file_replaces_the_stack_file_and_the_stack_keeps_its_name():
    config = load_stack_config("prod", REPO_ROOT, config_file=GREENFLOW)
    prod = load_stack_config("prod", REPO_ROOT)
    assert config.stack == "prod"
    assert config.values["webstack:dbInstanceClass"] == "db.t3.small" != prod.values["webstack:dbInstanceClass"]
    assert config.values["webstack:dbAllocatedStorage"] == "500"
    assert config.values["webstack:vpcCidr"] == "10.70.0.0/16"  # nothing of Pulumi.prod.yaml leaks in


def test_a_stack_without_a_stack_file_previews_from_the_file():
    assert load_stack_config("greenflow", REPO_ROOT, config_file=GREENFLOW).values["webstack:tier"] == "scaled"


@pytest.mark.parametrize("content, expected", [
    ("config:\n  webstack:tire: scaled\n", "bad.yaml: webstack:tire is not a webstack config key"),
    ("config:\n  webstack:tier: mvp\n  webstack:tier: scaled\n", "bad.yaml: line 3: 'webstack:tier' is given twice"),
    ("config: [1, 2]\n", "bad.yaml: `config:` must be a mapping"),
    ("config:\n  webstack:tier:\n", "bad.yaml: webstack:tier is null"),
])
def test_a_bad_file_exits_2_in_one_message_naming_it(tmp_path, capsys, content, expected):
    (tmp_path / "bad.yaml").write_text(content)
    assert cli.main(["greenflow", "--config-file", str(tmp_path / "bad.yaml")]) == cli.EXIT_BAD_CONFIG
    err = capsys.readouterr().err
    assert err.startswith(f"error: {expected}") and err.count("\n") == 1 and "Traceback" not in err


def test_a_missing_file_exits_2_naming_it(tmp_path, capsys):
    assert cli.main(["greenflow", "--config-file", str(tmp_path / "gone.yaml")]) == cli.EXIT_BAD_CONFIG
    assert capsys.readouterr().err.startswith(f"error: gone.yaml: no such file in {tmp_path}")


def test_the_stack_name_is_still_checked():
    with pytest.raises(StackFileError, match="'green flow' is not a stack name"):
        load_stack_config("green flow", REPO_ROOT, config_file=GREENFLOW)


def test_the_command_line_hands_the_file_to_the_preview(monkeypatch, capsys):
    seen = {}

    def preview(stack, **kwargs):
        seen.update(kwargs, stack=stack)
        raise StackFileError("stop here")

    monkeypatch.setattr(cli, "run_preview", preview)
    assert cli.main(["greenflow", "--config-file", str(GREENFLOW)]) == cli.EXIT_BAD_CONFIG
    assert seen["stack"] == "greenflow" and seen["config_file"] == GREENFLOW
