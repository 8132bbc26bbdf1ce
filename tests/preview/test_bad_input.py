"""Broken project and stack files, and a bad command line, end in one message and exit 2: never a
traceback, never exit 1 (which means a policy violation), never a silently ignored key."""
import functools
import shutil

import pytest

import preview.__main__ as cli
from config.keys import ConfigError
from preview.engine import REPO_ROOT, run_preview
from preview.stack_files import StackFileError, load_stack_config

DEV = "config:\n  webstack:tier: mvp\n"


@pytest.fixture
def project(tmp_path):
    for path in REPO_ROOT.glob("Pulumi*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def write(project, name: str, content) -> None:
    path = project / name
    if content is None:
        path.unlink()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


# file, its new content (None: deleted), what the one message says
BROKEN_FILES = [
    ("Pulumi.yaml", None, "Pulumi.yaml: no such file in "),
    ("Pulumi.yaml", "", "Pulumi.yaml must be a mapping with at least `name:`; it holds nothing"),
    ("Pulumi.yaml", "name: [webstack\n", "Pulumi.yaml is not valid YAML: "),
    ("Pulumi.yaml", "runtime: python\n", "Pulumi.yaml has no project `name:`"),
    ("Pulumi.yaml", "name: ''\n", "Pulumi.yaml has no project `name:`"),
    ("Pulumi.yaml", "- name: webstack\n", "Pulumi.yaml must be a mapping with at least `name:`; "
                                          "it holds a list"),
    ("Pulumi.yaml", "name: webstack\nconfig: [tier]\n", "Pulumi.yaml: `config:` must be a mapping"),
    ("Pulumi.yaml", "name: webstack\nname: other\n", "Pulumi.yaml: line 2: 'name' is given twice "
                                                     "(also on line 1)"),
    ("Pulumi.dev.yaml", "config:\n  webstack:tier: [mvp\n", "Pulumi.dev.yaml is not valid YAML: "),
    ("Pulumi.dev.yaml", "config:\n\twebstack:tier: mvp\n", "Pulumi.dev.yaml is not valid YAML: "),
    ("Pulumi.dev.yaml", "config:\n  - webstack:tier\n",
     "Pulumi.dev.yaml: `config:` must be a mapping of keys to values"),
    ("Pulumi.dev.yaml", "config: webstack:tier=mvp\n",
     "Pulumi.dev.yaml: `config:` must be a mapping of keys to values"),
    ("Pulumi.dev.yaml", "- config\n", "Pulumi.dev.yaml must be a mapping with a `config:` mapping "
                                      "in it; it holds a list"),
    ("Pulumi.dev.yaml", "just text\n", "Pulumi.dev.yaml must be a mapping"),
    ("Pulumi.dev.yaml", DEV + "  webstack:tier: scaled\n",
     "Pulumi.dev.yaml: line 3: 'webstack:tier' is given twice (also on line 2)"),
    ("Pulumi.dev.yaml", DEV + "  tier: scaled\n", "Pulumi.dev.yaml sets webstack:tier twice"),
    ("Pulumi.dev.yaml", DEV + "  webstack:appPort:\n",
     "Pulumi.dev.yaml: webstack:appPort is null (no value after the colon)"),
    ("Pulumi.dev.yaml", DEV + "  webstack:dbName: ~\n", "webstack:dbName is null"),
    ("Pulumi.dev.yaml", DEV + "  webstack:appImage:\n    secure: AAABAx==\n",
     "webstack:appImage holds an encrypted value (secure:). No webstack key is a secret"),
    ("Pulumi.dev.yaml", DEV + "  123: x\n", "Pulumi.dev.yaml: the key 123 is not a name"),
    ("Pulumi.dev.yaml", DEV + "  webstack:dbBackupRetentionDay: 30\n",
     "did you mean webstack:dbBackupRetentionDays?"),
    ("Pulumi.dev.yaml", DEV + "  aws:regoin: ap-northeast-1\n", "did you mean aws:region?"),
    ("Pulumi.dev.yaml", DEV + "  aws:profile: prod\n", "aws:profile is not read by webstack"),
    ("Pulumi.dev.yaml", DEV + "  other:key: 1\n", "the namespace 'other' is not read"),
    ("Pulumi.dev.yaml", b"config:\n  webstack:tier: \xff\n", "Pulumi.dev.yaml is not UTF-8 text"),
]


@pytest.mark.parametrize("name, content, says", BROKEN_FILES)
def test_a_broken_file_is_one_message_naming_the_file_and_the_fault(project, name, content, says):
    write(project, name, content)
    with pytest.raises(StackFileError) as caught:
        load_stack_config("dev", project)
    assert says in str(caught.value)
    assert name in str(caught.value)


@pytest.mark.parametrize("content, says", [
    ("", "webstack:tier is required but not set"),
    ("config:\n", "webstack:tier is required but not set"),
    ("# nothing yet\n", "webstack:tier is required but not set"),
])
def test_an_empty_stack_file_asks_for_the_required_key(project, content, says):
    write(project, "Pulumi.dev.yaml", content)
    shutil.copy(REPO_ROOT / "__main__.py", project / "__main__.py")
    with pytest.raises(ConfigError, match=says):
        run_preview("dev", project)


def test_the_program_itself_refuses_a_key_it_does_not_read(project):
    # A key Pulumi.yaml declares but the program does not read: the real CLI would pass it on.
    write(project, "Pulumi.yaml", (REPO_ROOT / "Pulumi.yaml").read_text()
          + "  dbBackupRetentionDay:\n    type: integer\n    default: 30\n")
    shutil.copy(REPO_ROOT / "__main__.py", project / "__main__.py")
    registered = []
    with pytest.raises(ConfigError, match="webstack:dbBackupRetentionDay is not a webstack config "
                                          "key; did you mean webstack:dbBackupRetentionDays"):
        run_preview("dev", project, registrations=registered)
    assert registered == []


# ---- the command line, run in process ----

def run_cli(capsys, monkeypatch, project, *argv):
    monkeypatch.setattr(cli, "run_preview", functools.partial(run_preview, project_dir=project))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_broken_stack_file_through_the_cli_is_exit_2_and_one_line(capsys, monkeypatch, project):
    write(project, "Pulumi.dev.yaml", DEV + "  webstack:tier: scaled\n")
    code, out, err = run_cli(capsys, monkeypatch, project, "dev")
    assert (code, out) == (2, "")
    assert err == ("error: Pulumi.dev.yaml: line 3: 'webstack:tier' is given twice (also on line "
                   "2); YAML would keep the last silently; keep one\n")


# --set arguments, the one line they print after "error: "
BAD_SETS = [
    (["tire=scaled"], "--set tire=scaled: webstack:tire is not a webstack config key; did you "
                      "mean webstack:tier?"),
    (["dbBackupRetentionDay=30"], "did you mean webstack:dbBackupRetentionDays?"),
    (["webstack:dbBackupRetentionDay=30"], "did you mean webstack:dbBackupRetentionDays?"),
    (["=value"], "--set =value: an empty key is not a config key"),
    (["app Port=80"], "--set app Port=80: 'app Port' has white space in it"),
    (["nope:tier=mvp"], "the namespace 'nope' is not read by webstack"),
    (["aws:regoin=us-east-1"], "did you mean aws:region?"),
    (["azCount"], "--set 'azCount': expected KEY=VALUE"),
    (["appPort=80", "webstack:appPort=81"], "--set webstack:appPort: given twice ('80' and '81')"),
]


@pytest.mark.parametrize("sets, says", BAD_SETS)
def test_a_bad_set_is_exit_2_and_one_line(capsys, monkeypatch, sets, says):
    argv = [arg for pair in sets for arg in ("--set", pair)]
    code, out, err = run_cli(capsys, monkeypatch, REPO_ROOT, "dev", *argv)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and says in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, says", [
    (["../dev"], "'../dev' is not a stack name"),
    (["qa"], "no stack 'qa': Pulumi.qa.yaml does not exist"),
    (["dev", "--set", "appPort=0"], "webstack:appPort = '0' is not valid"),
    (["dev", "--set", "aws:region=AP-NORTHEAST-2"], "did you mean ap-northeast-2?"),
])
def test_bad_stack_names_and_values_are_exit_2_without_a_traceback(capsys, monkeypatch, argv,
                                                                   says):
    code, out, err = run_cli(capsys, monkeypatch, REPO_ROOT, *argv)
    assert (code, out) == (2, "")
    assert says in err and "Traceback" not in err


def test_the_engine_s_own_settings_pass_through(project):
    write(project, "Pulumi.dev.yaml", DEV + "  pulumi:disable-default-providers: ['*']\n")
    values = load_stack_config("dev", project).values
    assert values["pulumi:disable-default-providers"] == '["*"]'
