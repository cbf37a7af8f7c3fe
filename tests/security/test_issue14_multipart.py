"""Issue 14, item 5: a multipart request without a boundary, or with an empty body, is answered
in the API's JSON error shape with a 4xx on every multipart operation of /api/v1/, never a 500
or a bare HTML 400. The operations are read from the OpenAPI schema, so a new one is covered
without editing this file. The last test runs the same against the deployed server (uvicorn)
and daphne, whose own request parsing differs from the test client's."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from messenger.api import api
from tests.conftest import ROOT, _database_url, free_port
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def multipart_operations() -> list[tuple[str, str]]:
    """(method, path) of every /api/v1/ operation that takes multipart/form-data."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "multipart/form-data" in content:
                found.append((method.upper(), re.sub(r"\{[^}]+\}", "1", path)))
    return sorted(found)


OPERATIONS = multipart_operations()
BAD_BODIES = {
    "no boundary": ("multipart/form-data", b"--x\r\nContent-Disposition: form-data\r\n\r\n1"),
    "no boundary, empty": ("multipart/form-data", b""),
    "empty boundary": ("multipart/form-data; boundary=", b"--\r\n"),
    "empty body": ("multipart/form-data; boundary=abc", b""),
    "cut off": ("multipart/form-data; boundary=abc", b"--abc\r\nContent-Disposition: form-d"),
    "bad boundary": ("multipart/form-data; boundary=" + "x" * 80, b"--x\r\n"),
}


def test_the_schema_has_multipart_operations():
    """At least the six known ones (so the parametrised test cannot pass with no case)."""
    assert len(OPERATIONS) >= 6, OPERATIONS


def assert_json_error(status: int, content_type: str, body: bytes, where: str) -> None:
    assert 400 <= status < 500, (where, status, body[:300])
    assert content_type.startswith("application/json"), (where, content_type, body[:300])
    payload = json.loads(body)
    assert isinstance(payload.get("code"), str) and isinstance(payload.get("detail"), str), where


@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_malformed_multipart_is_a_json_4xx(client, method, path, kind):
    """Signed in, each malformed multipart body gets a 4xx in the {code, detail} shape."""
    client.force_login(UserFactory())
    content_type, body = BAD_BODIES[kind]
    response = client.generic(method, path, body, content_type=content_type)
    assert_json_error(response.status_code, response["Content-Type"], response.content, kind)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_malformed_multipart_anonymous_is_401_json(client, method, path):
    """The denied case: logged out, the same body is a JSON 401, not a 500."""
    content_type, body = BAD_BODIES["no boundary"]
    response = client.generic(method, path, body, content_type=content_type)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# -- real servers ------------------------------------------------------------------------------
def _start(command: list[str], port: int) -> subprocess.Popen:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": _database_url(),
        "DEBUG": "true",
        "SECRET_KEY": settings.SECRET_KEY,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "messenger.settings",
    }
    log = open(ROOT / "var" / f"test-server-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"no server; see var/test-server-{port}.log") from None
            time.sleep(0.1)


# Twisted (under daphne) parses a non-empty multipart POST itself before the application sees
# it and answers a body it cannot parse with its own bare 400 and a closed connection; nothing
# in Django can give those the JSON shape. The deployed server, uvicorn, hands them all to us.
TWISTED_REFUSES = {"no boundary", "bad boundary"}

SERVERS = {
    "uvicorn": [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port"],
    "daphne": [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p"],
}


def _request(port: int, method: str, path: str, content_type: str, body: bytes, headers: dict):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        method=method,
        headers={"Content-Type": content_type, **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


@pytest.mark.server
@pytest.mark.parametrize("server", sorted(SERVERS))
def test_malformed_multipart_is_a_json_4xx_on_real_servers(transactional_db, settings, server):
    """uvicorn (deployed) and daphne: every operation × every malformed body is a JSON 4xx."""
    # The server checks the password with its own (default) hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = UserFactory()
    port = free_port()
    process = _start([*SERVERS[server], str(port), "messenger.asgi:application"], port)
    try:
        status, _type, body = _request(
            port,
            "POST",
            "/_allauth/app/v1/auth/login",
            "application/json",
            json.dumps({"username": user.username, "password": PASSWORD}).encode(),
            {},
        )
        assert status == 200, body
        token = json.loads(body)["meta"]["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        failures = []
        for method, path in OPERATIONS:
            for kind, (content_type, payload) in BAD_BODIES.items():
                status, got_type, body = _request(port, method, path, content_type, payload, auth)
                where = f"{server} {method} {path} {kind}"
                if server == "daphne" and kind in TWISTED_REFUSES:
                    if status != 400:
                        failures.append(f"{where}: {status}")
                    continue
                try:
                    assert_json_error(status, got_type, body, where)
                except (AssertionError, ValueError) as error:
                    failures.append(str(error))
        assert not failures, "\n".join(failures)
    finally:
        process.terminate()
        process.wait(timeout=10)
