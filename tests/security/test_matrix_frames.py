"""The authorization matrix over /ws/: every client frame type, every actor, real sockets.

Every logged-in actor has a socket open at once. For each actor the frame of the row is sent,
followed by a `ping`: an allowed actor gets no `error` before its `pong`, a denied one gets an
`error`, the database stays as it was and no other socket receives anything. Whatever any socket
receives is checked against who may read which secret (matrix.KNOWS). Anonymous sockets are
closed at once (4401), so they cannot send frames at all.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from channels.db import database_sync_to_async

from chats.services import message_send
from tests.realtime.test_hub import connect_as, refusal_code
from tests.security.http_cases import about_pre_join, fill, unknown_secrets
from tests.security.matrix import (
    FRAMES,
    MEMBERS,
    late_allowed_after_join,
    late_ids,
    names_pre_join,
)
from tests.security.world import SECRETS, USERS, build_world, changed_tables, snapshot

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


async def drain(communicator, timeout: float = 0.03) -> list[dict]:
    frames = []
    while not await communicator.receive_nothing(timeout=timeout):
        frames.append(await communicator.receive_json_from())
    return frames


async def until_pong(communicator) -> list[dict]:
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] == "pong":
            return frames
        frames.append(frame)


def fresh_message(world, sender: str = "member") -> int:
    """A new message of `sender` in the group (allowed edits and deletes need their own)."""
    chat = world.ids["chat"]
    from chats.models import Chat

    message, _ = message_send(
        sender=world.users[sender],
        chat=Chat.objects.get(pk=chat),
        text="fresh",
        client_id=uuid.uuid4(),
    )
    return message.pk


def audience_of(frame: dict, world) -> set[str]:
    """Who may receive a frame about the group or the owner's dialog."""
    if frame.get("chat") == world.ids["chat"]:
        return set(MEMBERS.split())
    if frame.get("chat") == world.ids["dialog"]:
        return {"owner", "friend"}
    return set(USERS)


def check_received(received: dict[str, list[dict]], world, problems: list[str]) -> None:
    for actor, frames in received.items():
        for frame in frames:
            encoded = json.dumps(frame, ensure_ascii=False)
            if any(secret in encoded for secret in unknown_secrets(actor)):
                problems.append(f"{actor} received a secret in {frame['type']}")
            if frame["type"] not in ("presence", "error", "pong") and actor not in audience_of(
                frame, world
            ):
                problems.append(f"{actor} received {frame['type']} of chat {frame.get('chat')}")
            if actor == "late" and about_pre_join(frame, world):
                problems.append(f"late received {frame['type']} about a pre-join message")


async def run_frame(
    sockets, world, frame_type: str, actor: str, ids: dict, allowed: bool
) -> list[str]:
    row = FRAMES[frame_type]
    problems: list[str] = []
    before = await db(snapshot)()
    frame = {**fill(row.frame, ids), "type": frame_type}
    await sockets[actor].send_json_to(frame)
    await sockets[actor].send_json_to({"type": "ping"})
    replies = await until_pong(sockets[actor])
    errors = [reply for reply in replies if reply["type"] == "error"]
    names = [name for name in sockets if name != actor]
    drained = await asyncio.gather(*(drain(sockets[name]) for name in names))
    others = dict(zip(names, drained, strict=True))
    received = {actor: replies, **others}
    check_received(received, world, problems)
    if allowed and errors:
        problems.append(f"allowed but refused: {errors}")
    if not allowed:
        if not errors and frame_type != "sync":
            problems.append(f"denied but no error: {replies}")
        if changed := changed_tables(before, await db(snapshot)()):
            problems.append(f"denied but changed {changed}")
        # Presence comes from the sockets opening (friends going online), on its own time: a
        # late one under load is no delivery of the refused frame.
        delivered = {
            name: caused
            for name, frames in others.items()
            if (caused := [f for f in frames if f["type"] != "presence"])
        }
        if delivered:
            problems.append(f"denied but delivered {delivered}")
    shown = json.dumps(replies, ensure_ascii=False)
    if row.secret and actor not in row.readers and SECRETS[row.secret] in shown:
        problems.append(f"{actor} was shown the {row.secret}")
    if any(error.get("code") == "internal" for error in errors):
        problems.append("internal error")
    return problems


@pytest.mark.parametrize("frame_type", sorted(FRAMES))
async def test_frame_authorization(frame_type):
    """Each actor's frame is answered as the matrix says; nothing leaks to anyone else."""
    row = FRAMES[frame_type]
    world = await db(build_world)()
    sockets = {}
    for actor in USERS:
        communicator, connected, _code = await connect_as(world.users[actor])
        assert connected, actor
        sockets[actor] = communicator
    await asyncio.gather(*(drain(communicator) for communicator in sockets.values()))
    anonymous, connected, code = await connect_as(None)
    assert await refusal_code(anonymous, connected, code) == 4401

    failures = {}
    for actor in sorted(USERS, key=lambda name: name in row.allowed):  # denied ones first
        allowed = actor in row.allowed
        ids = dict(world.ids)
        if allowed and "message" in json.dumps(row.frame):
            ids["message"] = await db(fresh_message)(world)
            await asyncio.gather(*(drain(communicator) for communicator in sockets.values()))
        if problems := await run_frame(sockets, world, frame_type, actor, ids, allowed):
            failures[actor] = problems
        for key in row.swap if allowed else ():
            swapped = {**world.ids, key: world.foreign[key]}
            if problems := await run_frame(sockets, world, frame_type, actor, swapped, False):
                failures[f"{actor} with the stranger's {key}"] = problems
    if names_pre_join(row):
        # Refused above with the group's older message; with their own later one "late" is a
        # member like any other.
        ids = late_ids(world.ids)
        ids["message"] = await db(fresh_message)(world, "late")
        await asyncio.gather(*(drain(communicator) for communicator in sockets.values()))
        allowed = late_allowed_after_join(row)
        if problems := await run_frame(sockets, world, frame_type, "late", ids, allowed):
            failures["late with a message from after joining"] = problems
    for communicator in sockets.values():
        await communicator.disconnect()
    assert failures == {}
