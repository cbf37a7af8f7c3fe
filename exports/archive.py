"""The export archive: a ZIP with index.html (readable offline), data.json and the files.

Entries are written one after the other straight into the ZIP stream: first the files
(attachments/, photos/, avatars/), then data.json, then index.html. Messages are read from the
database a chunk at a time and written as they come, so memory stays flat however long the
chats are. Everything that goes in comes from exports.selectors, which decides what the
requester may see.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import get_template
from django.utils import timezone
from django.utils.text import get_valid_filename

from exports import selectors
from exports.selectors import ChatScope

if TYPE_CHECKING:
    from accounts.models import User
    from chats.models import Attachment, Message

FORMAT = "beseda-export"
VERSION = 1
COPY_CHUNK = 1024 * 1024

Progress = Callable[[int], None]


class _Meter:
    """Turns units of work done into whole percents and reports each new one."""

    def __init__(self, total: int, report: Progress | None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.last = -1
        self.report = report

    def step(self, units: int = 1) -> None:
        self.done += units
        percent = min(99, self.done * 100 // self.total)
        if self.report is not None and percent != self.last:
            self.last = percent
            self.report(percent)

    def finish(self) -> None:
        if self.report is not None:
            self.report(100)


# -- names inside the archive ------------------------------------------------------------------
def _safe(name: str) -> str:
    return (get_valid_filename(name) or "file")[-120:]


def _suffix(name: str) -> str:
    return PurePath(name).suffix.lower()[:10]


def attachment_path(attachment: Attachment) -> str:
    return f"attachments/{attachment.chat_id}/{attachment.pk}-{_safe(attachment.name)}"


def _photo_path(folder: str, key: str, name: str) -> str:
    return f"photos/{folder}/{key}{_suffix(name)}"


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.display_name}


# -- records: one dict per thing, used by data.json and index.html alike ------------------------
class _Records:
    """Builds the dicts written to data.json and rendered into index.html; remembers files
    that could not be read so both say so instead of linking to nothing."""

    def __init__(self) -> None:
        self.missing: set[str] = set()

    def path(self, arcname: str) -> str | None:
        return None if arcname in self.missing else arcname

    def message(self, message: Message, scope: ChatScope, hidden: set[int]) -> dict[str, Any]:
        reply = None
        target = message.reply_to
        if target is not None:
            if target.seq > scope.floor and target.pk not in hidden:
                reply = {
                    "id": target.pk,
                    "seq": target.seq,
                    "sender": _person(target.sender),
                    "text": "" if target.is_deleted else target.text[:200],
                    "deleted": target.is_deleted,
                }
            else:
                # Quoting a message the requester cannot see would leak it.
                reply = {"id": None, "unavailable": True}
        deleted = message.is_deleted
        return {
            "id": message.pk,
            "seq": message.seq,
            "sender": _person(message.sender),
            "sent_at": message.created_at,
            "edited_at": message.edited_at,
            "deleted": deleted,
            "text": "" if deleted else message.text,
            "reply_to": reply,
            "sticker": (message.sticker.name or "sticker") if message.sticker else None,
            "call": message.call,
            "attachments": []
            if deleted
            else [
                {
                    "name": a.name,
                    "kind": a.kind,
                    "content_type": a.content_type,
                    "size": a.size,
                    "duration": None if a.duration_ms is None else a.duration_ms / 1000,
                    "path": self.path(attachment_path(a)),
                }
                for a in message.export_attachments
            ],
            "reactions": [
                {"emoji": r.emoji, "user": _person(r.user)} for r in message.export_reactions
            ],
        }

    def chat(self, scope: ChatScope) -> dict[str, Any]:
        chat = scope.chat
        avatar = f"avatars/chat-{chat.pk}{_suffix(chat.avatar.name)}" if chat.avatar else None
        return {
            "id": chat.pk,
            "kind": chat.kind,
            "title": scope.title,
            "avatar": self.path(avatar) if avatar else None,
            "my_role": scope.membership.role,
            "joined_at": scope.membership.joined_at,
            "visible_after_seq": scope.floor,
            "members": [
                {**_person(m.user), "role": m.role, "joined_at": m.joined_at}
                for m in selectors.chat_members(scope)
            ],
        }

    def photos(self, folder: str, photos: Iterable) -> list[str | None]:
        return [self.path(_photo_path(folder, str(p.pk), p.image.name)) for p in photos]

    def account(self, user: User) -> dict[str, Any]:
        return {
            "profile": {
                "id": user.pk,
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "bio": user.bio,
                "gender": user.gender,
                "birth_day": user.birth_day,
                "birth_month": user.birth_month,
                "birth_year": user.birth_year,
                "birth_date_visibility": user.birth_date_visibility,
                "date_joined": user.date_joined,
                "last_seen": user.last_seen,
                "emails": [
                    {"email": e.email, "primary": e.primary, "verified": e.verified}
                    for e in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
                ],
            },
            "avatars": [
                {
                    "path": self.path(f"avatars/{a.pk}{_suffix(a.image.name)}"),
                    "created_at": a.created_at,
                    "current": a.pk == user.current_avatar_id,
                }
                for a in selectors.own_avatars(user)
            ],
            "friends": [_person(f) for f in selectors.own_friends(user)],
            "posts": [
                {
                    "id": p.pk,
                    "text": p.text,
                    "audience": p.audience,
                    "created_at": p.created_at,
                    "edited_at": p.edited_at,
                    "photos": self.photos("posts", p.photos.all()),
                    "comments": [self.comment(c) for c in p.comments.all()],
                }
                for p in selectors.own_posts(user)
            ],
            "comments": [
                {**self.comment(c), "post": {"id": c.post_id, "author": _person(c.post.author)}}
                for c in selectors.own_comments(user)
            ],
            "topics": [
                {
                    "id": t.pk,
                    "title": t.title,
                    "text": t.body,
                    "created_at": t.created_at,
                    "photos": self.photos("board", t.photos.all()),
                }
                for t in selectors.own_topics(user)
            ],
            "replies": [
                {
                    "id": r.pk,
                    "topic": {"id": r.topic_id, "title": r.topic.title},
                    "text": r.text,
                    "created_at": r.created_at,
                    "photos": self.photos("board-replies", r.photos.all()),
                }
                for r in selectors.own_replies(user)
            ],
        }

    def comment(self, comment) -> dict[str, Any]:
        photo = (
            self.path(_photo_path("comments", str(comment.pk), comment.photo.name))
            if comment.photo
            else None
        )
        return {
            "id": comment.pk,
            "author": _person(comment.author),
            "text": comment.text,
            "created_at": comment.created_at,
            "photo": photo,
        }


def _account_files(user: User) -> Iterator[tuple[str, str]]:
    """(name in the archive, storage name) of every file of the user's own account data."""
    for avatar in selectors.own_avatars(user):
        yield f"avatars/{avatar.pk}{_suffix(avatar.image.name)}", avatar.image.name
    for post in selectors.own_posts(user):
        for photo in post.photos.all():
            yield _photo_path("posts", str(photo.pk), photo.image.name), photo.image.name
        for comment in post.comments.all():
            if comment.photo:
                yield (
                    _photo_path("comments", str(comment.pk), comment.photo.name),
                    comment.photo.name,
                )
    for comment in selectors.own_comments(user):
        if comment.photo:
            yield _photo_path("comments", str(comment.pk), comment.photo.name), comment.photo.name
    for topic in selectors.own_topics(user):
        for photo in topic.photos.all():
            yield _photo_path("board", str(photo.pk), photo.image.name), photo.image.name
    for reply in selectors.own_replies(user):
        for photo in reply.photos.all():
            yield _photo_path("board-replies", str(photo.pk), photo.image.name), photo.image.name


def _chat_files(user: User, scope: ChatScope) -> Iterator[tuple[str, str]]:
    chat = scope.chat
    if chat.avatar:
        yield f"avatars/chat-{chat.pk}{_suffix(chat.avatar.name)}", chat.avatar.name
    for attachment in selectors.visible_attachments(user, scope).iterator(chunk_size=500):
        yield attachment_path(attachment), attachment.file.name


# -- the writer --------------------------------------------------------------------------------
class _Zip:
    def __init__(self, out: IO[bytes]) -> None:
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)

    def copy(self, arcname: str, storage_name: str) -> bool:
        """Copy a stored file in as is (photos and media are compressed already)."""
        try:
            source = default_storage.open(storage_name, "rb")
        except (OSError, ValueError):
            return False
        info = zipfile.ZipInfo(arcname, date_time=timezone.localtime().timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED
        with source, self.zip.open(info, "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, COPY_CHUNK)
        return True

    @contextmanager
    def text(self, arcname: str) -> Iterator[IO[str]]:
        with (
            self.zip.open(arcname, "w", force_zip64=True) as raw,
            io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as handle,
        ):
            yield handle

    def close(self) -> None:
        self.zip.close()


def _dump(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def build(
    out: IO[bytes], *, requester: User, chat_id: int | None = None, progress: Progress | None = None
) -> None:
    """Write the archive of `requester`'s account (or, with `chat_id`, of that one chat) to
    `out`. Raises Http404 if `chat_id` is not a chat the requester belongs to."""
    if chat_id is not None:
        scopes = [selectors.chat_scope_for(requester, chat_id)]
        files: list[Iterator[tuple[str, str]]] = []
    else:
        scopes = selectors.chat_scopes_for(requester)
        files = [_account_files(requester)]
    files += [_chat_files(requester, scope) for scope in scopes]
    counts = {scope.id: selectors.visible_message_count(requester, scope) for scope in scopes}
    file_count = sum(selectors.visible_attachments(requester, s).count() for s in scopes)
    meter = _Meter(file_count + 2 * sum(counts.values()) + 1, progress)
    records = _Records()
    archive = _Zip(out)
    try:
        for group in files:
            for arcname, storage_name in group:
                if not archive.copy(arcname, storage_name):
                    records.missing.add(arcname)
                meter.step()
        header = {
            "format": FORMAT,
            "version": VERSION,
            "kind": "chat" if chat_id is not None else "user",
            "generated_at": timezone.now(),
            "requester": _person(requester),
        }
        account = records.account(requester) if chat_id is None else None
        chats = [(scope, records.chat(scope)) for scope in scopes]
        with archive.text("data.json") as handle:
            _write_json(handle, requester, header, account, chats, records, meter)
        with archive.text("index.html") as handle:
            _write_html(handle, requester, header, account, chats, records, meter, counts)
    finally:
        archive.close()
    meter.finish()


def _write_json(handle, requester, header, account, chats, records, meter) -> None:
    handle.write(_dump(header)[:-1])
    if account is not None:
        handle.write(', "account": ' + _dump(account))
    handle.write(', "chats": [')
    for number, (scope, chat) in enumerate(chats):
        handle.write(("," if number else "") + _dump(chat)[:-1] + ', "messages": [')
        hidden = selectors.hidden_message_ids(requester, scope)
        first = True
        for chunk in selectors.visible_message_chunks(requester, scope):
            for message in chunk:
                record = _dump(records.message(message, scope, hidden))
                handle.write(record if first else "," + record)
                first = False
            meter.step(len(chunk))
        handle.write("]}")
    handle.write("]}\n")


def _write_html(handle, requester, header, account, chats, records, meter, counts) -> None:
    start = get_template("exports/archive/start.html")
    chat_start = get_template("exports/archive/chat_start.html")
    messages_template = get_template("exports/archive/messages.html")
    handle.write(
        start.render(
            {
                **header,
                "account": account,
                "chats": [{**chat, "message_count": counts[scope.id]} for scope, chat in chats],
                "missing": sorted(records.missing),
            }
        )
    )
    for scope, chat in chats:
        handle.write(chat_start.render({"chat": chat, "count": counts[scope.id]}))
        hidden = selectors.hidden_message_ids(requester, scope)
        for chunk in selectors.visible_message_chunks(requester, scope):
            rows = [records.message(message, scope, hidden) for message in chunk]
            handle.write(messages_template.render({"messages": rows, "me": requester.pk}))
            meter.step(len(chunk))
        handle.write("</ol></section>\n")
    handle.write("</main></body></html>\n")
