"""Fixtures of the security suite: the matrix world, cheap passwords, no write limit."""

import pytest

from tests.security.http_cases import clients_for
from tests.security.world import build_world


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The suite creates many users; their passwords need not be expensive to hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db, settings):
    settings.API_WRITE_RATE = "1000000/m"
    return build_world()


@pytest.fixture
def clients(world):
    return clients_for(world)
