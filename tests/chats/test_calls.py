"""Call signalling frames: relayed only to the other person of a dialog; refused for outsiders,
blocked people, groups and anonymous sockets; hang-up and decline leave a call record."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from django.utils.translation import gettext

from accounts.services import block_create
from chats.models import Message
from tests.chats.test_consumers import close_all, delivered, make_group, open_peers, refused
from tests.factories import DialogFactory, UserFactory
from tests.realtime.test_hub import connect_as, refusal_code

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async

EXTRAS = {
    "call.ring": {"video": True},
    "call.accept": {},
    "call.offer": {"sdp": "v=0 offer"},
    "call.answer": {"sdp": "v=0 answer"},
    "call.ice": {"candidate": {"candidate": "candidate:1 1 udp 1 10.0.0.1 5000 typ host"}},
}


def make_dialog():
    anna, boris, carl = UserFactory(), UserFactory(), UserFactory()
    return DialogFactory(user=anna, other=boris), anna, boris, carl


@pytest_asyncio.fixture
async def call_room():
    """Anna and Boris in a dialog (Anna with two tabs), Carl outside it; all connected."""
    chat, anna, boris, carl = await db(make_dialog)()
    peers = await open_peers(anna=anna, anna2=anna, boris=boris, carl=carl)
    yield chat, peers
    await close_all(peers)


def records(chat_id: int) -> list:
    return list(Message.objects.filter(chat_id=chat_id).values_list("sender_id", "call"))


@pytest.mark.parametrize("frame_type", sorted(EXTRAS))
async def test_signalling_reaches_only_the_other_person(call_room, frame_type):
    chat, peers = call_room
    call = str(uuid.uuid4())
    await peers["anna"].send(
        {"type": frame_type, "chat": chat.pk, "call": call, **EXTRAS[frame_type]}
    )
    got = await delivered(peers, frame_type, {"boris"})
    assert got["boris"] == {
        "type": frame_type,
        "chat": chat.pk,
        "call": call,
        "from": peers["anna"].user.pk,
        **EXTRAS[frame_type],
    }
    assert await db(records)(chat.pk) == []


async def test_ring_reaches_every_socket_of_the_callee():
    """A ring goes to all the callee's tabs, whatever page they show (the site-wide banner
    rings on the feed, a profile or another chat), and to none of the caller's."""
    chat, anna, boris, carl = await db(make_dialog)()
    other = await db(DialogFactory)(user=boris, other=carl)
    peers = await open_peers(anna=anna, boris_feed=boris, boris_chat=boris, carl=carl)
    call = str(uuid.uuid4())
    await peers["anna"].send({"type": "call.ring", "chat": chat.pk, "call": call, "video": True})
    got = await delivered(peers, "call.ring", {"boris_feed", "boris_chat"})
    assert got["boris_feed"] == got["boris_chat"]
    assert got["boris_feed"]["chat"] == chat.pk != other.pk
    await close_all(peers)


@pytest.mark.parametrize("frame_type", [*sorted(EXTRAS), "call.decline", "call.end"])
async def test_outsider_cannot_signal_into_a_dialog(call_room, frame_type):
    chat, peers = call_room
    frame = {"type": frame_type, "chat": chat.pk, "call": str(uuid.uuid4()), "state": "missed"}
    await peers["carl"].send({**frame, **EXTRAS.get(frame_type, {})})
    await refused(peers["carl"], peers, "not_found")
    assert await db(records)(chat.pk) == []


@pytest.mark.parametrize("frame_type", ["call.ring", "call.offer", "call.end"])
async def test_blocked_person_cannot_be_called(call_room, frame_type):
    chat, peers = call_room
    await db(block_create)(blocker=peers["boris"].user, blocked=peers["anna"].user)
    # Both people's pages are told the dialog is gone (chats/blocks.py); Carl hears nothing.
    for name in ("anna", "anna2", "boris"):
        gone = await peers[name].expect("chat.deleted")
        assert gone == {"type": "chat.deleted", "chat": chat.pk, "reason": "blocked"}
    frame = {"type": frame_type, "chat": chat.pk, "call": str(uuid.uuid4()), "state": "missed"}
    await peers["anna"].send({**frame, **EXTRAS.get(frame_type, {})})
    # The dialog does not exist for either of them while the block lasts.
    await refused(peers["anna"], peers, "not_found")
    assert await db(records)(chat.pk) == []


async def test_group_calls_are_refused():
    chat, owner, admin, member, _outsider = await db(make_group)()
    peers = await open_peers(owner=owner, admin=admin, member=member)
    try:
        await peers["owner"].send(
            {"type": "call.ring", "chat": chat.pk, "call": "x", "video": True}
        )
        error = await refused(peers["owner"], peers, "invalid")
        # The detail is in the site's language (Russian by default), like every error frame.
        assert error["detail"] == gettext("Calls are possible in one-to-one chats only.")
    finally:
        await close_all(peers)


async def test_anonymous_socket_cannot_signal():
    communicator, connected, code = await connect_as(None)
    assert await refusal_code(communicator, connected, code) == 4401


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "call.ring"},  # no chat or call
        {"type": "call.offer", "call": "c"},  # no sdp
        {"type": "call.offer", "call": "c", "sdp": "x" * 40_000},
        {"type": "call.ice", "call": "c", "candidate": "not an object"},
        {"type": "call.end", "call": str(uuid.uuid4()), "state": "exploded"},
        {"type": "call.end", "call": "not-a-uuid", "state": "missed"},
        {"type": "call.end", "call": str(uuid.uuid4()), "state": "answered", "duration": "long"},
    ],
)
async def test_malformed_call_frames_are_refused(call_room, frame):
    chat, peers = call_room
    await peers["anna"].send({"chat": chat.pk, **frame})
    await refused(peers["anna"], peers, "invalid")
    assert await db(records)(chat.pk) == []


async def test_hang_up_records_the_call_once_for_both(call_room):
    """Both sides report the end; one "answered" record with the duration reaches everyone."""
    chat, peers = call_room
    call = str(uuid.uuid4())
    await peers["anna"].send(
        {"type": "call.end", "chat": chat.pk, "call": call, "state": "answered", "duration": 42.26}
    )
    got = await delivered(peers, "message.new", {"anna", "anna2", "boris"})
    assert got["boris"]["message"]["call"] == {"state": "answered", "duration": 42.3}
    ended = await peers["boris"].expect("call.end")
    assert (ended["call"], ended["from"]) == (call, peers["anna"].user.pk)
    # Boris's own hang-up of the same call arrives too: no second record.
    await peers["boris"].send(
        {"type": "call.end", "chat": chat.pk, "call": call, "state": "answered", "duration": 42}
    )
    await peers["anna"].expect("call.end")
    await peers["anna2"].expect("call.end")
    assert await db(records)(chat.pk) == [
        (peers["anna"].user.pk, {"state": "answered", "duration": 42.3})
    ]


async def test_decline_and_missed_calls_are_recorded(call_room):
    chat, peers = call_room
    await peers["boris"].send({"type": "call.decline", "chat": chat.pk, "call": str(uuid.uuid4())})
    got = await delivered(peers, "message.new", {"anna", "anna2", "boris"})
    assert got["anna"]["message"]["call"] == {"state": "declined", "duration": 0}
    await peers["anna"].expect("call.decline")
    await peers["anna2"].expect("call.decline")
    await peers["anna"].send(
        {"type": "call.end", "chat": chat.pk, "call": str(uuid.uuid4()), "state": "missed"}
    )
    got = await delivered(peers, "message.new", {"anna", "anna2", "boris"})
    assert got["boris"]["message"]["call"] == {"state": "missed", "duration": 0}
    assert [c["state"] for _s, c in await db(records)(chat.pk)] == ["declined", "missed"]
