"""Fixtures for moderation tests: a moderator in the "moderators" group, content to report."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from moderation.groups import moderators_group_sync
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    if request.node.get_closest_marker("e2e") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_moderator(**fields):
    """Staff, not a superuser, in the moderators group. The data migration made the group;
    transactional tests flush it, so it is made again here the same way (idempotent)."""
    group, _count = moderators_group_sync(Group, Permission)
    person = UserFactory(is_staff=True, **fields)
    person.groups.add(group)
    return person


@pytest.fixture
def moderator(db):
    return make_moderator(username="moderator")


@pytest.fixture
def author(db):
    return UserFactory(username="author")


@pytest.fixture
def reporter(db):
    return UserFactory(username="reporter")
