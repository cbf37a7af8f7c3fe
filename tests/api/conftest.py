"""Helpers for REST API tests: JWT login over HTTP and a small JSON client."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.chats.conftest import published  # noqa: F401  (the chats API tests use it)
from tests.factories.accounts import PASSWORD

LOGIN_URL = "/_allauth/app/v1/auth/login"
REFRESH_URL = "/_allauth/app/v1/tokens/refresh"
SESSION_URL = "/_allauth/app/v1/auth/session"


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    """Users made here log in over HTTP many times; PBKDF2 would cost ~0.5 s per login.

    Tests against a real server process (marked `server`) keep the real hasher: the server
    checks passwords with its own settings.
    """
    if request.node.get_closest_marker("server") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Tokens:
    access: str
    refresh: str


def login_tokens(user, *, client: Client | None = None, password: str = PASSWORD) -> Tokens:
    """Log in through allauth's app API and return the access and refresh tokens."""
    client = client or Client()
    response = client.post(
        LOGIN_URL,
        {"username": user.username, "password": password},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    meta = response.json()["meta"]
    return Tokens(meta["access_token"], meta["refresh_token"])


def usernames(response) -> list[str]:
    """The usernames on a page of people (asserting the page was served)."""
    assert response.status_code == 200, response.content
    return [item["username"] for item in response.json()["items"]]


def pages_of(api, path: str, **params: Any) -> list[list[dict]]:
    """Follow `next` cursors from the first page to the last; the items of each page."""
    pages, cursor = [], None
    while True:
        response = api.get(path, **params, **({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body["items"])
        if (cursor := body["next"]) is None:
            return pages


class JsonApi:
    """A Django test client speaking JSON, optionally with a bearer token."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.token = token
        self.client = client or Client()

    def request(self, method: str, path: str, body: Any = None, **headers: str):
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs["data"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method.lower())(path, **kwargs)

    def get(self, path: str, **params: Any):
        return self.client.get(
            path,
            params,
            headers={"Authorization": f"Bearer {self.token}"} if self.token else {},
        )

    def post(self, path: str, body: Any = None, **headers: str):
        return self.request("POST", path, body if body is not None else {}, **headers)

    def patch(self, path: str, body: Any = None, **headers: str):
        return self.request("PATCH", path, body if body is not None else {}, **headers)

    def delete(self, path: str, **headers: str):
        return self.request("DELETE", path, **headers)

    def put(self, path: str, body: Any = None, **headers: str):
        return self.request("PUT", path, body, **headers)

    def upload(self, path: str, data: dict[str, Any], **headers: str):
        """POST `data` as multipart/form-data (a list of files sends one part per file)."""
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.post(path, data, headers=headers)


@pytest.fixture
def api_as(db):
    """`api_as(user)` → a JsonApi holding a fresh access token of `user` (logged in over HTTP)."""

    def make(user) -> JsonApi:
        return JsonApi(login_tokens(user).access)

    return make


@pytest.fixture
def anon_api() -> JsonApi:
    return JsonApi()


@pytest.fixture
def world(db, settings):
    """People and a group with one message (tests/api/chats_kit.py), write limit out of the way."""
    from tests.api.chats_kit import make_world

    settings.API_WRITE_RATE = "100000/m"
    return make_world()
