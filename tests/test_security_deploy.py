"""Production settings: `check --deploy` is clean, and weak set-ups refuse to start.

Settings are read once per process, so each story runs manage.py in a
subprocess with the environment an operator would set.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STRONG_KEY = "k7Qp-2vXz9_LmN4rT8sWb1YcE6hJ3fGdA0uKoPiZxCvBnMqRtYwE5"


def clean_env():
    """The environment without anything that configures the site."""
    return {
        key: value
        for key, value in os.environ.items()
        # Start from a clean slate: nothing from the developer's shell or the
        # test run decides what production looks like.
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_", "AXES_"))
        and key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }


def production_env(**overrides):
    env = clean_env()
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="summitwatch.example",
        DATABASE_URL="sqlite:///:memory:",
    )
    env.update(overrides)
    return env


def manage(*args, **env):
    return run_manage(args, production_env(**env))


def run_manage(args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def show_settings(*names, **env):
    code = "from django.conf import settings; " + "; ".join(
        f"print({name!r}, repr(settings.{name}))" for name in names
    )
    result = manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    # Other lines (a library's start-up banner) are not ours to parse.
    return dict(
        line.split(" ", 1)
        for line in result.stdout.splitlines()
        if line.split(" ", 1)[0] in names
    )


def test_check_deploy_gives_no_warnings_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_also_passes_behind_a_tls_terminating_proxy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_proxy_ssl_header_is_opt_in_and_normalised():
    assert show_settings("SECURE_PROXY_SSL_HEADER") == {
        "SECURE_PROXY_SSL_HEADER": "None"
    }
    behind_proxy = show_settings(
        "SECURE_PROXY_SSL_HEADER", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"
    )
    assert behind_proxy == {
        "SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')"
    }


def test_production_defaults_are_the_strict_ones():
    values = show_settings(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
    )
    assert values == {
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
        "SESSION_COOKIE_SECURE": "True",
        "SESSION_COOKIE_HTTPONLY": "True",
        "CSRF_COOKIE_SECURE": "True",
        "CSRF_COOKIE_HTTPONLY": "True",
        "SECURE_CONTENT_TYPE_NOSNIFF": "True",
    }


def test_an_operator_can_turn_the_ssl_redirect_off_for_a_proxy_that_does_it():
    values = show_settings("SECURE_SSL_REDIRECT", SECURE_SSL_REDIRECT="0")
    assert values == {"SECURE_SSL_REDIRECT": "False"}


@pytest.mark.parametrize(
    "key",
    [
        "",
        "changeme",
        "a" * 60,
        "django-insecure-development-only-key-never-use-in-production",
    ],
    ids=["missing", "short", "one-character", "development-key"],
)
def test_production_refuses_to_start_with_a_missing_or_weak_secret_key(key):
    result = manage("check", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr
    assert "Traceback" not in result.stderr  # the reason alone, not buried


def test_a_developer_needs_no_secret_key():
    result = manage("check", DEBUG="1", SECRET_KEY="")
    assert result.returncode == 0, result.stderr


def test_a_management_command_with_nothing_set_behaves_like_production():
    # No DEBUG, no SECRET_KEY, no settings module: as on a server where an
    # operator forgot to export them. manage.py must not fall back to DEBUG
    # and the development key.
    env = {**clean_env(), "DATABASE_URL": "sqlite:///:memory:"}
    result = run_manage(["check"], env)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, "the reason alone"
    assert result.stderr.startswith("ImproperlyConfigured: SECRET_KEY is not set.")
    assert "Traceback" not in result.stderr


def makefile_commands(target):
    """The manage.py commands `make TARGET` runs, as (environment, arguments)."""
    dry_run = subprocess.run(
        ["make", "--dry-run", "--always-make", target],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry_run.returncode == 0, dry_run.stderr
    commands = []
    for line in dry_run.stdout.splitlines():
        words = shlex.split(line)
        at = next((i for i, word in enumerate(words) if word == "manage.py"), None)
        if at is None:
            continue
        env = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))
        commands.append((env, words[at + 1 :]))
    return commands


def test_make_run_gives_every_command_the_development_settings():
    commands = makefile_commands("run")
    assert [args[0] for _env, args in commands] == [
        "migrate",
        "load_demo_content",
        "publish_data",  # the open-data downloads of the demo content
        "ensure_admin",
        "runserver",
    ]
    for env, _args in commands:
        assert env == {"DJANGO_SETTINGS_MODULE": "config.dev_settings"}

    # Those settings work with nothing else set: DEBUG on, the development key.
    env = {**clean_env(), **commands[0][0], "DATABASE_URL": "sqlite:///:memory:"}
    result = run_manage(["check"], env)
    assert result.returncode == 0, result.stderr
    debug = run_manage(
        ["shell", "-c", "from django.conf import settings; print(settings.DEBUG)"], env
    )
    assert debug.stdout.strip().splitlines()[-1] == "True"


def test_every_variable_the_settings_read_is_in_the_readme():
    source = "\n".join(path.read_text() for path in (ROOT / "config").glob("*.py"))
    read = set(
        re.findall(
            r"(?:env_bool|env_int|env_list|os\.environ\.get|os\.environ\.setdefault"
            r"|_value)\(\s*(?:environ,\s*)?\"([A-Z][A-Z0-9_]*)\"",
            source,
        )
    )
    read.add("DATABASE_URL")  # read by dj_database_url.config()
    assert {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "S3_BUCKET"} <= read
    table = [
        line
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith("| `")
    ]
    listed = {re.match(r"\| `([A-Z][A-Z0-9_]*)`", line).group(1) for line in table}
    assert read - listed == set()
