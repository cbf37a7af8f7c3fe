"""What an export may contain: exactly what the requester can see, decided in one place.

Chats follow the chat's own rules (chats.selectors): only chats the requester belongs to now
(a removed member, like a stranger, gets nothing), never what they deleted "for me" or before
"delete chat for me" (`cleared_seq`), tombstones without content. On top of that an export
starts at the requester's join point: someone added to a group later gets no message from
before they were added (the latest `member.added` change naming them). Posts, comments and
friends follow the social visibility rules (blocks hide both people from each other).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.selectors import avatars_of, blocked_user_ids
from chats.models import Attachment, Chat, Membership, Message, MessageHide, Reaction
from chats.selectors import chat_get_for_user, members_of, visible_messages
from exports.models import DataExport
from social.models import Comment, Post, PostPhoto, Reply, Topic
from social.selectors import friends_of

if TYPE_CHECKING:
    from accounts.models import Avatar, User

EXPORTS_LISTED = 20


# -- the export rows ---------------------------------------------------------------------------
def exports_of(user: User, *, limit: int = EXPORTS_LISTED) -> list[DataExport]:
    """The user's exports, newest first (the "My data" page)."""
    return list(DataExport.objects.filter(requester=user).select_related("chat")[:limit])


def exports_page(user: User, *, limit: int, after_id: int | None = None) -> list[DataExport]:
    """The user's exports, newest first, `limit` of them after export `after_id` (the API)."""
    rows = DataExport.objects.filter(requester=user).order_by("-id")
    if after_id is not None:
        rows = rows.filter(pk__lt=after_id)
    return list(rows[:limit])


def export_get_for_user(user: User, export_id: int) -> DataExport:
    """One of the user's own exports; Http404 for anyone else's and for a missing one."""
    if not user.is_authenticated:
        raise Http404
    export = DataExport.objects.filter(pk=export_id, requester=user).first()
    if export is None:
        raise Http404
    return export


def has_active_export(user: User) -> bool:
    """True while one of the user's exports is queued or being built (the rate limit)."""
    return DataExport.objects.filter(requester=user, state__in=DataExport.ACTIVE_STATES).exists()


# -- chats -------------------------------------------------------------------------------------
@dataclass
class ChatScope:
    """One chat as the requester sees it: messages after `floor`, minus those hidden for them."""

    chat: Chat
    membership: Membership
    floor: int
    title: str

    @property
    def id(self) -> int:
        return self.chat.pk


def _scope(user: User, membership: Membership) -> ChatScope:
    chat = membership.chat
    if chat.is_group:
        title = chat.title
    else:
        partner = (
            Membership.objects.filter(chat=chat).exclude(user=user).select_related("user").first()
        )
        title = partner.user.display_name if partner else str(chat)
    return ChatScope(
        chat=chat,
        membership=membership,
        # Covers what came before they joined too (chats.services.chat_members_add).
        floor=membership.cleared_seq,
        title=title,
    )


def chat_scope_for(user: User, chat_id: int) -> ChatScope:
    """The chat `chat_id` as `user` sees it; Http404 unless `user` is a member now."""
    chat = chat_get_for_user(user, chat_id)
    return _scope(user, chat.membership)


def chat_scopes_for(user: User) -> list[ChatScope]:
    """Every chat the user belongs to now (hidden ones too), oldest first."""
    memberships = Membership.objects.filter(user=user).select_related("chat").order_by("chat_id")
    return [_scope(user, m) for m in memberships]


def _visible(user: User, scope: ChatScope) -> QuerySet[Message]:
    # The chats app's rule: above the requester's history floor, not deleted for them.
    return visible_messages(scope.membership).filter(system__isnull=True)  # no system lines


def visible_message_count(user: User, scope: ChatScope) -> int:
    return _visible(user, scope).count()


def visible_message_chunks(
    user: User, scope: ChatScope, *, chunk: int = 500
) -> Iterator[list[Message]]:
    """The chat's messages the user may see, oldest first, `chunk` at a time (keyset pages on
    (chat, seq)), each message with `export_attachments` and `export_reactions`: three queries
    per chunk, however long the chat."""
    messages = _visible(user, scope).select_related(
        "sender", "reply_to", "reply_to__sender", "sticker"
    )
    after = scope.floor
    while True:
        rows = list(messages.filter(seq__gt=after).order_by("seq")[:chunk])
        if not rows:
            return
        ids = [m.pk for m in rows]
        files: dict[int, list[Attachment]] = {}
        for attachment in Attachment.objects.filter(message_id__in=ids).order_by("id"):
            files.setdefault(attachment.message_id, []).append(attachment)
        reactions: dict[int, list[Reaction]] = {}
        for reaction in (
            Reaction.objects.filter(message_id__in=ids).select_related("user").order_by("id")
        ):
            reactions.setdefault(reaction.message_id, []).append(reaction)
        for message in rows:
            message.export_attachments = files.get(message.pk, [])
            message.export_reactions = reactions.get(message.pk, [])
        yield rows
        after = rows[-1].seq


def hidden_message_ids(user: User, scope: ChatScope) -> set[int]:
    """Ids of this chat's messages the user deleted for themselves (replies must not quote them)."""
    return set(
        MessageHide.objects.filter(user=user, message__chat=scope.chat).values_list(
            "message_id", flat=True
        )
    )


def visible_attachments(user: User, scope: ChatScope) -> QuerySet[Attachment]:
    """Files of the messages the user may see (a message deleted for everyone has none)."""
    return Attachment.objects.filter(
        message__in=_visible(user, scope).filter(deleted_at__isnull=True)
    ).order_by("id")


def chat_members(scope: ChatScope) -> list[Membership]:
    """The chat's current members, as its member list shows them."""
    return members_of(scope.chat)


# -- the account -------------------------------------------------------------------------------
def own_avatars(user: User) -> list[Avatar]:
    return avatars_of(user)


def own_posts(user: User) -> QuerySet[Post]:
    """The user's posts, oldest first, with photos and the comments the user may see."""
    blocked = blocked_user_ids(user)
    return (
        Post.objects.filter(author=user)
        .prefetch_related(
            Prefetch("photos", queryset=PostPhoto.objects.order_by("position", "id")),
            Prefetch(
                "comments",
                queryset=Comment.objects.exclude(author_id__in=blocked)
                .select_related("author")
                .order_by("created_at", "id"),
            ),
        )
        .order_by("created_at", "id")
    )


def own_comments(user: User) -> QuerySet[Comment]:
    """The user's comments under other people's posts that the user can still see."""
    return (
        Comment.objects.filter(author=user, post__in=Post.objects.visible_to(user))
        .exclude(post__author=user)
        .select_related("post", "post__author")
        .order_by("created_at", "id")
    )


def own_topics(user: User) -> QuerySet[Topic]:
    return Topic.objects.filter(author=user).prefetch_related("photos").order_by("created_at")


def own_replies(user: User) -> QuerySet[Reply]:
    """The user's replies on the board, under topics by people the user may see."""
    return (
        Reply.objects.filter(author=user, topic__author__is_active=True)
        .exclude(topic__author_id__in=blocked_user_ids(user))
        .select_related("topic")
        .prefetch_related("photos")
        .order_by("created_at", "id")
    )


def own_friends(user: User) -> QuerySet:
    return friends_of(user)
