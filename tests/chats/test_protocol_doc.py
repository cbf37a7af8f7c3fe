"""docs/realtime-protocol.md documents every chat frame, both directions."""

import re
from pathlib import Path

from chats import events
from messenger.realtime import frames

DOC = Path(__file__).resolve().parents[2] / "docs" / "realtime-protocol.md"


def documented() -> set[str]:
    names = set()
    for heading in re.findall(r"^### (.+)$", DOC.read_text(encoding="utf-8"), flags=re.M):
        names.update(re.findall(r"`([a-z.]+)`", heading))
    return names


def server_frame_types() -> set[str]:
    """Every `type` literal declared in chats/events.py."""
    types = set()
    for declared in vars(events).values():
        hints = getattr(declared, "__annotations__", {})
        match = re.search(r"Literal\[['\"]([a-z.]+)['\"]\]", str(hints.get("type", "")))
        if match:
            types.add(match.group(1))
    return types


def test_every_client_frame_is_documented():
    """Each frame type the server accepts has a section with an example."""
    assert set(frames.registered_types()) <= documented()


def test_every_server_chat_frame_is_documented():
    """Each frame shape declared in chats/events.py has a section with an example."""
    declared = server_frame_types()
    assert {"message.new", "sync.result", "member.removed"} <= declared
    assert declared <= documented()
