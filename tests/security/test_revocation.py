"""Live revocation: while messages stream into a group, a member is kicked, leaves, is blocked,
logs out, has their password changed elsewhere or is deactivated. After the revoking commit the
revoked socket gets no frame of anything that happened later; logged-out and deactivated
sockets are closed within a second.

(tests/accounts/test_sessions.py and tests/api/test_socket_auth.py cover the close codes of
each session path in detail; this file checks them under a live stream.)
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
from channels.db import database_sync_to_async

from accounts.services import block_create, sessions_end_other, user_deactivate
from chats import services
from chats.models import Chat
from tests.accounts.test_sessions import open_socket, session_exists, signed_in_client
from tests.factories import DialogFactory, GroupFactory, UserFactory, befriend

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async
STREAM = 30  # messages sent while the revocation happens
CLOSE_WITHIN = 1.0  # seconds


def make_room():
    owner, victim, staff = UserFactory(), UserFactory(), UserFactory(is_staff=True)
    staff.is_superuser = True
    staff.save()
    befriend(owner, victim)
    group = GroupFactory(created_by=owner, members=[victim])
    return owner, victim, staff, group


def send(owner, chat_id: int, n: int) -> int:
    chat = Chat.objects.get(pk=chat_id)
    message, _ = services.message_send(
        sender=owner, chat=chat, text=f"live {n}", client_id=uuid.uuid4()
    )
    return message.seq


def last_seq(chat_id: int) -> int:
    return Chat.objects.get(pk=chat_id).last_seq


async def stream(owner, chat_id: int) -> None:
    for n in range(STREAM):
        await db(send)(owner, chat_id, n)
        await asyncio.sleep(0.005)


async def frames_until_closed(communicator, timeout: float = 3.0) -> tuple[list[dict], bool]:
    """Everything the socket gets until it closes (True) or stays quiet for `timeout` (False).

    (receive_output's own timeout would cancel the application: wait with receive_nothing.)"""
    frames = []
    while True:
        if await communicator.receive_nothing(timeout=timeout):
            return frames, False
        output = await communicator.receive_output()
        if output["type"] == "websocket.close":
            return frames, True
        frames.append(json.loads(output["text"]))


def late_messages(frames: list[dict], chat_id: int, after_seq: int) -> list[int]:
    return [
        frame["message"]["seq"]
        for frame in frames
        if frame["type"] == "message.new"
        and frame["message"]["chat"] == chat_id
        and frame["message"]["seq"] > after_seq
    ]


@pytest.mark.parametrize("how", ["kick", "leave"])
async def test_removed_member_gets_nothing_after_the_commit(how):
    """Kicked or leaving mid-stream: no message committed after the removal reaches them."""
    owner, victim, _staff, group = await db(make_room)()
    client = await db(signed_in_client)(victim)
    socket = await open_socket(client)

    async def revoke():
        await asyncio.sleep(0.05)
        chat = await db(Chat.objects.get)(pk=group.pk)
        if how == "kick":
            await db(services.chat_member_remove)(actor=owner, chat=chat, user=victim)
        else:
            await db(services.chat_leave)(user=victim, chat=chat)
        return await db(last_seq)(group.pk)

    _done, revoked_at = await asyncio.gather(stream(owner, group.pk), revoke())
    frames, _closed = await frames_until_closed(socket, timeout=0.3)
    assert 0 < revoked_at < STREAM + 1, "the removal happened mid-stream"
    assert [f for f in frames if f["type"] == "message.new"], "the stream reached them before"
    assert late_messages(frames, group.pk, revoked_at) == []
    await socket.disconnect()


async def test_blocked_person_gets_nothing_from_the_blocker():
    """After a block, the blocker's dialog frames (messages, typing, calls) are refused and the
    blocked person's socket receives nothing of them, nor the blocker's presence."""
    from tests.realtime.test_hub import connect_as

    owner, victim, _staff, _group = await db(make_room)()
    dialog = await db(DialogFactory)(user=owner, other=victim)
    victim_socket = await open_socket(await db(signed_in_client)(victim))
    await db(block_create)(blocker=owner, blocked=victim)
    owner_socket, connected, _ = await connect_as(owner)
    assert connected
    frames_to_try = [
        {"type": "message.send", "chat": dialog.pk, "client_id": str(uuid.uuid4()), "text": "x"},
        {"type": "typing", "chat": dialog.pk},
        {"type": "call.ring", "chat": dialog.pk, "call": str(uuid.uuid4()), "video": True},
    ]
    for frame in frames_to_try:
        await owner_socket.send_json_to(frame)
    await owner_socket.disconnect()  # presence: offline
    received, _closed = await frames_until_closed(victim_socket, timeout=0.5)
    # Only the block's own notice that the dialog is gone (chats/blocks.py), nothing of the
    # blocker's frames or presence.
    assert received == [{"type": "chat.deleted", "chat": dialog.pk, "reason": "blocked"}]
    await victim_socket.disconnect()


def frames_after_close(communicator) -> list:
    """What is still queued for a closed socket (nothing may be)."""
    queue = communicator.output_queue
    return [queue.get_nowait() for _ in range(queue.qsize())]


@pytest.mark.parametrize("how", ["logout", "password changed elsewhere", "deactivated"])
async def test_session_end_closes_the_socket_within_a_second_mid_stream(how):
    """Logging out, a password change from another browser, or a deactivation by staff closes
    the socket in under a second while messages stream; nothing committed afterwards reaches
    it, and the session is gone (the socket cannot come back with it)."""
    owner, victim, staff, group = await db(make_room)()
    client = await db(signed_in_client)(victim)
    socket = await open_socket(client)
    streaming = asyncio.ensure_future(stream(owner, group.pk))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    if how == "logout":
        await db(client.post)("/accounts/logout/")
    elif how == "deactivated":
        await db(user_deactivate)(user=victim, by=staff)
    else:
        other = await db(signed_in_client)(victim)
        await db(sessions_end_other)(user=victim, keep_session_key=other.cookies["sessionid"].value)
    revoked_at = await db(last_seq)(group.pk)
    frames, closed = await frames_until_closed(socket)
    assert closed and time.monotonic() - started < CLOSE_WITHIN
    await streaming
    assert late_messages(frames, group.pk, revoked_at) == []
    assert frames_after_close(socket) == []
    assert not await db(session_exists)(client)
