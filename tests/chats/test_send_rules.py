"""One table of send rules, run through both the SQL send path and the ORM checks.

`services.message_send` decides who may send and who hears of it with the hand-written
statements of chats/statements.py (`take_seq`, `roster`); every other write of a chat decides
the same things through the ORM (`_lock_chat`, `_membership`, `_ensure_not_blocked`, and
`selectors.message_audience` for the recipients). Each case below states the expected outcome
once and both paths must give it, so a rule added to one path and not the other fails here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from accounts.services import account_delete, block_create
from chats import selectors, services, statements
from chats.models import Chat, Message
from chats.services import _kit, messages
from tests.factories import DialogFactory, GroupFactory, UserFactory
from tests.factories.social import befriend

SENT, NOT_FOUND, BLOCKED, BAD_REPLY = "sent", "not found", "blocked", "bad reply"


@dataclass
class Scene:
    sender: object
    chat: Chat
    chat_id: int  # the chat the send names (a missing one for "no such chat")
    reply_to: int | None = None


@dataclass
class Case:
    name: str
    build: Callable[[], Scene]
    outcome: str
    # Who hears of a sent message, by role name: catches a path that drops or adds someone.
    recipients: tuple[str, ...] = ()


def send(sender, chat, text="hello", **kwargs) -> Message:
    message, _created = services.message_send(
        sender=sender, chat=chat, text=text, client_id=uuid.uuid4(), **kwargs
    )
    return message


CAST: dict[str, object] = {}  # the people of the scene being built, by role name


def _people(*names: str) -> list:
    found = [UserFactory(username=f"{name}-{uuid.uuid4().hex[:6]}") for name in names]
    befriend(*found)
    CAST.clear()
    CAST.update(zip(names, found, strict=True))
    return found


def group_member() -> Scene:
    owner, member, other = _people("owner", "member", "other")
    chat = GroupFactory(created_by=owner, members=[member, other])
    return Scene(member, chat, chat.pk)


def non_member() -> Scene:
    owner, member, outsider = _people("owner", "member", "outsider")
    chat = GroupFactory(created_by=owner, members=[member])
    return Scene(outsider, chat, chat.pk)


def left_member() -> Scene:
    owner, member, gone = _people("owner", "member", "gone")
    chat = GroupFactory(created_by=owner, members=[member, gone])
    services.chat_leave(user=gone, chat=chat)
    return Scene(gone, chat, chat.pk)


def removed_member() -> Scene:
    owner, member, gone = _people("owner", "member", "gone")
    chat = GroupFactory(created_by=owner, members=[member, gone])
    services.chat_member_remove(actor=owner, chat=chat, user=gone)
    return Scene(gone, chat, chat.pk)


def no_such_chat() -> Scene:
    owner, member = _people("owner", "member")
    chat = GroupFactory(created_by=owner, members=[member])
    return Scene(member, chat, chat.pk + 1000)


def dialog() -> Scene:
    me, partner = _people("me", "partner")
    return Scene(me, DialogFactory(user=me, other=partner), 0)


def dialog_sender_blocked_partner() -> Scene:
    scene = dialog()
    block_create(blocker=CAST["me"], blocked=CAST["partner"])
    return scene


def dialog_partner_blocked_sender() -> Scene:
    scene = dialog()
    block_create(blocker=CAST["partner"], blocked=CAST["me"])
    return scene


def dialog_blocks_elsewhere() -> Scene:
    """Blocks between the sender and a third person do not touch this dialog."""
    scene = dialog()
    stranger = UserFactory()
    block_create(blocker=CAST["me"], blocked=stranger)
    block_create(blocker=stranger, blocked=CAST["partner"])
    return scene


def group_with_blocked_member() -> Scene:
    """Blocks do not apply in groups: the blocked member still hears the message."""
    owner, member, blocked = _people("owner", "member", "blocked")
    chat = GroupFactory(created_by=owner, members=[member, blocked])
    block_create(blocker=member, blocked=blocked)
    block_create(blocker=blocked, blocked=member)
    return Scene(member, chat, chat.pk)


def dialog_with_deleted_partner() -> Scene:
    scene = dialog()
    account_delete(user=CAST["partner"])
    return scene


def group_with_deleted_member() -> Scene:
    owner, member, deleted = _people("owner", "member", "deleted")
    chat = GroupFactory(created_by=owner, members=[member, deleted])
    account_delete(user=deleted)
    return Scene(member, chat, chat.pk)


def late_joiner_reply_to_old() -> Scene:
    """A member who joined after the replied message hears the reply without the quote."""
    owner, member, late = _people("owner", "member", "late")
    chat = GroupFactory(created_by=owner, members=[member])
    old = send(owner, chat, "before the late one came")
    services.chat_members_add(actor=owner, chat=chat, users=[late])
    return Scene(member, chat, chat.pk, reply_to=old.pk)


def reply_below_own_floor() -> Scene:
    """The sender cannot quote a message from before they joined."""
    owner, late = _people("owner", "late")
    chat = GroupFactory(created_by=owner)
    old = send(owner, chat, "before the late one came")
    services.chat_members_add(actor=owner, chat=chat, users=[late])
    return Scene(late, chat, chat.pk, reply_to=old.pk)


def sender_hid_chat() -> Scene:
    """ "Delete chat for me" raises the sender's floor; they still send and hear their own."""
    owner, member = _people("owner", "member")
    chat = GroupFactory(created_by=owner, members=[member])
    send(owner, chat)
    services.chat_hide(user=member, chat=chat)
    return Scene(member, chat, chat.pk)


def recipient_hid_chat() -> Scene:
    owner, member = _people("owner", "member")
    chat = GroupFactory(created_by=owner, members=[member])
    send(owner, chat)
    services.chat_hide(user=owner, chat=chat)
    return Scene(member, chat, chat.pk)


CASES = [
    Case("group member", group_member, SENT, ("owner", "member", "other")),
    Case("not a member", non_member, NOT_FOUND),
    Case("left the group", left_member, NOT_FOUND),
    Case("removed from the group", removed_member, NOT_FOUND),
    Case("no such chat", no_such_chat, NOT_FOUND),
    Case("dialog", dialog, SENT, ("me", "partner")),
    Case("dialog, sender blocked partner", dialog_sender_blocked_partner, BLOCKED),
    Case("dialog, partner blocked sender", dialog_partner_blocked_sender, BLOCKED),
    Case("dialog, blocks with others", dialog_blocks_elsewhere, SENT, ("me", "partner")),
    Case(
        "group, blocked either way", group_with_blocked_member, SENT, ("owner", "member", "blocked")
    ),
    Case("dialog, partner deleted", dialog_with_deleted_partner, BLOCKED),
    Case("group, member deleted", group_with_deleted_member, SENT, ("owner", "member", "deleted")),
    Case("late joiner, reply to old", late_joiner_reply_to_old, SENT, ("owner", "member", "late")),
    Case("reply below own floor", reply_below_own_floor, BAD_REPLY),
    Case("sender hid the chat", sender_hid_chat, SENT, ("owner", "member")),
    Case("recipient hid the chat", recipient_hid_chat, SENT, ("owner", "member")),
]


def _chat_id(scene: Scene) -> int:
    return scene.chat_id or scene.chat.pk


Result = tuple[str, dict[int, bool]]  # (outcome, {recipient id: frame quotes the reply})


def via_sql(scene: Scene, published) -> Result:
    """The send path itself (chats/statements.py), and what it publishes on commit."""
    chat = Chat(pk=_chat_id(scene), kind=scene.chat.kind)
    try:
        with published() as sent:
            send(scene.sender, chat, reply_to=scene.reply_to)
    except Http404:
        return NOT_FOUND, {}
    except services.Blocked:
        return BLOCKED, {}
    except ValidationError as error:
        assert error.code == "reply"
        return BAD_REPLY, {}
    heard = {}
    for frame, user_ids in sent:
        assert frame["type"] == "message.new"
        for user_id in user_ids:
            heard[user_id] = frame["message"]["reply_to"] is not None
    return SENT, heard


def via_orm(scene: Scene) -> Result:
    """The same decision through the ORM checks the other writes of a chat use."""
    try:
        with transaction.atomic():
            chat = _kit._lock_chat(_chat_id(scene))
            _kit._membership(chat, scene.sender)
            _kit._ensure_not_blocked(chat, scene.sender)
            reply_seq = None
            if scene.reply_to is not None:
                reply_seq = messages._reply_target(chat, scene.sender, scene.reply_to).seq
            upcoming = Message(chat_id=chat.pk, seq=chat.last_seq + 1)
            audience = selectors.message_audience(upcoming)
    except Http404:
        return NOT_FOUND, {}
    except services.Blocked:
        return BLOCKED, {}
    except ValidationError as error:
        assert error.code == "reply"
        return BAD_REPLY, {}
    quoted = {uid: reply_seq is not None and floor < reply_seq for uid, floor in audience.items()}
    return SENT, quoted


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_send_paths_agree(case, published):
    """The SQL send path and the ORM checks give the outcome and recipients the table states."""
    scene = case.build()
    expected_ids = {CAST[name].pk for name in case.recipients}
    orm = via_orm(scene)
    sql = via_sql(scene, published)
    assert orm[0] == case.outcome
    assert set(orm[1]) == expected_ids
    assert sql == orm
    if case.outcome == SENT:
        assert Message.objects.filter(chat_id=scene.chat.pk, sender=scene.sender).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_roster_matches_orm(case):
    """`statements.roster` reads the same members, floors and block state as the ORM."""
    scene = case.build()
    chat = Chat.objects.filter(pk=_chat_id(scene)).first()
    if chat is None:
        assert statements.take_seq(_chat_id(scene)) is None
        return
    partner_id = _kit._dialog_partner_id(chat, scene.sender.pk)
    members, author, blocked = statements.roster(chat.pk, scene.sender.pk, partner_id)
    memberships = {m.user_id: m.cleared_seq for m in selectors.members_of(chat)}
    assert {m.user_id: m.floor for m in members} == memberships
    assert (author is not None) == (scene.sender.pk in memberships)
    if author is not None:
        assert author.pk == scene.sender.pk
        assert author.username == type(scene.sender).objects.get(pk=scene.sender.pk).username
    assert blocked == (
        chat.kind == Chat.Kind.DIALOG and selectors.dialog_blocked(chat, scene.sender)
    )
