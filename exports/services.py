"""Every write about data exports: request one, build it, forget old ones.

An export is requested in one transaction and built after commit in a background thread of
the same process (there is no task queue): `export_build` reads everything through
exports.selectors, streams the ZIP to a temporary file, then moves it into private storage
(`exports/<user id>/...`, a folder neither Django nor nginx serves publicly).

Errors: Http404 for a chat the requester does not belong to, ValidationError with code "busy"
while another export of the same person is being prepared (one at a time).
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import threading
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exports import archive, selectors
from exports.models import DataExport

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("beseda.exports")

State = DataExport.State


def keep_days() -> int:
    """How many days a finished archive stays available."""
    return settings.EXPORT_KEEP_DAYS


def _stale_after() -> timedelta:
    """A build that has not finished by then died with its process."""
    return timedelta(hours=settings.EXPORT_STALE_HOURS)


def export_request(
    *, requester: User, chat_id: int | None = None, language: str | None = None
) -> DataExport:
    """Queue an export of the requester's account (or of chat `chat_id`) and start building it
    after commit. Http404 for a chat the requester is not in; ValidationError("busy") while
    another of their exports is being prepared."""
    chat_title = ""
    if chat_id is not None:
        scope = selectors.chat_scope_for(requester, chat_id)
        chat_title = scope.title[:200]
    busy = ValidationError(
        _("Your previous export is still being prepared. Wait for it to finish."), code="busy"
    )
    with transaction.atomic():
        if selectors.has_active_export(requester):
            raise busy
        try:
            # The partial unique constraint settles two requests racing past the check above.
            with transaction.atomic():
                export = DataExport.objects.create(
                    requester=requester,
                    kind=DataExport.Kind.CHAT if chat_id is not None else DataExport.Kind.USER,
                    chat_id=chat_id,
                    chat_title=chat_title,
                    language=language or translation.get_language() or "",
                )
        except IntegrityError:
            raise busy from None
        transaction.on_commit(partial(start_in_background, export.pk))
    logger.info("export %s queued for user %s", export.pk, requester.pk)
    return export


def start_in_background(export_id: int) -> None:
    """Build the export in a daemon thread of this process."""
    thread = threading.Thread(
        target=_build_in_thread, args=(export_id,), name=f"export-{export_id}", daemon=True
    )
    thread.start()


def _build_in_thread(export_id: int) -> None:
    close_old_connections()
    try:
        export_build(export_id=export_id)
    finally:
        connection.close()


def _set_progress(export_id: int, percent: int) -> None:
    DataExport.objects.filter(pk=export_id, state=State.RUNNING).update(progress=min(percent, 99))


def _archive_name(export: DataExport) -> str:
    stamp = timezone.localtime(export.created_at).strftime("%Y-%m-%d")
    if export.kind == DataExport.Kind.CHAT:
        return f"beseda-chat-{export.chat_id}-{stamp}.zip"
    return f"beseda-{export.requester.username}-{stamp}.zip"


def export_build(*, export_id: int) -> DataExport:
    """Build a queued export now (the background thread calls this). The state goes queued →
    running → done (file stored, available for EXPORT_KEEP_DAYS) or failed (reason kept)."""
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update().select_related("requester").get(pk=export_id)
        )
        if export.state != State.QUEUED:
            return export
        export.state = State.RUNNING
        export.started_at = timezone.now()
        export.save(update_fields=["state", "started_at"])
    handle = tempfile.NamedTemporaryFile(suffix=".zip", delete=False)  # noqa: SIM115
    stored = ""
    try:
        with handle, translation.override(export.language or settings.LANGUAGE_CODE):
            if export.kind == DataExport.Kind.CHAT and export.chat_id is None:
                raise Http404("the group was deleted meanwhile")
            archive.build(
                handle,
                requester=export.requester,
                chat_id=export.chat_id if export.kind == DataExport.Kind.CHAT else None,
                progress=partial(_set_progress, export.pk),
            )
        name = f"exports/{export.requester_id}/{secrets.token_urlsafe(18)}/{_archive_name(export)}"
        with open(handle.name, "rb") as built:
            stored = default_storage.save(name, File(built))
        size = default_storage.size(stored)
    except Exception as exc:
        logger.exception("export %s failed", export.pk)
        _delete_files([stored])
        DataExport.objects.filter(pk=export.pk).update(
            state=State.FAILED,
            error="not_member" if isinstance(exc, Http404) else "unexpected",
            finished_at=timezone.now(),
            expires_at=timezone.now() + timedelta(days=keep_days()),
        )
    else:
        now = timezone.now()
        DataExport.objects.filter(pk=export.pk).update(
            state=State.DONE,
            progress=100,
            file=stored,
            size=size,
            finished_at=now,
            expires_at=now + timedelta(days=keep_days()),
        )
        logger.info("export %s done (%s bytes)", export.pk, size)
    finally:
        os.unlink(handle.name)
    export.refresh_from_db()
    return export


def _delete_files(names: list[str]) -> None:
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete %s", name, exc_info=True)


def exports_purge(*, now=None) -> tuple[int, int]:
    """Delete expired exports and those of deactivated accounts with their files, and mark
    builds that died with their process (running or queued longer than EXPORT_STALE_HOURS) as
    failed. Returns (deleted, failed)."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = DataExport.objects.filter(
            state__in=DataExport.ACTIVE_STATES, created_at__lt=now - _stale_after()
        ).update(
            state=State.FAILED,
            error="interrupted",
            finished_at=now,
            expires_at=now + timedelta(days=keep_days()),
        )
        # A deactivated or deleted account's archives go too: they hold what it removed.
        expired = DataExport.objects.filter(
            Q(state__in=(State.DONE, State.FAILED), expires_at__lt=now)
            | Q(requester__is_active=False)
        )
        files = [name for name in expired.values_list("file", flat=True) if name]
        deleted, _detail = expired.delete()
        transaction.on_commit(partial(_delete_files, files))
    return deleted, stale
