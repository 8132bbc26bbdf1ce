"""The dispatcher: one table of commands, and every bad input refused in one line with exit 2
before any AWS call."""
import pytest

from ops import __main__ as cli


def test_each_registered_command_has_a_module_with_the_commands_interface():
    import importlib
    for module_name in cli.COMMANDS.values():
        module = importlib.import_module(module_name)
        assert callable(module.run) and callable(module.add_arguments) and module.HELP


BAD = {
    "no command": ([], "no command given; allowed: status, backups check"),
    "unknown command": (["backups", "list"], "unknown command 'backups list'"),
    "no stack": (["status"], "the following arguments are required: --stack"),
    "bad stack name": (["status", "--stack", "pr od"], "--stack 'pr od' is not a stack name"),
    "unknown option": (["status", "--stack", "prod", "--verbose"], "unrecognized arguments"),
    "missing file": (["status", "--stack", "prod", "--outputs", "/nonexistent/outputs.json"],
                     "cannot be read: No such file or directory"),
    "not json": (["status", "--stack", "prod", "--outputs", "{not json}"], "is not JSON"),
    "not an object": (["status", "--stack", "prod", "--outputs", "[1, 2]"], "holds a JSON list"),
    "no region": (["status", "--stack", "prod", "--outputs", "{}"],
                  "stack output 'region' is missing"),
    "tables not a list": (["restore-drill", "--stack", "prod", "--outputs",
                           '{"region": "us-east-1", "databaseInstanceId": "db", '
                           '"dynamodbTables": "sessions"}'],
                          "stack output 'dynamodbTables' in"),
    "bad poll": (["restore-drill", "--stack", "prod", "--outputs", '{"region": "us-east-1"}',
                  "--poll-seconds", "0"], "--poll-seconds and --timeout-minutes must be 1 or more"),
}


@pytest.mark.parametrize("argv, message", BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_line_and_exit_2(argv, message, tmp_path, capsys):
    if "--outputs" in argv and not argv[argv.index("--outputs") + 1].startswith("/"):
        path = tmp_path / "outputs.json"
        path.write_text(argv[argv.index("--outputs") + 1])
        argv = [*argv[:argv.index("--outputs") + 1], str(path), *argv[argv.index("--outputs") + 2:]]
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and err.count("\n") == 1, err


def test_without_outputs_file_and_without_the_pulumi_cli_the_message_says_what_to_do(
        monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert cli.main(["status", "--stack", "prod"]) == 2
    assert "the pulumi CLI is not installed; pass --outputs FILE" in capsys.readouterr().err


def test_help_lists_the_commands(capsys):
    assert cli.main(["--help"]) == 0
    assert "commands: status, backups check, restore-drill, dr failover, rollback" in \
        capsys.readouterr().out


def test_prices_needs_no_stack_and_is_handed_its_own_arguments(capsys):
    assert cli.main(["prices"]) == 2  # --refresh is required
    assert "--refresh" in capsys.readouterr().err
    assert cli.main(["prices", "--refresh", "--add", "no.such.key"]) == 2
    assert "not a price key the Pricing API answers" in capsys.readouterr().err
