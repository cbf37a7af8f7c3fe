"""Attachments: uploaded files and browser recordings (stored before the message that
sends them), image thumbnails made by a task, and cleanup of uploads never sent.
"""

from __future__ import annotations

import mimetypes
import secrets
from datetime import timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from chats import images, recordings, tasks
from chats.models import Attachment, Chat, Membership
from chats.services._kit import _ensure_not_blocked
from messenger.storage import delete_files, delete_files_on_commit
from messenger.tasks.kit import enqueue_on_commit

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User


def _valid_filename(part: str, fallback: str) -> str:
    # get_valid_filename raises for names with no usable character ("😀🔥"): use the fallback.
    try:
        return get_valid_filename(part) if part.strip(" .") else fallback
    except SuspiciousFileOperation:
        return fallback


def _safe_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name or "file"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    cleaned = _valid_filename(stem[:120], "file")
    ext = _valid_filename(ext[:16], "") if ext else ""
    return f"{cleaned}.{ext}" if ext else cleaned


def _guess_type(name: str) -> str:
    guessed, _encoding = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _check_upload(uploader: User, chat: Chat, upload: UploadedFile[bytes]) -> None:
    """The uploader is a member allowed to write here and the file's size is acceptable."""
    membership = Membership.objects.filter(chat_id=chat.pk, user_id=uploader.pk).first()
    if membership is None:
        raise Http404
    _ensure_not_blocked(chat, uploader)
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(max)s MB.") % {"max": limit // (1024 * 1024)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")


def recording_create(
    *,
    uploader: User,
    chat: Chat,
    upload: UploadedFile[bytes],
    kind: str,
    content_type: str,
    duration: object,
    waveform: object = None,
) -> Attachment:
    """Store a voice message (`kind="voice"`) or video circle (`"circle"`) recorded in the
    browser, to be sent like any attachment. The declared type must be allowed and match the
    file's head, the length within bounds (chats/recordings.py); ValidationError otherwise,
    and nothing is stored. Blocked in a dialog between blocked people."""
    _check_upload(uploader, chat, upload)
    recording = recordings.check_recording(
        kind=kind, upload=upload, content_type=content_type, duration=duration, waveform=waveform
    )
    folder = f"chat-files/{chat.pk}/{secrets.token_urlsafe(18)}"
    name = f"{recording.kind}.{recording.extension}"
    upload.seek(0)
    file_name = default_storage.save(f"{folder}/{name}", upload)
    try:
        with transaction.atomic():
            return Attachment.objects.create(
                chat_id=chat.pk,
                uploader=uploader,
                file=file_name,
                name=name,
                kind=recording.kind,
                content_type=recording.content_type,
                # The stub allows None (for a hand-made UploadedFile); one Django received
                # always has its size, and `_check_upload` compared it already.
                size=upload.size,  # type: ignore[misc]
                duration_ms=recording.duration_ms,
                waveform=recording.waveform,
            )
    except BaseException:
        delete_files([file_name])
        raise


def attachment_create(*, uploader: User, chat: Chat, upload: UploadedFile[bytes]) -> Attachment:
    """Store an uploaded file of a chat member under a non-guessable path; images are
    re-encoded without metadata here, and their thumbnail is made by the `make_thumbnail` task
    after commit. ValidationError for an empty or too large file, Blocked in a dialog between
    blocked people."""
    _check_upload(uploader, chat, upload)
    display_name = PurePath((upload.name or "file").replace("\\", "/")).name[:200] or "file"
    safe = _safe_name(display_name)
    folder = f"chat-files/{chat.pk}/{secrets.token_urlsafe(18)}"
    image = images.read_image(upload)
    written: list[str] = []
    try:
        if image is not None:
            stem = safe.rsplit(".", 1)[0]
            file_name = default_storage.save(
                f"{folder}/{stem}.{image.extension}", ContentFile(image.data)
            )
            written.append(file_name)
            fields = {
                "kind": Attachment.Kind.IMAGE,
                "content_type": image.content_type,
                "size": len(image.data),
                "width": image.width,
                "height": image.height,
            }
        else:
            upload.seek(0)
            file_name = default_storage.save(f"{folder}/{safe}", upload)
            written.append(file_name)
            content_type = _guess_type(display_name)
            if content_type.startswith("image/"):
                # Pillow could not read it as a picture: the browser's decoder should not try
                # either (a broken file, a bomb in a format we do not decode). A download.
                content_type = "application/octet-stream"
            major = content_type.split("/", 1)[0]
            kind = {"audio": Attachment.Kind.AUDIO, "video": Attachment.Kind.VIDEO}.get(
                major, Attachment.Kind.FILE
            )
            fields = {"kind": kind, "content_type": content_type, "size": upload.size}
        with transaction.atomic():
            attachment = Attachment.objects.create(
                chat_id=chat.pk, uploader=uploader, file=file_name, name=display_name, **fields
            )
            if image is not None:
                enqueue_on_commit(tasks.make_thumbnail, attachment.pk)
            return attachment
    except BaseException:
        delete_files(written)
        raise


def attachment_thumbnail_make(*, attachment_id: int) -> bool:
    """Make and store the thumbnail of an image attachment (the `make_thumbnail` task). Does
    nothing for a missing attachment, one that is not an image or already has a thumbnail;
    returns whether it stored one."""
    attachment = Attachment.objects.filter(
        pk=attachment_id, kind=Attachment.Kind.IMAGE, thumbnail=""
    ).first()
    if attachment is None or not attachment.file.name:
        return False
    with default_storage.open(attachment.file.name, "rb") as stored:
        thumbnail = images.thumbnail_of(stored)
    if thumbnail is None:
        return False
    folder = attachment.file.name.rsplit("/", 1)[0]
    thumb_name = default_storage.save(f"{folder}/thumb.webp", ContentFile(thumbnail))
    with transaction.atomic():
        stored_once = Attachment.objects.filter(pk=attachment_id, thumbnail="").update(
            thumbnail=thumb_name
        )
    if not stored_once:  # another run was first, or the attachment went meanwhile
        delete_files([thumb_name])
    return bool(stored_once)


def attachments_discard_stale(*, older_than_hours: int = 24) -> int:
    """Delete uploads never sent with a message (the browser was closed mid-way)."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    stale = Attachment.objects.filter(message__isnull=True, created_at__lt=cutoff)
    files = [name for pair in stale.values_list("file", "thumbnail") for name in pair]
    with transaction.atomic():
        count, _details = stale.delete()
        delete_files_on_commit(files)
    return count
