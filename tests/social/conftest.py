"""Helpers for the social tests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Service messages are matched in English, whatever language an earlier test left active
    (the site's default is Russian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def count_queries():
    """`count_queries(fn)` → how many SQL queries `fn()` ran."""

    def run(fn) -> int:
        with CaptureQueriesContext(connection) as captured:
            fn()
        return len(captured.captured_queries)

    return run


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories set a password for every user; the default hasher would dominate run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client():
    """A test client that asks for English pages (the site's default language is Russian)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")
