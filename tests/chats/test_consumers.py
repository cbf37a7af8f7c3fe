"""Chat frames over /ws/: every client frame allowed and denied, with exact recipient sets.

Each test opens real sockets through the ASGI stack (origin check + session auth). Denied cases
assert the error code *and* that the database did not change and nobody received anything.
"""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async

from accounts.services import block_create
from chats import services
from chats.models import AuditLog, ChatEvent, Membership, Message, MessageHide, Reaction
from tests.factories import DialogFactory, GroupFactory, MessageFactory, UserFactory
from tests.factories.social import befriend
from tests.realtime.test_hub import connect_as, refusal_code

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


# Frames of other features that reach the same sockets (friends' presence); not under test here.
UNRELATED = {"presence", "notification"}


class Peer:
    """One open socket of a user, with the frames it received kept by type."""

    def __init__(self, name: str, user, communicator) -> None:
        self.name = name
        self.user = user
        self.communicator = communicator
        self.inbox: list[dict] = []

    async def send(self, frame: dict) -> None:
        await self.communicator.send_json_to(frame)

    async def expect(self, frame_type: str, timeout: float = 3.0) -> dict:
        """The next frame of `frame_type` (other frames are kept for later)."""
        for index, frame in enumerate(self.inbox):
            if frame["type"] == frame_type:
                return self.inbox.pop(index)
        while True:
            frame = await self.communicator.receive_json_from(timeout=timeout)
            if frame["type"] == frame_type:
                return frame
            if frame["type"] not in UNRELATED:
                self.inbox.append(frame)

    async def received_nothing(self) -> bool:
        """True if no chat frame is waiting (after what was expected arrived elsewhere)."""
        while not self.inbox and not await self.communicator.receive_nothing(timeout=0.05):
            frame = await self.communicator.receive_json_from()
            if frame["type"] not in UNRELATED:
                self.inbox.append(frame)
        return not self.inbox


async def open_peers(**users) -> dict[str, Peer]:
    peers = {}
    for name, user in users.items():
        communicator, connected, _code = await connect_as(user)
        assert connected, name
        assert (await communicator.receive_json_from())["type"] == "hello"
        peers[name] = Peer(name, user, communicator)
    return peers


async def close_all(peers: dict[str, Peer]) -> None:
    for peer in peers.values():
        await peer.communicator.disconnect()


async def delivered(peers: dict[str, Peer], frame_type: str, expected: set[str]) -> dict:
    """Assert that exactly the `expected` peers got a `frame_type` frame; return them by name."""
    got = {name: await peers[name].expect(frame_type) for name in sorted(expected)}
    for name, peer in peers.items():
        if name not in expected:
            assert await peer.received_nothing(), f"{name} received {peer.inbox}"
    return got


async def refused(peer: Peer, peers: dict[str, Peer], code: str) -> dict:
    """The peer gets an `error` with `code` and nobody receives anything else."""
    error = await peer.expect("error")
    assert error["code"] == code, error
    for other in peers.values():
        assert await other.received_nothing(), f"{other.name} received {other.inbox}"
    return error


def snapshot(chat_id: int) -> tuple:
    """Everything a denied frame must leave as it was."""
    from chats.models import Chat

    chat = Chat.objects.get(pk=chat_id)
    return (
        chat.last_seq,
        list(
            Message.objects.filter(chat_id=chat_id)
            .order_by("id")
            .values_list("id", "text", "deleted_at")
        ),
        list(Reaction.objects.order_by("id").values_list("id", "emoji")),
        list(MessageHide.objects.order_by("id").values_list("id", flat=True)),
        list(
            Membership.objects.filter(chat_id=chat_id)
            .order_by("user_id")
            .values_list("user_id", "last_read_seq")
        ),
        ChatEvent.objects.count(),
        AuditLog.objects.count(),
    )


async def post(peers: dict[str, Peer], chat, sender: str, **kwargs) -> Message:
    """A message sent through the service; its live copies are taken off the members' sockets."""
    message = await db(MessageFactory)(sender=peers[sender].user, chat=chat, **kwargs)
    await delivered(peers, "message.new", {n for n in MEMBERS if n in peers})
    return message


def make_group():
    owner, admin, member, outsider = (UserFactory() for _ in range(4))
    befriend(owner, admin, member, outsider)
    chat = GroupFactory(created_by=owner, members=[member], admins=[admin])
    return chat, owner, admin, member, outsider


@pytest_asyncio.fixture
async def room():
    """A group (owner, admin, member) plus an outsider, each with an open socket, and a second
    socket of the member ("member2") to check that all of a user's tabs are reached."""
    chat, owner, admin, member, outsider = await db(make_group)()
    peers = await open_peers(
        owner=owner, admin=admin, member=member, member2=member, outsider=outsider
    )
    yield chat, peers
    await close_all(peers)


MEMBERS = {"owner", "admin", "member", "member2"}


# -- message.send -----------------------------------------------------------------------------
async def test_send_acks_the_sender_socket_and_reaches_every_member(room):
    """`message.send` → `message.ack` to that socket only, `message.new` to every member tab."""
    chat, peers = room
    client_id = str(uuid.uuid4())
    await peers["member"].send(
        {"type": "message.send", "chat": chat.pk, "client_id": client_id, "text": "hello"}
    )
    ack = await peers["member"].expect("message.ack")
    assert set(ack) == {"type", "client_id", "message"}
    assert ack["client_id"] == client_id
    assert ack["message"]["text"] == "hello"
    got = await delivered(peers, "message.new", MEMBERS)
    assert {frame["message"]["id"] for frame in got.values()} == {ack["message"]["id"]}
    assert got["owner"]["seq"] == 1
    assert await peers["member2"].received_nothing()  # no ack on the other tab


async def test_send_by_outsider_is_refused(room):
    """An outsider's `message.send` gets `not_found`; nothing is stored or delivered."""
    chat, peers = room
    before = await db(snapshot)(chat.pk)
    await peers["outsider"].send(
        {"type": "message.send", "chat": chat.pk, "client_id": str(uuid.uuid4()), "text": "x"}
    )
    error = await refused(peers["outsider"], peers, "not_found")
    assert "ref" in error
    assert await db(snapshot)(chat.pk) == before


async def test_removed_member_can_no_longer_send_nor_receive(room):
    """After removal: `member.removed` reaches the removed member and the rest; then their
    sends are refused and the others' messages no longer reach them."""
    chat, peers = room
    owner, member = peers["owner"].user, peers["member"].user
    await db(services.chat_member_remove)(actor=owner, chat=chat, user=member)
    got = await delivered(peers, "member.removed", MEMBERS)
    line = await delivered(peers, "message.new", MEMBERS - {"member", "member2"})  # the system line
    assert line["owner"]["message"]["system"]["kind"] == "removed"
    assert got["member"]["user"] == member.pk
    before = await db(snapshot)(chat.pk)
    await peers["member"].send(
        {"type": "message.send", "chat": chat.pk, "client_id": str(uuid.uuid4()), "text": "x"}
    )
    await refused(peers["member"], peers, "not_found")
    assert await db(snapshot)(chat.pk) == before
    await peers["owner"].send(
        {"type": "message.send", "chat": chat.pk, "client_id": str(uuid.uuid4()), "text": "bye"}
    )
    await peers["owner"].expect("message.ack")
    await delivered(peers, "message.new", {"owner", "admin"})


async def test_send_in_a_dialog_after_a_block_is_refused():
    """Blocked people cannot message each other: `blocked` error, nothing stored or sent."""
    anna, boris = await db(UserFactory)(), await db(UserFactory)()
    chat = await db(DialogFactory)(user=anna, other=boris)
    await db(block_create)(blocker=boris, blocked=anna)
    peers = await open_peers(anna=anna, boris=boris)
    before = await db(snapshot)(chat.pk)
    for name in ("anna", "boris"):
        await peers[name].send(
            {"type": "message.send", "chat": chat.pk, "client_id": str(uuid.uuid4()), "text": "x"}
        )
        await refused(peers[name], peers, "blocked")
    assert await db(snapshot)(chat.pk) == before
    await close_all(peers)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"client_id": "not-a-uuid", "text": "x"}, "invalid"),
        ({"client_id": None, "text": "x"}, "invalid"),
        ({"text": "   "}, "invalid"),
        ({"text": "x" * 4001}, "invalid"),
        ({"text": "x", "attachments": ["a"]}, "invalid"),
        ({"text": "x", "attachments": [999999]}, "invalid"),
        ({"text": "x", "reply_to": 999999}, "invalid"),
        ({"text": 5}, "invalid"),
    ],
)
async def test_bad_send_payloads_get_a_clear_error(room, payload, code):
    """Malformed sends are answered with an `error` frame; nothing is stored or delivered."""
    chat, peers = room
    before = await db(snapshot)(chat.pk)
    frame = {"type": "message.send", "chat": chat.pk, "client_id": str(uuid.uuid4()), **payload}
    await peers["member"].send(frame)
    await refused(peers["member"], peers, code)
    assert await db(snapshot)(chat.pk) == before


async def test_repeated_client_id_is_acked_with_the_original_and_not_delivered_again(room):
    """A resend (same client_id) is acked with the first message; members get it once."""
    chat, peers = room
    frame = {"type": "message.send", "chat": chat.pk, "client_id": str(uuid.uuid4()), "text": "1"}
    await peers["member"].send(frame)
    first = await peers["member"].expect("message.ack")
    await delivered(peers, "message.new", MEMBERS)
    await peers["member"].send({**frame, "text": "changed"})
    second = await peers["member"].expect("message.ack")
    assert second["message"] == first["message"]
    for peer in peers.values():
        assert await peer.received_nothing()
    # Not counting the system lines of the group's setting up.
    assert await db(Message.objects.filter(system__isnull=True).count)() == 1


# -- message.edit -----------------------------------------------------------------------------
async def test_edit_reaches_every_member(room):
    """`message.edit` of one's own message → `message.updated` (with a new seq) to members."""
    chat, peers = room
    message = await post(peers, chat, "member", text="helo")
    await peers["member"].send({"type": "message.edit", "message": message.pk, "text": "hello"})
    got = await delivered(peers, "message.updated", MEMBERS)
    frame = got["owner"]
    assert set(frame) == {"type", "chat", "seq", "message"}
    assert (frame["seq"], frame["message"]["text"]) == (2, "hello")
    assert frame["message"]["edited_at"] is not None


@pytest.mark.parametrize(("actor", "code"), [("owner", "forbidden"), ("outsider", "not_found")])
async def test_edit_of_someone_elses_message_is_refused(room, actor, code):
    """Neither the owner nor an outsider can edit a member's message."""
    chat, peers = room
    message = await post(peers, chat, "member", text="mine")
    before = await db(snapshot)(chat.pk)
    await peers[actor].send({"type": "message.edit", "message": message.pk, "text": "yours"})
    await refused(peers[actor], peers, code)
    assert await db(snapshot)(chat.pk) == before


async def test_edit_by_removed_member_is_refused(room):
    """A removed member cannot edit even their own old message."""
    chat, peers = room
    member = peers["member"].user
    message = await post(peers, chat, "member", text="mine")
    await db(services.chat_member_remove)(actor=peers["owner"].user, chat=chat, user=member)
    await delivered(peers, "member.removed", MEMBERS)
    await delivered(peers, "message.new", MEMBERS - {"member", "member2"})  # the system line
    before = await db(snapshot)(chat.pk)
    await peers["member"].send({"type": "message.edit", "message": message.pk, "text": "edit"})
    await refused(peers["member"], peers, "not_found")
    assert await db(snapshot)(chat.pk) == before


# -- message.delete ---------------------------------------------------------------------------
async def test_delete_for_all_reaches_every_member(room):
    """Deleting one's message for all → `message.deleted {chat, message, seq}` to members."""
    chat, peers = room
    message = await post(peers, chat, "member")
    await peers["member"].send({"type": "message.delete", "message": message.pk, "for": "all"})
    got = await delivered(peers, "message.deleted", MEMBERS)
    assert got["admin"] == {
        "type": "message.deleted",
        "chat": chat.pk,
        "message": message.pk,
        "seq": 2,
        "scope": "all",
    }


async def test_delete_for_me_reaches_only_my_sockets(room):
    """Deleting for me → `message.deleted` with seq null to my own tabs, no one else."""
    chat, peers = room
    message = await post(peers, chat, "owner")
    await peers["member"].send({"type": "message.delete", "message": message.pk, "for": "me"})
    got = await delivered(peers, "message.deleted", {"member", "member2"})
    assert (got["member"]["seq"], got["member"]["scope"]) == (None, "me")


async def test_admin_deletes_a_members_message_and_it_is_logged(room):
    """An admin's delete of a member's message reaches all and writes an audit row."""
    chat, peers = room
    message = await post(peers, chat, "member")
    await peers["admin"].send(
        {"type": "message.delete", "message": message.pk, "for": "all", "reason": "spam"}
    )
    await delivered(peers, "message.deleted", MEMBERS)
    entry = await db(AuditLog.objects.get)(action="message_deleted")
    assert entry.reason == "spam"


@pytest.mark.parametrize(
    ("actor", "scope", "code"),
    [
        ("member", "all", "forbidden"),  # a member deleting the admin's message for all
        ("outsider", "all", "not_found"),
        ("outsider", "me", "not_found"),
        ("member", "everyone", "invalid"),
    ],
)
async def test_delete_refusals(room, actor, scope, code):
    """Deleting others' messages without the role, or from outside, is refused."""
    chat, peers = room
    message = await post(peers, chat, "admin")
    before = await db(snapshot)(chat.pk)
    await peers[actor].send({"type": "message.delete", "message": message.pk, "for": scope})
    await refused(peers[actor], peers, code)
    assert await db(snapshot)(chat.pk) == before


# -- reactions --------------------------------------------------------------------------------
async def test_reaction_add_and_remove_reach_every_member(room):
    """`reaction.add` / `reaction.remove` → `reaction.updated` with counts and reactors."""
    chat, peers = room
    message = await post(peers, chat, "member")
    owner = peers["owner"].user
    await peers["owner"].send({"type": "reaction.add", "message": message.pk, "emoji": "🔥"})
    got = await delivered(peers, "reaction.updated", MEMBERS)
    frame = got["member"]
    assert set(frame) == {"type", "chat", "seq", "message", "reactions"}
    assert frame["reactions"][0]["user_ids"] == [owner.pk]
    await peers["owner"].send({"type": "reaction.remove", "message": message.pk, "emoji": "🔥"})
    got = await delivered(peers, "reaction.updated", MEMBERS)
    assert got["admin"]["reactions"] == []
    assert got["admin"]["seq"] == 3


@pytest.mark.parametrize(
    ("actor", "frame_type", "emoji", "code"),
    [
        ("outsider", "reaction.add", "👍", "not_found"),
        ("outsider", "reaction.remove", "👍", "not_found"),
        ("member", "reaction.add", "not-an-emoji", "invalid"),
        ("member", "reaction.add", None, "invalid"),
    ],
)
async def test_reaction_refusals(room, actor, frame_type, emoji, code):
    """Outsiders cannot react; unknown emoji are refused; nothing changes."""
    chat, peers = room
    message = await post(peers, chat, "admin")
    await db(services.reaction_add)(user=peers["admin"].user, message_id=message.pk, emoji="👍")
    await delivered(peers, "reaction.updated", MEMBERS)
    before = await db(snapshot)(chat.pk)
    await peers[actor].send({"type": frame_type, "message": message.pk, "emoji": emoji})
    await refused(peers[actor], peers, code)
    assert await db(snapshot)(chat.pk) == before


# -- typing -----------------------------------------------------------------------------------
async def test_typing_reaches_the_other_members_only(room):
    """`typing {chat}` → `typing {chat, user, name}` to every other member, not to myself."""
    chat, peers = room
    admin = peers["admin"].user
    await peers["admin"].send({"type": "typing", "chat": chat.pk})
    got = await delivered(peers, "typing", {"owner", "member", "member2"})
    assert got["owner"] == {
        "type": "typing",
        "chat": chat.pk,
        "user": admin.pk,
        "display_name": admin.display_name,
    }


async def test_typing_from_outsider_is_refused(room):
    """An outsider's typing goes nowhere and gets `not_found`."""
    chat, peers = room
    await peers["outsider"].send({"type": "typing", "chat": chat.pk})
    await refused(peers["outsider"], peers, "not_found")


# -- read -------------------------------------------------------------------------------------
async def test_read_reaches_every_member_including_my_other_tabs(room):
    """`read {chat, seq}` → `read {chat, user, seq}` to all members (ticks, badges)."""
    chat, peers = room
    await post(peers, chat, "owner")
    await peers["member"].send({"type": "read", "chat": chat.pk, "seq": 1})
    got = await delivered(peers, "read", MEMBERS)
    assert got["owner"] == {
        "type": "read",
        "chat": chat.pk,
        "user": peers["member"].user.pk,
        "seq": 1,
    }
    membership = await db(Membership.objects.get)(chat=chat, user=peers["member"].user)
    assert membership.last_read_seq == 1


@pytest.mark.parametrize(
    ("actor", "seq", "code"), [("outsider", 1, "not_found"), ("member", -1, "invalid")]
)
async def test_read_refusals(room, actor, seq, code):
    """An outsider's read, or a negative seq, is refused and changes nothing."""
    chat, peers = room
    await post(peers, chat, "owner")
    before = await db(snapshot)(chat.pk)
    await peers[actor].send({"type": "read", "chat": chat.pk, "seq": seq})
    await refused(peers[actor], peers, code)
    assert await db(snapshot)(chat.pk) == before


# -- sync -------------------------------------------------------------------------------------
async def test_sync_replays_missed_changes_to_the_asking_socket_only(room):
    """`sync` → `sync.result` (to that socket only) with every change after the given seq."""
    chat, peers = room
    owner, member = peers["owner"].user, peers["member"].user
    first = await db(MessageFactory)(sender=owner, chat=chat, text="one")
    await db(MessageFactory)(sender=owner, chat=chat, text="two")
    await db(services.message_edit)(editor=owner, message_id=first.pk, text="uno")
    await db(services.reaction_add)(user=member, message_id=first.pk, emoji="👍")
    for name in MEMBERS:  # the live copies
        for frame_type in ("message.new", "message.new", "message.updated", "reaction.updated"):
            await peers[name].expect(frame_type)
    await peers["member2"].send({"type": "sync", "chats": {str(chat.pk): 1}})
    got = await delivered(peers, "sync.result", {"member2"})
    result = got["member2"]["chats"][str(chat.pk)]
    assert [(e["type"], e["seq"]) for e in result["events"]] == [
        ("message.new", 2),
        ("message.updated", 3),
        ("reaction.updated", 4),
    ]
    assert (result["last_seq"], result["complete"]) == (4, True)
    admin = peers["admin"].user
    assert result["read"] == {str(owner.pk): 2, str(admin.pk): 0, str(member.pk): 0}


async def test_sync_of_a_chat_i_was_removed_from_says_gone(room):
    """For a chat the user no longer belongs to `sync` answers `gone` and replays nothing."""
    chat, peers = room
    outsider = peers["outsider"]
    await post(peers, chat, "owner", text="secret")
    await outsider.send({"type": "sync", "chats": {str(chat.pk): 0}})
    result = await outsider.expect("sync.result")
    assert result == {"type": "sync.result", "chats": {str(chat.pk): {"gone": True}}}


@pytest.mark.parametrize(
    "chats", [None, [], {"abc": 1}, {"1": -1}, {"1": "3"}, {str(n): 0 for n in range(101)}]
)
async def test_bad_sync_payloads_get_invalid(room, chats):
    """A malformed `sync` is answered with `invalid` and nothing else."""
    _chat, peers = room
    await peers["member"].send({"type": "sync", "chats": chats})
    await refused(peers["member"], peers, "invalid")


def frame_for(frame_type: str, chat_id: int, message_id: int) -> dict:
    """A well-formed client frame of each chat type, aimed at `chat_id` / `message_id`."""
    return {
        "message.send": {"chat": chat_id, "client_id": str(uuid.uuid4()), "text": "x"},
        "message.edit": {"message": message_id, "text": "changed"},
        "message.delete": {"message": message_id, "for": "all"},
        "reaction.add": {"message": message_id, "emoji": "👍"},
        "reaction.remove": {"message": message_id, "emoji": "❤️"},
        "typing": {"chat": chat_id},
        "read": {"chat": chat_id, "seq": 2},
    }[frame_type] | {"type": frame_type}


CLIENT_FRAMES = [
    "message.send",
    "message.edit",
    "message.delete",
    "reaction.add",
    "reaction.remove",
    "typing",
    "read",
]


@pytest.mark.parametrize("frame_type", CLIENT_FRAMES)
@pytest.mark.parametrize("who", ["outsider", "removed member"])
async def test_every_frame_from_outside_the_chat_is_refused(room, frame_type, who):
    """Outsiders and removed members get `not_found` for every chat frame; nothing changes
    and nobody receives anything."""
    chat, peers = room
    member = peers["member"].user
    message = await post(peers, chat, "member", text="mine")
    await db(services.reaction_add)(user=member, message_id=message.pk, emoji="❤️")
    await delivered(peers, "reaction.updated", MEMBERS)
    await post(peers, chat, "owner", text="later")
    actor = peers["outsider"]
    if who == "removed member":
        await db(services.chat_member_remove)(actor=peers["owner"].user, chat=chat, user=member)
        await delivered(peers, "member.removed", MEMBERS)
        await delivered(peers, "message.new", MEMBERS - {"member", "member2"})  # the system line
        actor = peers["member"]
    before = await db(snapshot)(chat.pk)
    await actor.send(frame_for(frame_type, chat.pk, message.pk))
    await refused(actor, peers, "not_found")
    assert await db(snapshot)(chat.pk) == before


@pytest.mark.parametrize("frame_type", ["message.send", "message.edit", "reaction.add", "typing"])
async def test_every_writing_frame_in_a_blocked_dialog_is_refused(frame_type):
    """In a dialog between blocked people sending is refused with `blocked`, editing, reacting
    and typing with `not_found` (the dialog is gone for both while the block lasts); nothing
    changes and the other person receives nothing."""
    anna, boris = await db(UserFactory)(), await db(UserFactory)()
    chat = await db(DialogFactory)(user=anna, other=boris)
    message = await db(MessageFactory)(sender=anna, chat=chat, text="before")
    await db(block_create)(blocker=boris, blocked=anna)
    peers = await open_peers(anna=anna, boris=boris)
    before = await db(snapshot)(chat.pk)
    await peers["anna"].send(frame_for(frame_type, chat.pk, message.pk))
    await refused(peers["anna"], peers, "blocked" if frame_type == "message.send" else "not_found")
    assert await db(snapshot)(chat.pk) == before
    await close_all(peers)


async def test_anonymous_socket_cannot_reach_chat_frames(room):
    """An anonymous socket is refused at the handshake; members receive nothing from it."""
    chat, peers = room
    communicator, connected, code = await connect_as(None)
    assert await refusal_code(communicator, connected, code) == 4401
    for peer in peers.values():
        assert await peer.received_nothing()
    assert (await db(snapshot)(chat.pk))[0] == 0
