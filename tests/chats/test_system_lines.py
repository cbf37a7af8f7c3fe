"""System lines: group changes stored as messages of the chat, in seq order, as data."""

from __future__ import annotations

import pytest

from chats import selectors, services
from chats.models import Message
from tests.factories import GroupFactory, UserFactory
from tests.factories.social import befriend

pytestmark = pytest.mark.django_db


def lines(chat) -> list[dict]:
    rows = Message.objects.filter(chat=chat, system__isnull=False).order_by("seq")
    return [
        {
            "kind": m.system["kind"],
            "actor": (m.system["actor"] or {}).get("id"),
            "target": (m.system["target"] or {}).get("id"),
        }
        for m in rows
    ]


def test_each_group_change_stores_one_system_line_after_its_change():
    """Rename, add, promote, demote, remove, leave (with ownership passing on) each store a
    line with the chat's next seq, without a sender and without text."""
    anna, boris, carl = UserFactory(), UserFactory(), UserFactory()
    befriend(anna, boris, carl)
    group = GroupFactory(created_by=anna, members=[boris])
    services.group_rename(actor=anna, chat=group, title="Trip")
    services.chat_members_add(actor=anna, chat=group, users=[carl])
    services.chat_member_set_role(actor=anna, chat=group, user=carl, role="admin")
    services.chat_member_set_role(actor=anna, chat=group, user=carl, role="member")
    services.chat_member_remove(actor=anna, chat=group, user=carl)
    services.chat_leave(user=anna, chat=group)
    assert lines(group) == [
        {"kind": "renamed", "actor": anna.pk, "target": None},
        {"kind": "added", "actor": anna.pk, "target": carl.pk},
        {"kind": "role", "actor": anna.pk, "target": carl.pk},
        {"kind": "role", "actor": anna.pk, "target": carl.pk},
        {"kind": "removed", "actor": anna.pk, "target": carl.pk},
        {"kind": "role", "actor": anna.pk, "target": boris.pk},
        {"kind": "left", "actor": anna.pk, "target": anna.pk},
    ]
    rows = list(Message.objects.filter(chat=group).order_by("seq"))
    assert all(m.sender_id is None and m.text == "" for m in rows)
    assert rows[0].system["title"] == "Trip"
    assert [m.system.get("role") for m in rows[2:4]] == ["admin", "member"]
    group.refresh_from_db()
    assert rows[-1].seq == group.last_seq


def test_system_lines_are_not_unread_and_follow_the_history_floor():
    """A system line is no unread message; a member added later sees the line of their own
    joining but not the rename before it."""
    anna, boris, carl = UserFactory(), UserFactory(), UserFactory()
    befriend(anna, boris, carl)
    group = GroupFactory(created_by=anna, members=[boris])
    services.group_rename(actor=anna, chat=group, title="Trip")
    services.chat_members_add(actor=anna, chat=group, users=[carl])
    assert selectors.unread_total(boris) == 0
    assert selectors.chat_row_for(boris, group.pk).unread == 0
    group.refresh_from_db()
    seen_by_carl = selectors.history_page(carl, selectors.chat_get_for_user(carl, group.pk))
    assert [m.system["kind"] for m in seen_by_carl] == ["added"]
    seen_by_boris = selectors.history_page(boris, selectors.chat_get_for_user(boris, group.pk))
    assert [m.system["kind"] for m in seen_by_boris] == ["renamed", "added"]


def test_a_refused_change_stores_no_line():
    """A plain member cannot rename: nothing is stored."""
    anna, boris = UserFactory(), UserFactory()
    group = GroupFactory(created_by=anna, members=[boris])
    with pytest.raises(Exception):  # noqa: B017 - the service's refusal, whatever its class
        services.group_rename(actor=boris, chat=group, title="Mine")
    assert not Message.objects.filter(chat=group).exists()
