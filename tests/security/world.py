"""The people and objects the authorization matrix runs against, and a snapshot of every row.

Everything is seen from the "owner" (Olga): she owns the group, the post, the topic and an
avatar. The other actors stand in one relation each to her and her objects:

- anonymous: not logged in
- stranger:  no relation, except a friend request from Olga waiting for an answer; owns the
             *foreign* objects used for swapped ids
- blocked:   Olga blocked them (they had a dialog before the block)
- friend:    Olga's friend outside the group (dialog partner, comment and reply author)
- member:    plain member of the group (wrote the group's message and its attachment)
- removed:   was a member, removed by Olga
- late:      Olga's friend added to the group after its message, file, edit and reaction
             existed (the "member who joined later"): below their history floor they are an
             outsider; they own a message and a file sent after joining (`late_message`,
             `late_attachment`)
- admin:     admin of the group
- owner:     Olga

Every text the matrix could leak carries a marker from SECRETS, so a response or a frame that
reaches someone who may not read it is caught by a plain substring check.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import avatar_upload, block_create
from chats import services as chat_services
from chats.models import Sticker, StickerPack
from exports.models import DataExport
from exports.services import export_build, export_request
from notifications.models import Notification
from social.models import Audience
from social.services import (
    comment_create,
    friend_request_send,
    post_create,
    reply_create,
    topic_create,
)
from tests.factories import DialogFactory, GroupFactory, UserFactory, befriend, photo_upload

ACTORS = (
    "anonymous",
    "stranger",
    "blocked",
    "friend",
    "member",
    "removed",
    "late",
    "admin",
    "owner",
)
USERS = ACTORS[1:]

# What each object's text contains; a denied actor must never receive it.
SECRETS = {
    "message": "s3cret-group-message",
    "dialog": "s3cret-dialog-message",
    "post": "s3cret-friends-post",
    "comment": "s3cret-comment",
    "title": "s3cret-group-title",
}

# Fields that change on every request or login and say nothing about authorization.
VOLATILE_FIELDS = {"last_login", "last_seen"}
SNAPSHOT_APPS = ("accounts", "social", "chats", "notifications", "exports", "moderation")


@dataclass
class World:
    users: dict[str, object]
    ids: dict[str, object]
    foreign: dict[str, object] = field(default_factory=dict)

    def user(self, actor: str):
        return self.users.get(actor)


def _send(sender, chat, text, **kwargs):
    message, _created = chat_services.message_send(
        sender=sender, chat=chat, text=text, client_id=uuid.uuid4(), **kwargs
    )
    return message


def _image_attachment(uploader, chat, name="photo.png"):
    return chat_services.attachment_create(
        uploader=uploader, chat=chat, upload=photo_upload(name, fmt="PNG")
    )


def build_world() -> World:
    """Create the actors and their objects (about 60 rows; ~0.2 s on SQLite)."""
    names = USERS
    users = {name: UserFactory(username=f"{name}-{uuid.uuid4().hex[:6]}") for name in names}
    owner, admin, member, friend = (users[n] for n in ("owner", "admin", "member", "friend"))
    removed, blocked, stranger = users["removed"], users["blocked"], users["stranger"]
    late = users["late"]
    befriend(owner, admin, member, friend, removed, blocked, late)

    group = GroupFactory(
        created_by=owner, members=[member, removed], admins=[admin], title=SECRETS["title"]
    )
    chat_services.group_avatar_set(actor=owner, chat=group, upload=photo_upload())
    attachment = _image_attachment(member, group)
    message = _send(member, group, SECRETS["message"], attachment_ids=[attachment.pk])
    chat_services.message_edit(editor=member, message_id=message.pk, text=SECRETS["message"] + "!")
    chat_services.reaction_add(user=owner, message_id=message.pk, emoji="❤️")
    chat_services.chat_member_remove(actor=owner, chat=group, user=removed)
    chat_services.chat_members_add(actor=owner, chat=group, users=[late])
    late_attachment = _image_attachment(late, group, "late.png")
    late_message = _send(late, group, "after joining", attachment_ids=[late_attachment.pk])
    chat_services.message_edit(editor=late, message_id=late_message.pk, text="after joining!")
    chat_services.reaction_add(user=late, message_id=late_message.pk, emoji="❤️")

    dialog = DialogFactory(user=owner, other=friend)
    dialog_message = _send(owner, dialog, SECRETS["dialog"])
    blocked_dialog = DialogFactory(user=owner, other=blocked)
    _send(blocked, blocked_dialog, "before the block")
    block_create(blocker=owner, blocked=blocked)

    friend_request_send(from_user=owner, to_user=stranger)  # pending: the stranger may answer
    post = post_create(
        author=owner, text=SECRETS["post"], audience=Audience.FRIENDS, photos=[photo_upload()]
    )
    comment = comment_create(
        author=friend, post_id=post.pk, text=SECRETS["comment"], photo=photo_upload("c.jpg")
    )
    topic = topic_create(author=owner, title="Board topic", body="Topic body", photos=[])
    reply = reply_create(author=friend, topic_id=topic.pk, text="A reply")
    avatar = avatar_upload(user=owner, uploaded_file=photo_upload(), crop=None)
    pack = StickerPack.objects.create(title="Pack", slug=f"pack-{uuid.uuid4().hex[:6]}")
    sticker = Sticker.objects.create(
        pack=pack, image=SimpleUploadedFile("s.webp", photo_upload(fmt="WEBP").read())
    )

    # The stranger's own objects: right kind, wrong parent (ids swapped across chats/posts).
    other_group = GroupFactory(created_by=stranger, title="Stranger's group")
    other_attachment = _image_attachment(stranger, other_group, "other.png")
    other_message = _send(stranger, other_group, "stranger's message")
    other_post = post_create(
        author=stranger, text="public", audience=Audience.EVERYONE, photos=[photo_upload()]
    )
    other_comment = comment_create(author=stranger, post_id=other_post.pk, text="theirs")
    other_topic = topic_create(author=stranger, title="Other topic", body="Body", photos=[])
    other_reply = reply_create(author=stranger, topic_id=other_topic.pk, text="theirs")

    # The friend's comment told the owner; the owner's friend request told the stranger.
    notification = Notification.objects.filter(recipient=owner).order_by("pk").first()
    other_notification = Notification.objects.filter(recipient=stranger).order_by("pk").first()
    export = _export_built(export_request(requester=owner).pk)
    other_export = _export_built(export_request(requester=stranger).pk)

    ids = {
        "chat": group.pk,
        "dialog": dialog.pk,
        "blocked_dialog": blocked_dialog.pk,
        "message": message.pk,
        "dialog_message": dialog_message.pk,
        "attachment": attachment.pk,
        "late_message": late_message.pk,
        "late_attachment": late_attachment.pk,
        "post": post.pk,
        "post_photo": post.photos.get().pk,
        "comment": comment.pk,
        "topic": topic.pk,
        "reply": reply.pk,
        "avatar": avatar.pk,
        "sticker": sticker.pk,
        "owner": owner.username,
        "friend": friend.username,
        "member": member.username,
        "member_id": member.pk,
        "blocked": blocked.username,
        "stranger": stranger.username,
        "notification": notification.pk,
        "export": export.pk,
    }
    foreign = {
        "notification": other_notification.pk,
        "export": other_export.pk,
        "chat": other_group.pk,
        "dialog": blocked_dialog.pk,  # the owner is in it, but blocked the other person
        "message": other_message.pk,
        "attachment": other_attachment.pk,
        "comment": other_comment.pk,
        "reply": other_reply.pk,
        "member": stranger.username,
        "member_id": stranger.pk,
        "post": other_post.pk,
        "post_photo": other_post.photos.get().pk,
        "topic": other_topic.pk,
    }
    return World(users=users, ids=ids, foreign=foreign)


def snapshot() -> dict[str, list]:
    """Every row of the product's apps (minus fields that change on any request)."""
    state = {}
    for app in SNAPSHOT_APPS:
        for model in apps.get_app_config(app).get_models():
            rows = []
            for row in model.objects.order_by("pk").values():
                rows.append(
                    tuple(sorted((k, str(v)) for k, v in row.items() if k not in VOLATILE_FIELDS))
                )
            state[model._meta.label] = rows
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


def _export_built(export_id: int):
    """The export, finished: its request's build task may already have run when the request
    committed (the socket tests), and building again then does nothing."""
    export_build(export_id=export_id)
    return DataExport.objects.get(pk=export_id)
