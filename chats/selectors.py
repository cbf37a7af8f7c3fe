"""Every read about chats that a page, the API or the socket uses.

Access helpers raise Http404 both for what does not exist and for what the user may not see.
The selectors own select_related/prefetch_related, so query counts are decided here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import Block
from accounts.models import User as UserModel
from accounts.selectors import blocked_user_ids, is_blocked_between, online_user_ids
from chats import events
from chats.models import (
    Attachment,
    AuditLog,
    Chat,
    ChatEvent,
    Membership,
    Message,
    MessageEdit,
    MessageHide,
    Reaction,
    Sticker,
    StickerPack,
)
from social.models import Friendship

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from accounts.models import User

    class _RowData(TypedDict):
        unread: int

    # A membership as the chat list loads it (`_with_row_data`).
    MembershipRow = WithAnnotations[Membership, _RowData]

    class _ExportData(TypedDict):
        export_attachments: list[Attachment]
        export_reactions: list[Reaction]

    # A message as `visible_message_chunks` hands it out, with its files and reactions.
    ExportMessage = WithAnnotations[Message, _ExportData]

HISTORY_PAGE = 50
HISTORY_PAGE_MAX = 100
SYNC_EVENTS_PER_CHAT = 200
SYNC_CHATS_MAX = 100
MESSAGE_FRAMES = frozenset(
    {"message.new", "message.updated", "message.deleted", "reaction.updated"}
)


# -- access -----------------------------------------------------------------------------------
def dialog_key_of(user_a_id: int, user_b_id: int) -> str:
    """`Chat.dialog_key` of the dialog between two people."""
    low, high = sorted((user_a_id, user_b_id))
    return f"{low}:{high}"


def blocked_dialog_keys(user: User | AnonymousUser) -> list[str]:
    """Dialog keys of `user`'s dialogs with people they blocked or were blocked by.

    The block rule for dialogs: while either blocks the other, their dialog does not exist for
    either of them (no list row, no history, no unread count, no frame, no file); lifting the
    block brings it back as it was. Groups are not affected (docs/security.md)."""
    if not user.is_authenticated:
        return []
    return [dialog_key_of(user.pk, other) for other in blocked_user_ids(user)]


def dialog_is_blocked(chat: Chat) -> bool:
    """True if `chat` is a dialog whose two people are under a block (either way)."""
    if chat.is_group or not chat.dialog_key:
        return False
    first, second = (int(part) for part in chat.dialog_key.split(":"))
    return is_blocked_between(first, second)


def _dialog_under_block(user: User) -> Exists:
    """For a membership row of `user` (the outer query): a block stands between `user` and
    another member of its chat; `blocked_dialog_keys` in SQL, so a list costs no extra query."""
    return Exists(
        Block.objects.filter(
            Q(blocker_id=user.pk, blocked__chat_memberships__chat_id=OuterRef("chat_id"))
            | Q(blocked_id=user.pk, blocker__chat_memberships__chat_id=OuterRef("chat_id"))
        )
    )


def membership_get(user: User | AnonymousUser, chat_id: int) -> Membership:
    """The user's membership of chat `chat_id` (with the chat); Http404 if none, anonymous,
    or a dialog with someone either of them blocked."""
    if not user.is_authenticated:
        raise Http404
    try:
        membership = Membership.objects.select_related("chat").get(chat_id=chat_id, user=user)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if dialog_is_blocked(membership.chat):
        raise Http404
    return membership


def chat_get_for_user(user: User, chat_id: int) -> Chat:
    """The chat if `user` is a member (its `membership` attribute set); Http404 otherwise."""
    membership = membership_get(user, chat_id)
    chat = membership.chat
    chat.membership = membership
    return chat


def member_ids(chat_id: int) -> list[int]:
    """Ids of the chat's current members (the recipients of its events)."""
    return list(Membership.objects.filter(chat_id=chat_id).values_list("user_id", flat=True))


def is_member(*, chat_id: int | OuterRef, user_id: int | OuterRef) -> Exists:
    """A query expression, true where `user_id` belongs to chat `chat_id` (either may be an
    `OuterRef`): for the querysets of apps above chats, which read no chat table themselves."""
    return Exists(Membership.objects.filter(chat_id=chat_id, user_id=user_id))


def unmuted_member_ids(
    chat_id: int, *, user_ids: Iterable[int] | None = None, usernames: Iterable[str] = ()
) -> set[int]:
    """Ids of the chat's members who did not mute it: all of them, or (given `user_ids` or
    `usernames`) those among the given ids and the active people with the given usernames."""
    rows = Membership.objects.filter(chat_id=chat_id, muted=False)
    names = list(usernames)
    if user_ids is not None or names:
        wanted = Q(user_id__in=list(user_ids or ()))
        if names:
            wanted |= Q(user__username__in=names, user__is_active=True)
        rows = rows.filter(wanted)
    return set(rows.values_list("user_id", flat=True))


def message_audience(message: Message) -> dict[int, int]:
    """`{user id: history floor}` of the members who may see `message` (the recipients of
    events about it): its seq lies above their floor and they did not delete it for
    themselves. A member who joined later hears nothing about what came before."""
    hidden = MessageHide.objects.filter(message_id=message.pk, user_id=OuterRef("user_id"))
    return dict(
        Membership.objects.filter(chat_id=message.chat_id, cleared_seq__lt=message.seq)
        .exclude(Exists(hidden))
        .values_list("user_id", "cleared_seq")
    )


def _message_queryset() -> QuerySet[Message]:
    """Messages with everything `events.message_payload` reads, in a fixed number of queries."""
    return Message.objects.select_related(
        "sender", "reply_to", "reply_to__sender", "sticker"
    ).prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id")),
        Prefetch("reply_to__attachments", queryset=Attachment.objects.only("id", "message_id")),
        Prefetch("reactions", queryset=Reaction.objects.select_related("user").order_by("id")),
    )


def message_for_payload(message_id: int) -> Message:
    """One message loaded for serialising (after a write, inside the service)."""
    return _message_queryset().get(pk=message_id)


def message_get_for_user(
    user: User, message_id: int, *, deleted: bool = False, hidden: bool = False
) -> Message:
    """A message `user` may see, with its chat and sender; Http404 otherwise.

    The one access rule for a message: `user` is a member of its chat, the message lies above
    their history floor (`Membership.cleared_seq`: what came before they joined, or before
    they deleted the chat for themselves), it is not deleted for everyone (unless `deleted`)
    and not deleted for them (unless `hidden`). The member's floor is `message.floor`."""
    if not user.is_authenticated or not isinstance(message_id, int) or isinstance(message_id, bool):
        raise Http404
    rows = (
        Message.objects.select_related("chat", "sender")
        # One filter(): the membership and its floor are the same joined row.
        .filter(
            pk=message_id,
            chat__memberships__user=user,
            seq__gt=F("chat__memberships__cleared_seq"),
        )
        .annotate(floor=F("chat__memberships__cleared_seq"))
    )
    blocked = blocked_dialog_keys(user)
    if blocked:
        rows = rows.exclude(chat__dialog_key__in=blocked)
    if not deleted:
        rows = rows.filter(deleted_at__isnull=True)
    if not hidden:
        rows = rows.exclude(
            Exists(MessageHide.objects.filter(user=user, message_id=OuterRef("pk")))
        )
    message = rows.first()
    if message is None:
        raise Http404
    return message


def message_in_chat(user: User, chat_id: int, message_id: int, **rules: bool) -> Message:
    """`message_get_for_user` for a message of chat `chat_id`; Http404 also for a message of
    another chat of the user (ids never cross chats)."""
    message = message_get_for_user(user, message_id, **rules)
    if message.chat_id != chat_id:
        raise Http404
    return message


def attachment_get_for_user(user: User, attachment_id: int) -> Attachment:
    """An attachment `user` may download; Http404 otherwise.

    The one access rule for a file: a file sent with a message follows its message's rule
    (`message_get_for_user`: member, above their history floor, not deleted for everyone or
    for them); a file not sent yet is its uploader's alone, while they are a member. A removed
    member gets 404 like a stranger."""
    if not user.is_authenticated or not isinstance(attachment_id, int):
        raise Http404
    hidden = MessageHide.objects.filter(user=user, message_id=OuterRef("message_id"))
    attachment = (
        Attachment.objects.exclude(chat__dialog_key__in=blocked_dialog_keys(user))
        .filter(
            # One filter(): the membership and its floor are the same joined row.
            Q(
                message__isnull=False,
                message__deleted_at__isnull=True,
                message__seq__gt=F("chat__memberships__cleared_seq"),
            )
            & ~Exists(hidden)
            | Q(message__isnull=True, uploader=user),
            pk=attachment_id,
            chat__memberships__user=user,
        )
        .select_related("message")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


# -- the chat list ----------------------------------------------------------------------------
@dataclass
class ChatRow:
    """One line of /chats/: the chat as this user sees it."""

    chat: Chat
    membership: Membership
    title: str
    avatar_person: User | None  # the other person of a dialog
    avatar_url: str | None
    unread: int
    online: bool
    preview: Message | None
    # The kind of the preview's first file ("voice", "circle", ...) when it has no text.
    preview_file_kind: str | None = None

    @property
    def id(self) -> int:
        return self.chat.pk


def _hidden_for(user: User) -> Exists:
    """The message (the outer query's row) was deleted by `user` for themselves."""
    return Exists(MessageHide.objects.filter(user_id=user.pk, message_id=OuterRef("pk")))


def _unread_subquery(user: User) -> Coalesce:
    unread = (
        Message.objects.filter(
            chat_id=OuterRef("chat_id"),
            seq__gt=OuterRef("last_read_seq"),
            deleted_at__isnull=True,
            system__isnull=True,
        )
        .exclude(sender_id=user.pk)
        .exclude(_hidden_for(user))
        .order_by()
        .values("chat_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread), 0)


def chat_list_for(
    user: User, *, q: str = "", limit: int | None = None, after_id: int | None = None
) -> list[ChatRow]:
    """The user's chats by last activity, with title, preview, unread count and presence.

    A dialog nobody wrote in yet is listed only for the person who opened it. With `limit`,
    one page that continues after chat `after_id` of the previous page (the API's cursor). A
    constant number of queries whatever the number of chats."""
    memberships = (
        Membership.objects.filter(user=user, hidden=False)
        .filter(
            ~Q(chat__kind=Chat.Kind.DIALOG, chat__last_message__isnull=True)
            | Q(chat__created_by=user)
        )
        .exclude(_dialog_under_block(user), chat__kind=Chat.Kind.DIALOG)
        .order_by("-chat__last_activity_at", "-chat_id")
    )
    if after_id is not None:
        anchor = (
            Membership.objects.filter(user=user, chat_id=after_id)
            .values_list("chat__last_activity_at", flat=True)
            .first()
        )
        if anchor is None:
            return []
        memberships = memberships.filter(
            Q(chat__last_activity_at__lt=anchor)
            | Q(chat__last_activity_at=anchor, chat_id__lt=after_id)
        )
    memberships = _with_row_data(user, memberships)
    if limit is not None:
        memberships = memberships[:limit]
    return _chat_rows(user, list(memberships), q=q)


def chat_row_for(user: User, chat_id: int) -> ChatRow:
    """One chat of the user as the chat list shows it (also a hidden one); Http404 if the user
    is not a member."""
    membership = membership_get(user, chat_id)
    rows = _chat_rows(user, list(_with_row_data(user, Membership.objects.filter(pk=membership.pk))))
    return rows[0]


def _with_row_data(user: User, memberships: QuerySet[Membership]) -> QuerySet[MembershipRow]:
    return memberships.select_related(
        "chat", "chat__last_message", "chat__last_message__sender"
    ).annotate(unread=_unread_subquery(user))


def _chat_rows(user: User, memberships: list[MembershipRow], *, q: str = "") -> list[ChatRow]:
    dialog_ids = [m.chat_id for m in memberships if not m.chat.is_group]
    others = {
        m.chat_id: m.user
        for m in Membership.objects.filter(chat_id__in=dialog_ids)
        .exclude(user=user)
        .select_related("user")
    }
    online = online_user_ids([u.pk for u in others.values()]) if others else set()
    textless = [
        m.chat.last_message.pk
        for m in memberships
        if m.chat.last_message is not None and not m.chat.last_message.text
    ]
    file_kinds: dict[int, str] = {}
    if textless:
        for message_id, kind in (
            Attachment.objects.filter(message_id__in=textless)
            .order_by("-id")
            .values_list("message_id", "kind")
        ):
            file_kinds[message_id] = kind  # ascending ids win: the first file's kind
    rows = []
    needle = q.strip().casefold()
    for membership in memberships:
        chat = membership.chat
        person = others.get(chat.pk)
        if chat.is_group:
            title, avatar_url = chat.title, events.chat_avatar_url(chat)
        else:
            title = person.display_name if person else str(chat)
            avatar_url = person.avatar_url if person else None
        if (
            needle
            and needle not in title.casefold()
            and (person is None or needle not in person.username.casefold())
        ):
            continue
        last = chat.last_message
        preview = last if last is not None and last.seq > membership.cleared_seq else None
        rows.append(
            ChatRow(
                chat=chat,
                membership=membership,
                title=title,
                avatar_person=person,
                avatar_url=avatar_url,
                unread=membership.unread,
                online=person is not None and person.pk in online,
                preview=preview,
                preview_file_kind=file_kinds.get(preview.pk) if preview is not None else None,
            )
        )
    return rows


def unread_total(user: User | AnonymousUser) -> int:
    """Unread messages in all the user's visible chats that are not muted (the navigation badge)."""
    if not user.is_authenticated:
        return 0
    return (
        Message.objects.filter(
            chat__memberships__user=user,
            chat__memberships__hidden=False,
            chat__memberships__muted=False,
            seq__gt=F("chat__memberships__last_read_seq"),
            deleted_at__isnull=True,
            system__isnull=True,
        )
        .exclude(sender_id=user.pk)
        .exclude(_hidden_for(user))
        .exclude(chat__dialog_key__in=blocked_dialog_keys(user))
        .count()
    )


# -- one chat ---------------------------------------------------------------------------------
def visible_messages(
    membership: Membership, *, queryset: QuerySet[Message] | None = None
) -> QuerySet[Message]:
    """The messages of the membership's chat its member may see: above their history floor,
    not deleted for them (those deleted for everyone stay, as tombstones), none of a dialog
    under a block. The rule for lists of messages (history, exports), as
    `message_get_for_user` is for one."""
    hidden = MessageHide.objects.filter(user_id=membership.user_id, message_id=OuterRef("pk"))
    rows = Message.objects.all() if queryset is None else queryset
    if dialog_is_blocked(membership.chat):
        return rows.none()
    return rows.filter(chat_id=membership.chat_id, seq__gt=membership.cleared_seq).exclude(
        Exists(hidden)
    )


def history_page(
    user: User, chat: Chat, *, before: int | None = None, limit: int = HISTORY_PAGE
) -> list[Message]:
    """Up to `limit` messages before seq `before` (newest page when None), oldest first.

    Walks the (chat, seq) index backwards, so a chat of a million messages opens as fast as
    one of a thousand."""
    limit = max(1, min(limit, HISTORY_PAGE_MAX))
    page = list(history_queryset(user, chat, before=before, limit=limit))
    page.reverse()
    return page


def history_queryset(
    user: User,
    chat: Chat,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = HISTORY_PAGE,
) -> QuerySet[Message]:
    """The query behind `history_page` and `history_window`: newest first, or oldest first
    when walking forward from `after` (tests read its plan)."""
    membership = getattr(chat, "membership", None) or membership_get(user, chat.pk)
    limit = max(1, min(limit, HISTORY_PAGE_MAX + 1))
    qs = visible_messages(membership, queryset=_message_queryset())
    if before is not None:
        qs = qs.filter(seq__lt=before)
    if after is not None:
        return qs.filter(seq__gt=after).order_by("seq")[:limit]
    return qs.order_by("-seq")[:limit]


def history_window(
    user: User,
    chat: Chat,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = HISTORY_PAGE,
) -> tuple[list[Message], bool]:
    """Up to `limit` messages oldest first, and whether more lie beyond them in the direction
    walked: older than `before` (or the newest page when neither is given), or newer than
    `after`. Both bounds together give the messages between them."""
    limit = max(1, min(limit, HISTORY_PAGE_MAX))
    rows = list(history_queryset(user, chat, before=before, after=after, limit=limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    if after is None:
        rows.reverse()
    return rows, more


def read_state(chat: Chat) -> dict[str, int]:
    """`{user id: last_read_seq}` of every member (ticks in dialogs, "read by N" in groups)."""
    return {
        str(user_id): seq
        for user_id, seq in Membership.objects.filter(chat=chat).values_list(
            "user_id", "last_read_seq"
        )
    }


def members_of(chat: Chat) -> list[Membership]:
    """Members with their users, owner first, then admins, then by joining time."""
    order: dict[str, int] = {
        Membership.Role.OWNER: 0,
        Membership.Role.ADMIN: 1,
        Membership.Role.MEMBER: 2,
    }
    rows = list(Membership.objects.filter(chat=chat).select_related("user").order_by("joined_at"))
    rows.sort(key=lambda m: order[m.role])
    return rows


def members_page(chat: Chat, *, limit: int, after_id: int | None = None) -> list[Membership]:
    """Members with their users in joining order, `limit` after membership `after_id`."""
    rows = Membership.objects.filter(chat=chat).select_related("user").order_by("pk")
    if after_id is not None:
        rows = rows.filter(pk__gt=after_id)
    return list(rows[:limit])


def member_get(
    chat: Chat, *, user_id: int | None = None, username: str | None = None
) -> Membership:
    """The membership (with its user) of one member of `chat`, by user id or username;
    Http404 if that person is not a member."""
    rows = Membership.objects.filter(chat=chat).select_related("user")
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    else:
        rows = rows.filter(user__username=username)
    found = rows.first()
    if found is None:
        raise Http404
    return found


def dialog_partner(chat: Chat, user: User) -> User | None:
    """The other person of a dialog."""
    other = Membership.objects.filter(chat=chat).exclude(user=user).select_related("user").first()
    return other.user if other else None


def dialog_blocked(chat: Chat, user: User) -> bool:
    """True if nobody may write in this dialog: `user` and the other person blocked one
    another, or the other person's account is deleted or deactivated (the send path's rule,
    chats/statements.py and chats.services._kit._ensure_not_blocked)."""
    partner = dialog_partner(chat, user)
    return partner is not None and (
        not partner.is_active or is_blocked_between(user.pk, partner.pk)
    )


def message_edits(user: User, message_id: int) -> tuple[Message, list[MessageEdit]]:
    """A message `user` may see (`message_get_for_user`) and its earlier versions, oldest
    first; Http404 otherwise."""
    message = message_get_for_user(user, message_id)
    return message, list(message.edits.all())


def audit_log_for(
    user: User, chat: Chat, *, limit: int = 200, after_id: int | None = None
) -> list[AuditLog]:
    """The group's audit log, newest first, `limit` entries older than entry `after_id`;
    Http404 unless `user` is its owner or an admin."""
    membership = getattr(chat, "membership", None) or membership_get(user, chat.pk)
    if not chat.is_group or not membership.can_moderate:
        raise Http404
    rows = AuditLog.objects.filter(chat=chat).select_related("actor", "target_user")
    if after_id is not None:
        rows = rows.filter(pk__lt=after_id)
    return list(rows.order_by("-id")[:limit])


def addable_friends(user: User, chat: Chat | None = None) -> QuerySet[UserModel]:
    """Friends of `user` that can be put in a group (not blocked, not already members)."""

    qs = UserModel.objects.filter(
        is_active=True,
        pk__in=Friendship.objects.filter(user=user).values("friend_id"),
    ).exclude(pk__in=blocked_user_ids(user))
    if chat is not None:
        qs = qs.exclude(chat_memberships__chat=chat)
    return qs.order_by("first_name", "last_name", "username")


# -- sync -------------------------------------------------------------------------------------
def sync_for(user: User, wanted: dict[int, int]) -> dict[str, events.SyncChatResult]:
    """Every change after the given seq of each chat, in seq order, as live frames.

    A chat the user no longer belongs to answers `{"gone": true}`. At most
    SYNC_EVENTS_PER_CHAT changes per chat: `complete` is false when the client must ask again
    from the last seq it got."""
    result: dict[str, events.SyncChatResult] = {}
    memberships = {
        m.chat_id: m
        for m in Membership.objects.filter(user=user, chat_id__in=list(wanted))
        .exclude(chat__dialog_key__in=blocked_dialog_keys(user))
        .select_related("chat")
    }
    for chat_id, since in wanted.items():
        membership = memberships.get(chat_id)
        if membership is None:
            result[str(chat_id)] = {"gone": True}
            continue
        result[str(chat_id)] = _sync_chat(user, membership, max(since, 0))
    return result


def _sync_chat(user: User, membership: Membership, since: int) -> events.SyncChatResult:
    chat = membership.chat
    limit = SYNC_EVENTS_PER_CHAT
    floor = max(since, membership.cleared_seq)
    messages = list(
        _message_queryset().filter(chat=chat, seq__gt=floor).order_by("seq")[: limit + 1]
    )
    cleared = membership.cleared_seq
    # Changes about messages at or below the member's history floor are not theirs: left out
    # in the query, so a page is never made of skipped changes (and cut short by them).
    changes = list(
        ChatEvent.objects.filter(chat=chat, seq__gt=since)
        .exclude(message__seq__lte=cleared)
        .order_by("seq")[: limit + 1]
    )
    changed_ids = {c.message_id for c in changes if c.message_id}
    loaded = {m.pk: m for m in messages}
    missing = changed_ids - loaded.keys()
    if missing:
        loaded.update({m.pk: m for m in _message_queryset().filter(pk__in=missing)})
    hidden = set(
        MessageHide.objects.filter(
            user=user, message__chat=chat, message__seq__gt=floor
        ).values_list("message_id", flat=True)
    )
    items: list[tuple[int, events.ChangeFrame]] = [
        (m.seq, events.message_new(m, floor=cleared)) for m in messages
    ]
    for change in changes:
        message = loaded.get(change.message_id) if change.message_id else None
        items.append((change.seq, events.event_frame(change, message, chat, floor=cleared)))
    items.sort(key=lambda item: item[0])
    complete = len(items) <= limit
    items = items[:limit]
    frames = [
        frame
        for _seq, frame in items
        if not (frame["type"] in MESSAGE_FRAMES and _frame_message_id(frame) in hidden)
    ]
    last_seq = items[-1][0] if items else since
    return {
        "events": frames,
        "last_seq": max(chat.last_seq, last_seq) if complete else last_seq,
        "complete": complete,
        "read": read_state(chat),
    }


def _frame_message_id(frame: Mapping[str, Any]) -> int | None:
    message = frame.get("message")
    return message["id"] if isinstance(message, dict) else message


def sticker_packs() -> list[StickerPack]:
    """The offered packs with their stickers, in panel order (two queries)."""
    return list(
        StickerPack.objects.filter(is_active=True).prefetch_related(
            Prefetch("stickers", queryset=Sticker.objects.order_by("ordering", "id"))
        )
    )


def sticker_get_offered(sticker_id: int) -> Sticker | None:
    """A sticker of an offered pack, or None."""
    return Sticker.objects.filter(pk=sticker_id, pack__is_active=True).first()


def sticker_get(sticker_id: int) -> Sticker:
    """Any sticker with a picture (old messages keep showing stickers of retired packs)."""
    sticker = Sticker.objects.filter(pk=sticker_id).exclude(image="").first()
    if sticker is None:
        raise Http404
    return sticker


# -- for "My data" exports (exports.selectors asks here: it reads no chat table itself) ---------
def memberships_of(user: User) -> list[Membership]:
    """Every membership of `user` (hidden chats too) with its chat, oldest chat first."""
    return list(Membership.objects.filter(user=user).select_related("chat").order_by("chat_id"))


def visible_message_chunks(
    membership: Membership, *, chunk: int = 500
) -> Iterator[list[ExportMessage]]:
    """The messages of the membership's chat its member may see (`visible_messages`), oldest
    first, `chunk` at a time (keyset pages on (chat, seq)), each message with
    `export_attachments` and `export_reactions`: three queries per chunk, however long the chat."""
    # Archives hold what people wrote: a group's system lines stay out.
    messages = (
        visible_messages(membership)
        .filter(system__isnull=True)
        .select_related("sender", "reply_to", "reply_to__sender", "sticker")
    )
    after = membership.cleared_seq
    while True:
        # Typed as handed out: both attributes are set below, before the rows leave.
        rows = cast(
            "list[ExportMessage]", list(messages.filter(seq__gt=after).order_by("seq")[:chunk])
        )
        if not rows:
            return
        ids = [m.pk for m in rows]
        files: dict[int | None, list[Attachment]] = {}  # message_id is nullable, never None here
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


def hidden_message_ids(user: User, chat_id: int) -> set[int]:
    """Ids of the chat's messages `user` deleted for themselves (replies must not quote them)."""
    return set(
        MessageHide.objects.filter(user=user, message__chat_id=chat_id).values_list(
            "message_id", flat=True
        )
    )


def visible_attachments(membership: Membership) -> QuerySet[Attachment]:
    """Files of the messages the member may see (a message deleted for everyone has none)."""
    return Attachment.objects.filter(
        message__in=visible_messages(membership).filter(deleted_at__isnull=True)
    ).order_by("id")
