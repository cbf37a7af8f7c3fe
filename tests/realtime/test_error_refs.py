"""Every `error` frame that answers a parseable client frame carries that frame's `ref`
(issue #15): one case per error code, and the cases cover every code the docs and the code
name, so a new code without a case fails here."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import override_settings

from accounts.services import block_create
from messenger.realtime import frames
from tests.factories import DialogFactory, GroupFactory, MessageFactory, UserFactory
from tests.realtime.test_hub import connect_as

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
REF = "r-17"
SEND_REF = str(uuid.uuid4())  # message.send's client_id (a UUID) is its ref


def documented_codes() -> set[str]:
    """The codes listed under the `error` frame of docs/realtime-protocol.md."""
    text = (ROOT / "docs" / "realtime-protocol.md").read_text()
    section = text.split("### `error`", 1)[1].split("\n### ", 1)[0]
    codes_paragraph = section.split("Codes:", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"`([a-z_]+)`", codes_paragraph))


def coded_codes() -> set[str]:
    """The codes the server's code raises: FrameError(...) and send_error(...) literals."""
    found = set()
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        found |= set(re.findall(r"(?:FrameError|send_error)\(\s*\"([a-z_]+)\"", path.read_text()))
    return found


@database_sync_to_async
def scene():
    """A user with a group they are in, someone else's message there, and a blocked dialog."""
    me, other, blocker = UserFactory(), UserFactory(), UserFactory()
    group = GroupFactory(created_by=other, members=[me])
    theirs = MessageFactory(sender=other, chat=group, text="theirs")
    dialog = DialogFactory(user=me, other=blocker)
    block_create(blocker=blocker, blocked=me)
    return me, group, theirs, dialog


# code -> (the frame, or raw text, that causes it; True if its answer carries REF, else the
# ref it carries or False for none)
def cases(group, theirs, dialog) -> dict[str, tuple[object, bool]]:
    return {
        "bad_json": ('{"type": "ping", "ref": "r-17"', False),  # not parseable: no ref to echo
        "invalid": ({"type": "read", "chat": "seven", "ref": REF}, True),
        "unknown_type": ({"type": "no.such", "ref": REF}, True),
        "not_found": ({"type": "typing", "chat": 10**9, "ref": REF}, True),
        "forbidden": (
            {"type": "message.edit", "message": theirs.pk, "text": "mine now", "ref": REF},
            True,
        ),
        "blocked": (
            {"type": "message.send", "chat": dialog.pk, "client_id": SEND_REF, "text": "hi"},
            SEND_REF,
        ),
        "internal": ({"type": "test.fails", "ref": REF}, True),
    }


@pytest.fixture
def failing_handler():
    """A registered frame type whose handler fails unexpectedly (the `internal` answer)."""

    async def fails(consumer, payload):
        raise RuntimeError("a bug in a handler")

    frames.frame_handler("test.fails")(fails)
    yield
    del frames._handlers["test.fails"]


def test_cases_cover_every_documented_and_raised_code():
    """No error code is left without a case below (docs and code agree, too)."""
    # rate_limited, too_large and `invalid` for a non-string type have tests of their own.
    covered = set(CASE_CODES) | {"rate_limited", "too_large"}
    assert documented_codes() == coded_codes() | {"forbidden", "blocked"}
    assert documented_codes() <= covered


CASE_CODES = [
    "bad_json",
    "invalid",
    "unknown_type",
    "not_found",
    "forbidden",
    "blocked",
    "internal",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("code", CASE_CODES)
async def test_error_echoes_the_ref_of_the_frame_it_answers(code, failing_handler):
    """The `error` answering a frame carries the frame's `ref` (or a send's `client_id`)."""
    me, group, theirs, dialog = await scene()
    frame, ref = cases(group, theirs, dialog)[code]
    communicator, connected, _ = await connect_as(me)
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    if isinstance(frame, str):
        await communicator.send_to(text_data=frame)
    else:
        await communicator.send_json_to(frame)
    error = await communicator.receive_json_from()
    assert (error["type"], error["code"]) == ("error", code)
    assert error.get("ref") == (REF if ref is True else ref or None)
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", [5, None, ["message.send"], {"x": 1}])
async def test_invalid_type_still_echoes_the_ref(kind):
    """A frame whose `type` is not a string is `invalid`, with its ref."""
    me = await database_sync_to_async(UserFactory)()
    communicator, _, _ = await connect_as(me)
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": kind, "ref": REF})
    assert await communicator.receive_json_from() == {
        "type": "error",
        "code": "invalid",
        "detail": "a frame is a JSON object with a string 'type'",
        "ref": REF,
    }
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_rate_limited_sends_say_which_send_was_refused():
    """Past the burst, each refused `message.send` is answered `rate_limited` with its own
    client_id, so the client can resend exactly those."""
    me, group, _theirs, _dialog = await scene()
    with override_settings(
        REALTIME={**settings.REALTIME, "RATE_PER_SECOND": 0.01, "RATE_BURST": 2}
    ):
        communicator, _, _ = await connect_as(me)
        await communicator.receive_json_from()
        sent = [str(uuid.uuid4()) for _ in range(4)]
        for client_id in sent:
            await communicator.send_json_to(
                {"type": "message.send", "chat": group.pk, "client_id": client_id, "text": "x"}
            )
        replies = []
        while len(replies) < 4:
            reply = await communicator.receive_json_from()
            if reply["type"] in ("message.ack", "error"):
                replies.append(reply)
        acked = [r["client_id"] for r in replies if r["type"] == "message.ack"]
        refused = [r["ref"] for r in replies if r.get("code") == "rate_limited"]
        assert (sorted(acked), sorted(refused)) == (sorted(sent[:2]), sorted(sent[2:]))
        await communicator.send_json_to({"type": "ping", "ref": 99})
        assert await communicator.receive_json_from() == {
            "type": "error",
            "code": "rate_limited",
            "detail": "too many frames; slow down",
            "ref": 99,
        }
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_too_large_frame_has_no_ref_and_closes_with_4009():
    """A frame over the limit is not parsed: `too_large` without ref, then close 4009."""
    me = await database_sync_to_async(UserFactory)()
    with override_settings(REALTIME={**settings.REALTIME, "MAX_FRAME_BYTES": 100}):
        communicator, _, _ = await connect_as(me)
        await communicator.receive_json_from()
        await communicator.send_json_to({"type": "ping", "ref": REF, "pad": "x" * 200})
        error = await communicator.receive_json_from()
        assert (error["code"], "ref" in error) == ("too_large", False)
        assert (await communicator.receive_output(timeout=3))["code"] == 4009
