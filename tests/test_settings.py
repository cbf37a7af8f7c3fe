"""The settings module refuses unsafe production configurations with a clear message."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_without_secret_key_refuses_to_start():
    """DEBUG=false and no SECRET_KEY stops with a message naming the setting."""
    result = run_check({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_no_environment_runs_with_embedded_defaults():
    """With no environment the project checks clean on SQLite and the in-memory layer."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_env_example_email_urls_configure_their_backends():
    """Every EMAIL_URL example in .env.example parses to the backend its comment promises, and
    the file example names an absolute folder."""
    import environ

    examples = re.findall(r"^# EMAIL_URL=(\S+)", (ROOT / ".env.example").read_text(), re.M)
    configs = {url.split(":")[0]: environ.Env.email_url_config(url) for url in examples}
    assert set(configs) == {"consolemail", "filemail", "smtp", "smtp+tls", "smtp+ssl"}
    backend = "django.core.mail.backends.{}.EmailBackend".format
    assert configs["consolemail"]["EMAIL_BACKEND"] == backend("console")
    assert configs["filemail"]["EMAIL_BACKEND"] == backend("filebased")
    assert Path(configs["filemail"]["EMAIL_FILE_PATH"]).is_absolute()
    assert configs["smtp"]["EMAIL_BACKEND"] == backend("smtp")
    assert (configs["smtp"]["EMAIL_HOST"], configs["smtp"]["EMAIL_PORT"]) == ("127.0.0.1", 1025)
    assert configs["smtp+tls"]["EMAIL_USE_TLS"] is True
    assert configs["smtp+tls"]["EMAIL_PORT"] == 587
    assert configs["smtp+ssl"]["EMAIL_USE_SSL"] is True
    assert configs["smtp+ssl"]["EMAIL_HOST_PASSWORD"] == "password"
