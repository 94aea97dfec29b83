"""The `parley` command: its own commands listed, Django's under `parley django`, and clear
one-line errors (no traceback) for what an operator can fix."""

import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from parley.accounts.models import User
from parley.cli import main

PARLEY_COMMANDS = (
    "serve", "worker", "user", "safety", "notifier", "export", "import", "bench",
)


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_parleys_commands_with_one_line_each(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    listed = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    for command in (*PARLEY_COMMANDS, "migrate"):
        assert command in listed and len(listed[command].split()) > 2, command
    assert listed["serve"].split(None, 1)[1].startswith("Run the whole server")
    for internal in ("createsuperuser", "collectstatic", "makemigrations", "dbshell"):
        assert internal not in listed
    assert "parley django" in out


def test_no_arguments_prints_the_same_help(capsys):
    assert run_cli(capsys)[1] == run_cli(capsys, "--help")[1]


def test_version_comes_from_the_package_metadata(capsys):
    assert run_cli(capsys, "--version")[1].strip() == f"parley {version('parley')}"


@pytest.mark.parametrize("command", [*PARLEY_COMMANDS, "migrate"])
def test_every_command_has_its_own_help(capsys, command):
    code, out, _ = run_cli(capsys, command, "--help")
    assert code == 0 and out.startswith(f"usage: parley {command}")
    assert run_cli(capsys, "help", command)[1] == out


def test_djangos_commands_live_under_parley_django(capsys):
    code, out, _ = run_cli(capsys, "django", "help")
    assert code == 0 and "createsuperuser" in out and "parley django help" in out
    code, out, _ = run_cli(capsys, "django", "check")
    assert code == 0 and "no issues" in out


def test_an_unknown_command_says_so(capsys):
    code, _, err = run_cli(capsys, "frobnicate")
    assert code == 1 and "Unknown command: 'frobnicate'" in err


def test_user_create_refuses_an_invalid_email(capsys, transactional_db):
    code, _, err = run_cli(
        capsys, "user", "create", "eve", "--email", "not-an-email", "--password", "long enough pw"
    )
    assert code == 1 and "'not-an-email' is not a valid email address" in err
    assert "Traceback" not in err and not User.objects.filter(username="eve").exists()


def test_user_create_asks_for_the_password_twice(capsys, transactional_db, monkeypatch):
    answers = iter(["a long password", "a long password"])
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or next(answers))
    code, out, _ = run_cli(capsys, "user", "create", "eve", "--email", "eve@example.org")
    assert code == 0 and "Created member @eve" in out
    assert prompts == ["Password for @eve: ", "Password (again): "]
    assert User.objects.get(username="eve").check_password("a long password")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (["a long password", "a different one"], "The two passwords differ"),
        (["short", "short"], "This password is too short"),
    ],
)
def test_user_create_refuses_bad_typed_passwords(
    capsys, transactional_db, monkeypatch, answers, message
):
    typed = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    code, _, err = run_cli(capsys, "user", "create", "eve", "--email", "eve@example.org")
    assert code == 1 and message in err
    assert not User.objects.filter(username="eve").exists()


def test_user_create_runs_the_password_validators(capsys, transactional_db):
    code, _, err = run_cli(
        capsys, "user", "create", "eve", "--email", "eve@example.org", "--password", "short"
    )
    assert code == 1 and "too short" in err and "Traceback" not in err


# Fresh processes with the real settings: a new data dir each.


def parley(*args: str, data_dir, cwd, **settings: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "DJANGO_"))}
    env |= {"PARLEY_DATA_DIR": str(data_dir), **settings}
    return subprocess.run(
        [sys.executable, "-m", "parley.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["user", "list"], ["--help"]])
def test_an_unusable_data_dir_is_one_clear_line(tmp_path, command):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = parley(*command, data_dir=blocker / "var", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"parley: error: The data directory {blocker / 'var'}")
    assert "PARLEY_DATA_DIR" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through directory permissions")
def test_a_read_only_data_dir_is_one_clear_line(tmp_path):
    data = tmp_path / "var"
    data.mkdir(mode=0o555)
    result = parley("user", "list", data_dir=data, cwd=tmp_path)
    assert result.returncode == 1 and "is not writable" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_before_the_first_start_say_what_to_do(tmp_path):
    result = parley("user", "list", data_dir=tmp_path / "var", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith(
        "The database is not set up yet: run `parley serve` (or `parley migrate`) first."
    )


def test_user_create_before_the_first_start_sets_the_database_up(tmp_path):
    created = parley(
        "user",
        "create",
        "admin",
        "--email",
        "admin@example.org",
        "--password",
        "a long password",
        "--role",
        "admin",
        data_dir=tmp_path / "var",
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert "Created admin @admin" in created.stdout
    listed = parley("user", "list", data_dir=tmp_path / "var", cwd=tmp_path)
    assert "admin@example.org" in listed.stdout


def test_an_unreachable_database_is_one_clear_line(tmp_path):
    result = parley(
        "user",
        "list",
        data_dir=tmp_path / "var",
        cwd=tmp_path,
        PARLEY_DATABASE_URL="sqlite:////nonexistent-dir/parley.sqlite3",
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "parley: error: Cannot use the database (PARLEY_DATABASE_URL)" in result.stderr
