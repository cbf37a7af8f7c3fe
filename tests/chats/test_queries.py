"""Query counts of the hot chat pages, pinned at two data sizes so an N+1 cannot hide."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chats import services
from chats.models import Attachment, StickerPack
from tests.chats.test_stickers import png
from tests.factories import DialogFactory, GroupFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_QUERIES = 10
HISTORY_QUERIES = 13
PAGE_QUERIES = 16  # +2: the sticker packs and their stickers


def count_queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def fill_chats(me, count: int) -> None:
    """`count` chats for `me`, half dialogs and half groups, each with a message from others."""
    for number in range(count):
        if number % 2:
            other = UserFactory()
            chat = DialogFactory(user=me, other=other)
        else:
            other = UserFactory()
            chat = GroupFactory(created_by=other, members=[me, UserFactory()])
        MessageFactory(sender=other, chat=chat, text=f"hello {number}")


def test_chat_list_query_count_does_not_grow_with_chats(client):
    """The chat list costs the same number of queries for 5 chats as for 50."""
    small, large = UserFactory(), UserFactory()
    fill_chats(small, 5)
    fill_chats(large, 50)
    client.force_login(small)
    few = count_queries(client, reverse("chats:list"))
    client.force_login(large)
    many = count_queries(client, reverse("chats:list"))
    assert few == many <= LIST_QUERIES, (few, many)


def fill_history(count: int):
    """A group with `count` messages, each a reply with a reaction and an attachment (and a
    sticker pack on offer, which the chat page lists)."""
    if not StickerPack.objects.exists():
        services.sticker_pack_install(
            slug="pins", title="Pins", licence="", pictures=[("one", png()), ("two", png())]
        )
    owner, member = UserFactory(), UserFactory()
    chat = GroupFactory(created_by=owner, members=[member])
    previous = None
    for number in range(count):
        sender = owner if number % 2 else member
        attachment = Attachment.objects.create(
            chat=chat,
            uploader=sender,
            file=f"chat-files/x/{number}.txt",
            name=f"{number}.txt",
            content_type="text/plain",
            size=1,
        )
        message = MessageFactory(
            sender=sender,
            chat=chat,
            text=f"m{number}",
            reply_to=previous.pk if previous else None,
            attachment_ids=[attachment.pk],
        )
        services.reaction_add(user=owner, message_id=message.pk, emoji="👍")
        services.reaction_add(user=member, message_id=message.pk, emoji="🔥")
        previous = message
    return chat, member


@pytest.mark.parametrize(
    ("url_name", "limit"), [("chats:history", HISTORY_QUERIES), ("chats:detail", PAGE_QUERIES)]
)
def test_chat_pages_query_count_does_not_grow_with_messages(client, url_name, limit):
    """A history page and the chat page cost the same for 5 messages as for 50 (each message
    a reply with a file and two reactions)."""
    small_chat, small_member = fill_history(5)
    large_chat, large_member = fill_history(50)
    client.force_login(small_member)
    few = count_queries(client, reverse(url_name, args=[small_chat.pk]))
    client.force_login(large_member)
    many = count_queries(client, reverse(url_name, args=[large_chat.pk]))
    assert few == many <= limit, (few, many)


def test_history_page_walks_the_chat_seq_index(group, people):
    """A history page reads the (chat, seq) index in order and stops after one page: no scan
    of the chat and no sort, so a chat of a million messages opens like one of a thousand."""
    from django.db import transaction

    from chats import selectors

    _owner, _admin, member, _ = people
    MessageFactory(sender=member, chat=group)
    queryset = selectors.history_queryset(member, group, before=10)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tiny test tables make a sequential scan cheapest; ask whether the index serves.
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    # SQLite names the unique constraint's index sqlite_autoindex_*; PostgreSQL keeps its name.
    index_used = (
        "message_chat_seq" in plan
        if connection.vendor == "postgresql"
        else "USING INDEX sqlite_autoindex_chats_message" in plan and "(chat_id=? AND seq" in plan
    )
    assert index_used, plan
    assert "TEMP B-TREE" not in plan.upper(), plan  # SQLite: no sort step
    assert "\nSort" not in plan and "-> Sort" not in plan, plan  # PostgreSQL: no sort node
