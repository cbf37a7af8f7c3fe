"""docs/deployment.md step 3 writes /etc/beseda/env; step 4 and the docs' checks source it with
`set -a; . /etc/beseda/env`. Run that very block (into a temporary directory) and source the
result with sh (Debian's dash, as `sudo -u beseda sh -c` does) and bash: every variable must
come through intact, the PEM key included, and Django's settings must accept them."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from tests.conftest import ROOT

DUMP_ENV = "import json, os; print(json.dumps(dict(os.environ)))"
DUMP_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'DEBUG': s.DEBUG, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS, "
    "'DEFAULT_FROM_EMAIL': s.DEFAULT_FROM_EMAIL, 'EMAIL_HOST': s.EMAIL_HOST, "
    "'JWT': s.HEADLESS_JWT_PRIVATE_KEY, 'SECRET_KEY': s.SECRET_KEY}))"
)


def step_3_block() -> str:
    text = (ROOT / "docs" / "deployment.md").read_text()
    section = text.split("## 3. Configuration: /etc/beseda/env", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```\n(.*?)^```$", section, flags=re.S | re.M)
    assert blocks, "step 3 has no code block"
    return blocks[0]


@pytest.fixture(scope="module")
def env_file(tmp_path_factory):
    """The env file as step 3's block writes it (in a temporary directory, not /etc)."""
    for tool in ("openssl", "python3"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    etc = tmp_path_factory.mktemp("etc")
    block = step_3_block().replace("/etc/beseda", str(etc / "beseda"))
    subprocess.run(["bash", "-e", "-c", block], check=True, timeout=60)
    return etc / "beseda" / "env"


def sourced(env_file, shell: str, code: str) -> dict:
    """Run Python `code` in the environment of `set -a; . <env file>` under `shell`."""
    script = 'set -a; . "$1"; exec "$2" -c "$3"'
    result = subprocess.run(
        [shell, "-c", script, "sh", str(env_file), sys.executable, code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "messenger.settings"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_step_3_writes_a_private_file(env_file):
    """The file is readable by its owner only."""
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_step_4_sources_every_variable_intact(env_file, shell):
    """`set -a; . /etc/beseda/env` succeeds and exports each value exactly as written."""
    env = sourced(env_file, shell, DUMP_ENV)
    assert env["DEBUG"] == "false"
    assert len(env["SECRET_KEY"]) >= 64 and "$" not in env["SECRET_KEY"]
    assert env["ALLOWED_HOSTS"] == "beseda.example.org"
    assert env["CSRF_TRUSTED_ORIGINS"] == env["SITE_URL"] == "https://beseda.example.org"
    assert env["DATABASE_URL"] == "postgres://beseda@/beseda"
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert env["EMAIL_URL"] == "smtp+tls://user:password@smtp.example.org:587"
    assert env["DEFAULT_FROM_EMAIL"] == "Beseda <noreply@beseda.example.org>"
    assert (env["BEHIND_PROXY"], env["MEDIA_ACCEL_REDIRECT_PREFIX"]) == ("true", "/protected/")
    # The multi-line key travels as one line with literal \n; Beseda restores the breaks.
    key = env["JWT_PRIVATE_KEY"]
    assert "\n" not in key
    pem = key.replace("\\n", "\n")
    assert pem.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert pem.rstrip("\n").endswith("-----END PRIVATE KEY-----")
    assert len(pem.splitlines()) > 20
    private = load_pem_private_key(pem.encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey) and private.key_size == 2048


def test_settings_accept_the_sourced_file(env_file):
    """Django's settings, loaded from that environment, have production values and a key
    allauth can sign tokens with."""
    loaded = sourced(env_file, "sh", DUMP_SETTINGS)
    assert loaded["DEBUG"] is False
    assert loaded["ALLOWED_HOSTS"] == ["beseda.example.org"]
    assert loaded["DEFAULT_FROM_EMAIL"] == "Beseda <noreply@beseda.example.org>"
    assert loaded["EMAIL_HOST"] == "smtp.example.org"
    assert len(loaded["SECRET_KEY"]) >= 64
    assert isinstance(
        load_pem_private_key(loaded["JWT"].encode(), password=None), rsa.RSAPrivateKey
    )
