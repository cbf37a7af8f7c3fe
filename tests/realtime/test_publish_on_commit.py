"""Persist, then publish (messenger/realtime/commit.py): a write's frames reach the socket only
once its transaction commits, in the order they were registered, and never after a rollback."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from accounts.models import User
from messenger.realtime import publish, publish_built_on_commit, publish_on_commit
from tests.factories import UserFactory
from tests.realtime.test_order_hub import open_socket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def frame(name: str, **fields) -> dict:
    return {"type": "test.frame", "name": name, **fields}


async def received(socket, count: int) -> list[dict]:
    return [await socket.receive_json_from(5) for _ in range(count)]


async def test_frames_wait_for_the_commit_and_keep_their_order():
    """A frame published directly inside the transaction overtakes the ones registered before
    it, which follow after the commit in registration order, once per recipient."""
    alice = await database_sync_to_async(UserFactory)()

    def write() -> None:
        with transaction.atomic():
            publish_on_commit(frame("first"), [alice.pk, alice.pk])
            publish_built_on_commit(lambda: [(frame("second"), [alice.pk])])
            publish(frame("direct"), [alice.pk])

    socket = await open_socket(alice)
    await database_sync_to_async(write)()
    assert [f["name"] for f in await received(socket, 3)] == ["direct", "first", "second"]
    await socket.disconnect()


async def test_a_rolled_back_write_publishes_nothing():
    """The frames of a write that rolls back never leave: the next frame the socket gets is
    the one of the write that commits after it."""
    alice = await database_sync_to_async(UserFactory)()

    def write(name: str, *, rollback: bool) -> None:
        with transaction.atomic():
            publish_on_commit(frame(name), [alice.pk])
            publish_on_commit(lambda: frame(f"{name}, built"), [alice.pk])
            publish_built_on_commit(lambda: [(frame(f"{name}, each"), [alice.pk])])
            transaction.set_rollback(rollback)

    socket = await open_socket(alice)
    await database_sync_to_async(write)("refused", rollback=True)
    await database_sync_to_async(write)("kept", rollback=False)
    assert [f["name"] for f in await received(socket, 3)] == ["kept", "kept, built", "kept, each"]
    await socket.disconnect()


async def test_a_built_frame_reads_what_the_transaction_committed():
    """A frame given as a function is built after the commit: it sees the write made after
    it was registered."""
    alice = await database_sync_to_async(UserFactory)(first_name="Before")

    def write() -> None:
        with transaction.atomic():
            publish_on_commit(
                lambda: frame("name", first_name=User.objects.get(pk=alice.pk).first_name),
                [alice.pk],
            )
            User.objects.filter(pk=alice.pk).update(first_name="After")

    socket = await open_socket(alice)
    await database_sync_to_async(write)()
    assert (await socket.receive_json_from(5))["first_name"] == "After"
    await socket.disconnect()
