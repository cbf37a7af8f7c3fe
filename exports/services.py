"""Every write about data exports: request one, build it, forget old ones.

An export is requested in one transaction; after commit the `exports.tasks.build_export` task
is enqueued and a task worker runs `export_build`: it reads everything through
exports.selectors, streams the ZIP to a temporary file, then moves it into private storage
(`exports/<user id>/...`, a folder neither Django nor nginx serves publicly).

A build is safe to run more than once: it claims the row first (queued → running, one more
attempt), keeps `heartbeat_at` fresh with its progress, and stores its archive only while it
still holds that attempt. A build whose worker died (no heartbeat for EXPORT_LEASE_SECONDS) is
started again by `exports_recover`, a periodic job; an error that may pass is retried with
backoff (messenger.tasks.kit); after TASKS_MAX_ATTEMPTS the export fails.

Errors: Http404 for a chat the requester does not belong to, ValidationError with code "busy"
while another export of the same person is being prepared (one at a time).
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import time
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exports import archive, selectors, tasks
from exports.models import DataExport
from messenger.storage import delete_files, delete_files_on_commit
from messenger.tasks.kit import backoff, enqueue, enqueue_on_commit, retry_later

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("beseda.exports")

State = DataExport.State


def keep_days() -> int:
    """How many days a finished archive stays available."""
    return int(settings.EXPORT_KEEP_DAYS)


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
        enqueue_on_commit(tasks.build_export, export.pk)
    logger.info("export %s queued for user %s", export.pk, requester.pk)
    return export


def _lease() -> timedelta:
    return timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


def _set_progress(export_id: int, attempt: int, percent: int) -> None:
    DataExport.objects.filter(pk=export_id, state=State.RUNNING, attempts=attempt).update(
        progress=min(percent, 99), heartbeat_at=timezone.now()
    )
    if settings.EXPORT_STEP_PAUSE_SECONDS:
        time.sleep(settings.EXPORT_STEP_PAUSE_SECONDS)


def _archive_name(export: DataExport) -> str:
    stamp = timezone.localtime(export.created_at).strftime("%Y-%m-%d")
    if export.kind == DataExport.Kind.CHAT:
        return f"beseda-chat-{export.chat_id}-{stamp}.zip"
    return f"beseda-{export.requester.username}-{stamp}.zip"


def _claim(export_id: int) -> DataExport | None:
    """Take the export for one build attempt: queued, or running without a heartbeat for
    longer than the lease (its worker died). None when it is done, failed or held by a live
    build; a claim past TASKS_MAX_ATTEMPTS fails the export instead."""
    now = timezone.now()
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update()
            .select_related("requester")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.state in (State.DONE, State.FAILED):
            return None
        if export.state == State.RUNNING and (
            export.heartbeat_at is not None and export.heartbeat_at > now - _lease()
        ):
            return None
        if export.attempts >= settings.TASKS_MAX_ATTEMPTS:
            _fail(export.pk, "interrupted")
            return None
        export.state = State.RUNNING
        export.attempts += 1
        export.progress = 0
        export.heartbeat_at = now
        export.started_at = export.started_at or now
        export.save(update_fields=["state", "attempts", "progress", "heartbeat_at", "started_at"])
    return export


def _fail(export_id: int, error: str) -> None:
    now = timezone.now()
    DataExport.objects.filter(pk=export_id).exclude(state=State.DONE).update(
        state=State.FAILED,
        error=error,
        finished_at=now,
        expires_at=now + timedelta(days=keep_days()),
    )


def export_build(*, export_id: int) -> DataExport | None:
    """Build a queued export now (the `build_export` task calls this). The state goes queued →
    running → done (file stored, available for EXPORT_KEEP_DAYS) or failed (reason kept); an
    unexpected error puts it back in the queue for a retry with backoff while attempts remain.
    Running it again for an export that is done, failed or being built does nothing."""
    export = _claim(export_id)
    if export is None:
        return DataExport.objects.filter(pk=export_id).first()
    attempt = export.attempts
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
                progress=partial(_set_progress, export.pk, attempt),
            )
        name = f"exports/{export.requester_id}/{secrets.token_urlsafe(18)}/{_archive_name(export)}"
        with open(handle.name, "rb") as built:
            stored = default_storage.save(name, File(built))
        size = default_storage.size(stored)
    except Http404:
        logger.info("export %s failed: not a member", export.pk)
        _fail(export.pk, "not_member")
    except Exception:
        logger.exception("export %s attempt %s failed", export.pk, attempt)
        delete_files([stored])
        with transaction.atomic():
            requeued = DataExport.objects.filter(
                pk=export.pk,
                state=State.RUNNING,
                attempts=attempt,
                # The recovery job leaves it alone until the retry is due.
            ).update(state=State.QUEUED, progress=0, heartbeat_at=timezone.now() + backoff(attempt))
            if requeued and not retry_later(
                tasks.build_export, attempt=attempt, export_id=export.pk
            ):
                _fail(export.pk, "unexpected")
    else:
        now = timezone.now()
        # Only the build that still holds its attempt stores its archive: one that lost its
        # lease to a newer attempt throws its file away, so an export has exactly one archive.
        finished = DataExport.objects.filter(
            pk=export.pk, state=State.RUNNING, attempts=attempt
        ).update(
            state=State.DONE,
            progress=100,
            file=stored,
            size=size,
            heartbeat_at=now,
            finished_at=now,
            expires_at=now + timedelta(days=keep_days()),
        )
        if finished:
            logger.info("export %s done (%s bytes)", export.pk, size)
        else:
            logger.warning(
                "export %s attempt %s lost its lease; archive dropped", export.pk, attempt
            )
            delete_files([stored])
    finally:
        os.unlink(handle.name)
    export.refresh_from_db()
    return export


def exports_recover(*, now: datetime | None = None) -> int:
    """Enqueue a build again for exports whose build went silent (running, no heartbeat for
    EXPORT_LEASE_SECONDS: its worker died) or whose task never arrived (queued that long).
    Returns how many were enqueued; the build's claim makes a duplicate harmless."""
    now = now or timezone.now()
    silent = DataExport.objects.filter(state__in=DataExport.ACTIVE_STATES).filter(
        Q(heartbeat_at__lt=now - _lease())
        | Q(heartbeat_at__isnull=True, created_at__lt=now - _lease())
    )
    ids = list(silent.values_list("pk", flat=True))
    for export_id in ids:
        logger.warning("export %s went silent; enqueuing it again", export_id)
        enqueue(tasks.build_export, export_id)
    return len(ids)


def exports_purge(*, now: datetime | None = None) -> tuple[int, int]:
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
        delete_files_on_commit(files)
    return deleted, stale
