"""The hub's per-chat order: numbered frames reach sockets in seq order, whatever order they
were handed over in; a real loss is let through after a bounded wait (the client syncs)."""

from __future__ import annotations

import uuid

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import transaction
from django.test import TestCase, override_settings

from chats import services
from messenger.realtime import apublish
from messenger.realtime.order import Reorder
from tests.factories import GroupFactory, UserFactory
from tests.realtime.test_hub import connect_as

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

CHAT = 7


def change(seq: int, chat: int = CHAT) -> dict:
    return {"type": "message.new", "chat": chat, "seq": seq}


async def publish_change(seq: int, user_ids, chat: int = CHAT) -> None:
    await apublish(change(seq, chat), user_ids, order=(chat, seq))


async def open_socket(user):
    communicator, connected, _ = await connect_as(user)
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    return communicator


async def seqs(communicator, count: int, timeout: float = 5) -> list[int]:
    return [(await communicator.receive_json_from(timeout))["seq"] for _ in range(count)]


async def test_overtaking_change_waits_for_its_predecessor():
    """Seq 3 and 4 handed over before seq 2 reach the socket as 2, 3, 4."""
    alice = await database_sync_to_async(UserFactory)()
    with override_settings(REALTIME={**settings.REALTIME, "ORDER_WAIT_SECONDS": 60}):
        socket = await open_socket(alice)
        await publish_change(1, [alice.pk])
        assert await seqs(socket, 1) == [1]
        for seq in (3, 4):
            await publish_change(seq, [alice.pk])
        assert await socket.receive_nothing(timeout=0.1)  # 2 is missing: 3 and 4 are held
        await publish_change(2, [alice.pk])
        assert await seqs(socket, 3) == [2, 3, 4]
    await socket.disconnect()


async def test_held_change_is_released_the_moment_its_predecessor_arrives():
    """3 is held behind a missing 2; 2 arrives and both go out at once, in order, to every
    addressed socket and to no one else."""
    alice, bob = [await database_sync_to_async(UserFactory)() for _ in range(2)]
    with override_settings(REALTIME={**settings.REALTIME, "ORDER_WAIT_SECONDS": 60}):
        a, b = await open_socket(alice), await open_socket(bob)
        await publish_change(1, [alice.pk])
        await publish_change(3, [alice.pk])
        await publish_change(2, [alice.pk])
        assert await seqs(a, 3) == [1, 2, 3]
        assert await b.receive_nothing(timeout=0.1)
    await a.disconnect()
    await b.disconnect()


async def test_a_real_loss_is_let_through_after_the_wait():
    """When seq 2 never comes, 3 and 4 go out after the wait with the gap open (the client
    syncs), and 2 arriving after all is still delivered."""
    alice = await database_sync_to_async(UserFactory)()
    with override_settings(REALTIME={**settings.REALTIME, "ORDER_WAIT_SECONDS": 0.05}):
        socket = await open_socket(alice)
        await publish_change(1, [alice.pk])
        await publish_change(4, [alice.pk])
        await publish_change(3, [alice.pk])
        assert await seqs(socket, 3) == [1, 3, 4]
        await publish_change(2, [alice.pk])
        await publish_change(5, [alice.pk])
        assert await seqs(socket, 2) == [2, 5]
    await socket.disconnect()


async def test_unnumbered_frames_are_not_held_behind_a_gap():
    """Typing, read marks and other chats' changes pass while a chat's change is held."""
    alice = await database_sync_to_async(UserFactory)()
    with override_settings(REALTIME={**settings.REALTIME, "ORDER_WAIT_SECONDS": 60}):
        socket = await open_socket(alice)
        await publish_change(1, [alice.pk])
        await publish_change(3, [alice.pk])
        await apublish({"type": "typing", "chat": CHAT, "user": 1, "display_name": "x"}, [alice.pk])
        await apublish({"type": "read", "chat": CHAT, "user": 1, "seq": 3}, [alice.pk])
        await publish_change(1, [alice.pk], chat=CHAT + 1)
        frames = [await socket.receive_json_from() for _ in range(4)]
        assert [(f["type"], f["chat"]) for f in frames] == [
            ("message.new", CHAT),
            ("typing", CHAT),
            ("read", CHAT),
            ("message.new", CHAT + 1),
        ]
        await publish_change(2, [alice.pk])
        assert await seqs(socket, 2) == [2, 3]
    await socket.disconnect()


async def test_first_change_seen_of_a_chat_goes_out_at_once_and_starts_its_order():
    """A worker that has seen nothing of a chat yet delivers its first frame at once (no wait
    after every restart); the chat's next frames are ordered from there."""
    alice = await database_sync_to_async(UserFactory)()
    with override_settings(REALTIME={**settings.REALTIME, "ORDER_WAIT_SECONDS": 60}):
        socket = await open_socket(alice)
        await publish_change(10, [alice.pk])
        assert await seqs(socket, 1) == [10]
        await publish_change(12, [alice.pk])
        await publish_change(11, [alice.pk])
        assert await seqs(socket, 2) == [11, 12]
    await socket.disconnect()


def _two_sends_handed_over_backwards(sender, chat) -> None:
    """Two real sends whose publishes run in reverse commit order (what a thread switch
    between a commit and its hand-over does); the rows are rolled back, the frames are real."""
    with transaction.atomic():
        with TestCase.captureOnCommitCallbacks() as callbacks:
            for text in ("first", "second"):
                services.message_send(sender=sender, chat=chat, text=text, client_id=uuid.uuid4())
        transaction.set_rollback(True)
    for callback in reversed(callbacks):
        callback()


async def test_sends_handed_over_backwards_reach_members_in_seq_order():
    """Two sends published in reverse order reach every member's socket in seq order."""
    anna, boris = [await database_sync_to_async(UserFactory)() for _ in range(2)]
    chat = await database_sync_to_async(GroupFactory)(created_by=anna, members=[boris])
    socket = await open_socket(boris)
    await database_sync_to_async(services.message_send)(
        sender=anna, chat=chat, text="hello", client_id=uuid.uuid4()
    )
    assert (await socket.receive_json_from())["seq"] == 1
    await database_sync_to_async(_two_sends_handed_over_backwards)(anna, chat)
    frames = [await socket.receive_json_from() for _ in range(2)]
    assert [(f["seq"], f["message"]["text"]) for f in frames] == [(2, "first"), (3, "second")]
    await socket.disconnect()


async def test_read_mark_and_delete_for_me_are_not_numbered():
    """`read` and "deleted for me" carry no change number: they are never held."""
    anna, boris = [await database_sync_to_async(UserFactory)() for _ in range(2)]
    chat = await database_sync_to_async(GroupFactory)(created_by=anna, members=[boris])
    with override_settings(REALTIME={**settings.REALTIME, "ORDER_WAIT_SECONDS": 60}):
        socket = await open_socket(anna)
        message, _ = await database_sync_to_async(services.message_send)(
            sender=boris, chat=chat, text="hi", client_id=uuid.uuid4()
        )
        assert (await socket.receive_json_from())["seq"] == 1
        # A change numbered 3 arrives before 2 would: the chat is now held at 1.
        await publish_change(3, [anna.pk], chat=chat.pk)
        await database_sync_to_async(services.chat_read)(user=anna, chat_id=chat.pk, seq=1)
        assert (await socket.receive_json_from())["type"] == "read"
        await database_sync_to_async(services.message_delete)(
            actor=anna, message_id=message.pk, scope="me"
        )
        frame = await socket.receive_json_from()
        assert (frame["type"], frame["seq"]) == ("message.deleted", None)
    await socket.disconnect()


# -- the stage itself ----------------------------------------------------------------------------
async def test_reorder_forgets_the_least_recent_stream_beyond_its_capacity():
    """Past `capacity` streams the least recently used one is forgotten (its next frame is
    then held like a first one); a stream with frames held keeps its place."""
    out: list[tuple[str, int]] = []
    stage = Reorder(lambda e: out.append((e["k"], e["s"])), wait=60, capacity=2)

    def offer(stream: str, seq: int) -> None:
        stage.offer(stream, seq, {"k": stream, "s": seq})

    offer("a", 1)
    offer("b", 1)
    offer("a", 2)  # a is now more recent than b
    offer("c", 1)  # b is forgotten
    offer("a", 4)  # held behind the missing 3
    offer("b", 3)  # b starts afresh from 3 (its 2 would have been waited for)
    assert out == [("a", 1), ("b", 1), ("a", 2), ("c", 1), ("b", 3)]
    assert stage.pending() == 1
    for stream in "defg":
        offer(stream, 1)
    offer("a", 3)  # a was not forgotten while 4 was held: 3 and 4 go out
    assert out[-2:] == [("a", 3), ("a", 4)]
    assert stage.pending() == 0
    stage.close()


async def test_reorder_reset_releases_what_it_holds_and_forgets_every_stream():
    """After a broker loss the held frames go out in order and streams start afresh."""
    out: list[int] = []
    stage = Reorder(lambda e: out.append(e["s"]), wait=60, capacity=10)
    for seq in (1, 4, 3):
        stage.offer("a", seq, {"s": seq})
    assert out == [1]
    stage.reset()
    assert out == [1, 3, 4]
    stage.offer("a", 9, {"s": 9})
    assert out == [1, 3, 4, 9]
    stage.close()
