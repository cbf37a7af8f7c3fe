"""Unread counts leave out what the reader deleted "for me": the chat list page, the
navigation badge (/chats/unread/) and the API's chat list agree, at a pinned query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chats import services
from tests.factories import GroupFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db

API_CHATS = "/api/v1/chats"


def reader_with_hidden_message(people, group):
    """Three unread messages from the owner; the member deleted one of them for themselves."""
    owner, _admin, member, _ = people
    messages = [MessageFactory(sender=owner, chat=group, text=f"m{n}") for n in range(3)]
    services.message_delete(actor=member, message_id=messages[0].pk, scope="me")
    return member


def test_chat_list_page_leaves_hidden_messages_out_of_the_unread_count(client, people, group):
    """/chats/ counts 2 unread, not 3, after the reader deleted one message for themselves."""
    member = reader_with_hidden_message(people, group)
    client.force_login(member)
    body = client.get(reverse("chats:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'aria-label="Unread: 2"' in body
    assert 'aria-label="Unread: 3"' not in body


def test_badge_leaves_hidden_messages_out(client, people, group):
    """The navigation badge's total (/chats/unread/) is 2, not 3."""
    member = reader_with_hidden_message(people, group)
    client.force_login(member)
    assert client.get(reverse("chats:unread")).json() == {"total": 2}


def test_api_chat_list_leaves_hidden_messages_out(client, people, group):
    """GET /api/v1/chats gives the group `unread: 2`, not 3."""
    member = reader_with_hidden_message(people, group)
    client.force_login(member)
    items = client.get(API_CHATS).json()["items"]
    assert [(item["id"], item["unread"]) for item in items] == [(group.pk, 2)]


def test_hiding_is_per_reader(client, people, group):
    """Another member's unread count still has every message the first one hid."""
    _owner, admin, _member, _ = people
    reader_with_hidden_message(people, group)
    client.force_login(admin)
    assert client.get(reverse("chats:unread")).json() == {"total": 3}


@pytest.mark.parametrize("chats", [2, 8])
def test_chat_list_page_queries_do_not_grow_with_hidden_messages(
    client, chats, django_assert_max_num_queries
):
    """The chat list page costs the same queries for 2 or 8 chats, each with hidden messages."""
    reader = UserFactory()
    for _ in range(chats):
        sender = UserFactory()
        group = GroupFactory(created_by=sender, members=[reader])
        hidden = MessageFactory(sender=sender, chat=group)
        MessageFactory(sender=sender, chat=group)
        services.message_delete(actor=reader, message_id=hidden.pk, scope="me")
    client.force_login(reader)
    client.get(reverse("chats:list"))  # session and language cached, as on any later page
    with django_assert_max_num_queries(12):
        body = client.get(reverse("chats:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert body.count('aria-label="Unread: 1"') == chats
