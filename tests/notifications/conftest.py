"""Fixtures for notification tests: English, cheap passwords, a few people."""

import pytest
from django.utils import translation

from notifications.models import Notification
from tests.api.conftest import anon_api, api_as  # noqa: F401  (the API tests use them)


@pytest.fixture(autouse=True)
def _english(settings):
    """The "why" lines are compared in English (the site's default language is Russian), also
    in API responses to requests that name no language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client():
    """A test client that asks for English pages."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


def kinds_of(user) -> list[str]:
    """The kinds of `user`'s notifications, oldest first."""
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True)
    )
