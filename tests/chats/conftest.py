"""Fixtures for chat tests: people who are friends, a group, published-frame capture."""

from __future__ import annotations

from contextlib import contextmanager
from functools import partial

import pytest

from messenger.realtime import hub
from tests.factories import GroupFactory, UserFactory
from tests.factories.social import befriend


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    """`with published() as sent:` runs the block and collects what it would publish on commit
    as `(frame, set(user_ids))` pairs (the callbacks are not run)."""

    @contextmanager
    def capture():
        sent: list[tuple[dict, set[int]]] = []
        with django_capture_on_commit_callbacks() as callbacks:
            yield sent
        for callback in callbacks:
            if isinstance(callback, partial) and callback.func is hub.publish:
                frame, user_ids = callback.args
                sent.append((frame, set(user_ids)))

    return capture


@pytest.fixture
def people(db):
    """Four friends: owner, admin, member, and another friend of the owner outside the group."""
    owner, admin, member, outsider = (UserFactory() for _ in range(4))
    befriend(owner, admin, member, outsider)
    return owner, admin, member, outsider


@pytest.fixture
def group(people):
    owner, admin, member, _outsider = people
    return GroupFactory(created_by=owner, members=[member], admins=[admin])


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Chat tests create many users; their passwords need not be expensive to hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
