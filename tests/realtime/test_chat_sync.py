"""Catch-up after a reconnect, against a real uvicorn worker with real `websockets` clients."""

from __future__ import annotations

import json
import uuid

import pytest
from django.conf import settings
from websockets.sync.client import connect

from chats import selectors, services
from tests.conftest import session_cookie_for
from tests.factories import GroupFactory, UserFactory
from tests.factories.social import befriend

pytestmark = pytest.mark.server


class Client:
    """A real WebSocket client of one user, reading frames with a timeout."""

    def __init__(self, live, user) -> None:
        cookie = session_cookie_for(user, live)
        self.ws = connect(
            live.ws_url,
            origin=live.url,
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie['value']}"},
            open_timeout=10,
            legacy=True,
        )
        self.user = user
        assert self.next()["type"] == "hello"

    def send(self, frame: dict) -> None:
        self.ws.send(json.dumps(frame))

    def next(self, timeout: float = 5.0) -> dict:
        return json.loads(self.ws.recv(timeout=timeout))

    def expect(self, frame_type: str, timeout: float = 5.0) -> dict:
        while True:
            frame = self.next(timeout)
            if frame["type"] == frame_type:
                return frame

    def idle(self, timeout: float = 0.3) -> bool:
        """True when no chat frame arrives within `timeout` (friends' presence aside)."""
        while True:
            try:
                frame = json.loads(self.ws.recv(timeout=timeout))
            except TimeoutError:
                return True
            if frame["type"] != "presence":
                raise AssertionError(f"unexpected frame {frame}")

    def say(self, chat_id: int, text: str) -> dict:
        self.send(
            {"type": "message.send", "chat": chat_id, "client_id": str(uuid.uuid4()), "text": text}
        )
        return self.expect("message.ack")["message"]

    def close(self) -> None:
        self.ws.close()


def test_reconnecting_client_gets_every_missed_change_once_in_order(live):
    """Anna disconnects; Boris writes, edits, reacts and deletes and Vera is added; Anna
    reconnects with `sync` and receives each of those changes exactly once, in seq order,
    and after that live delivery resumes with the next seq."""
    anna, boris, vera = UserFactory(), UserFactory(), UserFactory()
    befriend(anna, boris, vera)
    chat = GroupFactory(created_by=boris, members=[anna])
    anna_ws, boris_ws = Client(live, anna), Client(live, boris)

    boris_ws.say(chat.pk, "first")
    seen = anna_ws.expect("message.new")
    last_seq = seen["seq"]
    anna_ws.close()

    second = boris_ws.say(chat.pk, "second")
    third = boris_ws.say(chat.pk, "third")
    boris_ws.send({"type": "message.edit", "message": second["id"], "text": "second (fixed)"})
    boris_ws.send({"type": "reaction.add", "message": third["id"], "emoji": "🎉"})
    boris_ws.send({"type": "message.delete", "message": seen["message"]["id"], "for": "all"})
    boris_ws.expect("message.deleted")
    services.chat_members_add(actor=boris, chat=chat, users=[vera])  # through the shared DB
    services.group_rename(actor=boris, chat=chat, title="Renamed")

    anna_ws = Client(live, anna)
    anna_ws.send({"type": "sync", "chats": {str(chat.pk): last_seq}})
    result = anna_ws.expect("sync.result")["chats"][str(chat.pk)]
    replayed = [(event["type"], event["seq"]) for event in result["events"]]
    assert replayed == [
        ("message.new", 2),
        ("message.new", 3),
        ("message.updated", 4),
        ("reaction.updated", 5),
        ("message.deleted", 6),
        ("member.added", 7),
        ("message.new", 8),  # the system line: Vera added
        ("chat.updated", 9),
        ("message.new", 10),  # the system line: renamed
    ]
    events = result["events"]
    assert events[0]["message"]["text"] == "second (fixed)"  # current state, not a stale copy
    assert events[2]["message"]["text"] == "second (fixed)"
    assert events[3]["reactions"][0]["emoji"] == "🎉"
    assert events[5]["user"]["id"] == vera.pk
    assert events[6]["message"]["system"]["kind"] == "added"
    assert events[7]["title"] == "Renamed"
    assert events[8]["message"]["system"] == {
        "kind": "renamed",
        "actor": {"id": boris.pk, "name": boris.display_name},
        "target": None,
        "title": "Renamed",
    }
    assert (result["last_seq"], result["complete"]) == (10, True)
    assert anna_ws.idle()  # nothing replayed twice

    boris_ws.say(chat.pk, "welcome back")
    live_frame = anna_ws.expect("message.new")
    assert live_frame["seq"] == 11
    anna_ws.close()
    boris_ws.close()


def test_long_absence_is_caught_up_in_pages(live):
    """After more changes than one `sync` answer holds, `complete` is false and asking again
    from the last seq received continues exactly where the first answer stopped."""
    anna, boris = UserFactory(), UserFactory()
    chat = GroupFactory(created_by=boris, members=[anna])
    total = selectors.SYNC_EVENTS_PER_CHAT + 30
    for number in range(total):
        services.message_send(sender=boris, chat=chat, text=f"m{number}", client_id=uuid.uuid4())

    anna_ws = Client(live, anna)
    seqs: list[int] = []
    since, complete = 0, False
    while not complete:
        anna_ws.send({"type": "sync", "chats": {str(chat.pk): since}})
        result = anna_ws.expect("sync.result")["chats"][str(chat.pk)]
        seqs += [event["seq"] for event in result["events"]]
        since, complete = result["last_seq"], result["complete"]
    assert seqs == list(range(1, total + 1))
    anna_ws.close()


def test_removed_member_learns_on_sync_that_the_chat_is_gone(live):
    """A member removed while offline gets `gone` on sync and none of the later messages."""
    anna, boris = UserFactory(), UserFactory()
    chat = GroupFactory(created_by=boris, members=[anna])
    services.chat_member_remove(actor=boris, chat=chat, user=anna)
    services.message_send(sender=boris, chat=chat, text="after", client_id=uuid.uuid4())

    anna_ws = Client(live, anna)
    anna_ws.send({"type": "sync", "chats": {str(chat.pk): 0}})
    assert anna_ws.expect("sync.result")["chats"] == {str(chat.pk): {"gone": True}}
    anna_ws.close()
