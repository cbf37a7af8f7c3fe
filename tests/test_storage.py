"""Stored files go with their rows: deleted once the transaction commits, kept on a rollback
(messenger/storage.py, used by every app)."""

from __future__ import annotations

import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from messenger.storage import delete_files, delete_files_on_commit

pytestmark = pytest.mark.django_db


def _stored(name: str) -> str:
    return default_storage.save(name, ContentFile(b"data"))


def test_files_are_deleted_only_once_the_transaction_commits(django_capture_on_commit_callbacks):
    """Inside the transaction the files are still there; after the commit they are gone."""
    first, second = _stored("storage-test/a.txt"), _stored("storage-test/b.txt")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        delete_files_on_commit([first, "", second])
        assert default_storage.exists(first) and default_storage.exists(second)
    assert not default_storage.exists(first)
    assert not default_storage.exists(second)


def test_a_rollback_deletes_nothing(django_capture_on_commit_callbacks):
    """A write that rolls back keeps its files, as it keeps its rows."""
    name = _stored("storage-test/kept.txt")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        delete_files_on_commit([name])
        raise RuntimeError("refused")
    assert default_storage.exists(name)


def test_a_missing_file_is_fine(django_capture_on_commit_callbacks, caplog):
    """A file already gone is not an error and not a warning; the others are still deleted."""
    name = _stored("storage-test/present.txt")
    with (
        caplog.at_level(logging.WARNING, logger="beseda.storage"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        delete_files_on_commit(["storage-test/never-written.txt", name])
    assert not default_storage.exists(name)
    assert caplog.records == []


def test_a_file_that_cannot_be_deleted_is_logged_and_the_rest_go(caplog):
    """A storage failure (here a non-empty directory in the file's place) is logged, not
    raised, and the files after it are still deleted."""
    blocker = _stored("storage-test/busy/inside.txt")
    name = _stored("storage-test/after.txt")
    with caplog.at_level(logging.WARNING, logger="beseda.storage"):
        delete_files(["storage-test/busy", name])
    assert default_storage.exists(blocker)
    assert not default_storage.exists(name)
    assert [r.getMessage() for r in caplog.records] == [
        "could not delete stored file storage-test/busy"
    ]
