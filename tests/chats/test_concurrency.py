"""Races that real users cause: resends of one message, double clicks on "Message"."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest
from django.db import connections

from chats import services
from chats.models import Chat, Membership, Message
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(count: int, work: Callable[[], object]) -> list[object]:
    """Run `work` in `count` threads released at the same instant; results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work()
        except Exception as exc:  # reported to the test, which asserts on it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_same_client_id_sent_three_times_at_once_stores_one_message():
    """Three concurrent sends with one client_id give one row; all three get that message."""
    sender = UserFactory()
    chat = GroupFactory(created_by=sender)
    client_id = uuid.uuid4()

    results = run_together(
        3,
        lambda: services.message_send(sender=sender, chat=chat, text="once", client_id=client_id),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Message.objects.filter(sender=sender, client_id=client_id).count() == 1
    assert len({message.pk for message, _created in results}) == 1
    assert sorted(created for _message, created in results) == [False, False, True]
    chat.refresh_from_db()
    assert chat.last_seq == 1


def test_concurrent_message_clicks_create_one_dialog():
    """Both people clicking "Message" at once (several times) end up in one dialog."""
    anna, boris = UserFactory(), UserFactory()

    results = run_together(
        4,
        lambda: services.dialog_get_or_create(user=anna, other=boris).pk,
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert Chat.objects.filter(kind=Chat.Kind.DIALOG).count() == 1
    assert Membership.objects.filter(chat_id=results[0]).count() == 2


def test_concurrent_sends_to_one_chat_get_distinct_gapless_numbers():
    """Messages sent at the same moment by different people get seq 1..n without gaps."""
    people = [UserFactory() for _ in range(4)]
    chat = GroupFactory(created_by=people[0], members=people[1:])
    lock = threading.Lock()
    turn = iter(people)

    def send():
        with lock:
            sender = next(turn)
        return services.message_send(sender=sender, chat=chat, text="hi", client_id=uuid.uuid4())[
            0
        ].seq

    results = run_together(4, send)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [1, 2, 3, 4]
    assert sorted(Message.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]
