"""docs/realtime-protocol.md documents the notification frames with their exact keys."""

import json
import re

from notifications import events
from tests.chats.test_protocol_doc import DOC, documented


def example(frame_type: str) -> dict:
    """The JSON example under the frame's heading."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"### `{frame_type}`\n", 1)[1]
    return json.loads(re.search(r"```json\n(.+?)\n```", section, flags=re.S).group(1))


def test_notification_frames_are_documented():
    """Both frame types the notifications app sends have a section."""
    declared = {
        re.search(r"['\"]([a-z.]+)['\"]", str(shape.__annotations__["type"])).group(1)
        for shape in (events.NotificationFrame, events.NotificationCountFrame)
    }
    assert declared == {"notification", "notification.count"}
    assert declared <= documented()


def test_documented_examples_have_the_declared_keys():
    """The examples show exactly the keys the frames carry."""
    frame = example("notification")
    assert set(frame) == set(events.NotificationFrame.__annotations__)
    assert set(frame["notification"]) == set(events.NotificationPayload.__annotations__)
    assert set(example("notification.count")) == set(events.NotificationCountFrame.__annotations__)
