"""Deleting stored files (uploads, photos, avatars, export archives): the one way every app
does it.

A row and its files go together: the row is deleted inside the service's transaction and its
files once that commits (`delete_files_on_commit`), so a rollback keeps both. Files written for
a write that then failed are thrown away at once (`delete_files`). Either way a file already
gone is fine and a storage error is logged, never raised: the data change stands, and an
orphaned file costs only space.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction

logger = logging.getLogger("beseda.storage")


def delete_files(names: Iterable[str | None]) -> None:
    """Delete the stored files `names` now (empty names are skipped); a missing file is fine,
    a failure is logged."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except Exception:  # whatever the storage raises, the caller's change must stand
            logger.warning("could not delete stored file %s", name, exc_info=True)


def delete_files_on_commit(names: Iterable[str | None]) -> None:
    """Delete the stored files `names` once the current transaction commits (at once outside
    one); nothing is deleted if it rolls back."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(partial(delete_files, names))
