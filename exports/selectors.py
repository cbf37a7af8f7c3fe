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

from django.http import Http404

from accounts.selectors import avatars_of
from chats import selectors as chats
from exports.models import DataExport
from social import selectors as social

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import Avatar, User
    from chats.models import Attachment, Chat, Membership
    from chats.selectors import ExportMessage
    from social.models import Comment, Post, Reply, Topic

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
        partner = chats.dialog_partner(chat, user)
        title = partner.display_name if partner else str(chat)
    return ChatScope(
        chat=chat,
        membership=membership,
        # Covers what came before they joined too (chats.services.chat_members_add).
        floor=membership.cleared_seq,
        title=title,
    )


def chat_scope_for(user: User, chat_id: int) -> ChatScope:
    """The chat `chat_id` as `user` sees it; Http404 unless `user` is a member now."""
    chat = chats.chat_get_for_user(user, chat_id)
    return _scope(user, chat.membership)


def chat_scopes_for(user: User) -> list[ChatScope]:
    """Every chat the user belongs to now (hidden ones too), oldest first."""
    return [_scope(user, m) for m in chats.memberships_of(user)]


def visible_message_count(user: User, scope: ChatScope) -> int:
    # The chats app's rule: above the requester's history floor, not deleted for them.
    # System lines stay out of archives (chats.selectors.visible_message_chunks).
    return chats.visible_messages(scope.membership).filter(system__isnull=True).count()


def visible_message_chunks(
    user: User, scope: ChatScope, *, chunk: int = 500
) -> Iterator[list[ExportMessage]]:
    """The chat's messages the user may see, oldest first, `chunk` at a time, each with
    `export_attachments` and `export_reactions` (chats.selectors.visible_message_chunks)."""
    return chats.visible_message_chunks(scope.membership, chunk=chunk)


def hidden_message_ids(user: User, scope: ChatScope) -> set[int]:
    """Ids of this chat's messages the user deleted for themselves (replies must not quote them)."""
    return chats.hidden_message_ids(user, scope.chat.pk)


def visible_attachments(user: User, scope: ChatScope) -> QuerySet[Attachment]:
    """Files of the messages the user may see (a message deleted for everyone has none)."""
    return chats.visible_attachments(scope.membership)


def chat_members(scope: ChatScope) -> list[Membership]:
    """The chat's current members, as its member list shows them."""
    return chats.members_of(scope.chat)


# -- the account -------------------------------------------------------------------------------
def own_avatars(user: User) -> list[Avatar]:
    return avatars_of(user)


def own_posts(user: User) -> QuerySet[Post]:
    """The user's posts, oldest first, with photos and the comments the user may see."""
    return social.posts_by(user)


def own_comments(user: User) -> QuerySet[Comment]:
    """The user's comments under other people's posts that the user can still see."""
    return social.comments_by(user)


def own_topics(user: User) -> QuerySet[Topic]:
    return social.topics_by(user)


def own_replies(user: User) -> QuerySet[Reply]:
    """The user's replies on the board, under topics by people the user may see."""
    return social.replies_by(user)


def own_friends(user: User) -> QuerySet[User]:
    return social.friends_of(user)
