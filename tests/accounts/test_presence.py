"""Presence: socket counting across sockets and workers, frames to friends, last_seen."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache
from django.utils import timezone

from accounts import services
from accounts.models import User
from accounts.selectors import online_user_ids
from social.models import Friendship
from tests.factories import UserFactory
from tests.realtime.test_hub import connect_as

pytestmark = pytest.mark.django_db


def befriend(a, b):
    Friendship.objects.create(user=a, friend=b)
    Friendship.objects.create(user=b, friend=a)


async def people():
    """A user, a friend of theirs and a stranger, the latter two listening on sockets."""
    user, friend, stranger = [await database_sync_to_async(UserFactory)() for _ in range(3)]
    await database_sync_to_async(befriend)(user, friend)
    listeners = {}
    for name, person in (("friend", friend), ("stranger", stranger)):
        communicator, connected, _ = await connect_as(person)
        assert connected
        await communicator.receive_json_from()  # hello
        listeners[name] = communicator
    return user, listeners


async def open_socket(user):
    communicator, connected, _ = await connect_as(user)
    assert connected
    await communicator.receive_json_from()  # hello
    return communicator


def online(user) -> bool:
    return user.pk in online_user_ids([user.pk])


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_friends_hear_online_and_offline_only_on_transitions():
    """The first socket makes the user online and the last one closing makes them offline;
    friends get exactly one frame each time, strangers none."""
    user, listeners = await people()
    friend, stranger = listeners["friend"], listeners["stranger"]

    first = await open_socket(user)
    frame = await friend.receive_json_from()
    assert set(frame) == {"type", "user", "online", "last_seen"}
    assert frame["type"] == "presence" and frame["user"] == user.pk and frame["online"] is True
    assert online(user)

    second = await open_socket(user)
    await first.disconnect()
    assert await friend.receive_nothing(timeout=0.2)  # still one socket open: no change
    assert online(user)

    await second.disconnect()
    frame = await friend.receive_json_from()
    assert frame["online"] is False
    assert frame["user"] == user.pk
    assert not online(user)
    assert await stranger.receive_nothing(timeout=0.2)
    person = await database_sync_to_async(User.objects.get)(pk=user.pk)
    assert person.last_seen is not None
    assert abs((timezone.now() - person.last_seen).total_seconds()) < 60
    for communicator in listeners.values():
        await communicator.disconnect()


def test_sockets_in_several_workers_are_counted_together():
    """Two workers' sockets share one count: online until both have closed."""
    user = UserFactory()
    services.presence_connected(user_id=user.pk)  # worker A
    services.presence_connected(user_id=user.pk)  # worker B
    services.presence_disconnected(user_id=user.pk, sockets_left_here=0)  # A's closes
    assert online(user)
    services.presence_disconnected(user_id=user.pk, sockets_left_here=0)  # B's closes
    assert not online(user)


def test_lost_count_is_repaired_from_the_sockets_still_open_here():
    """If the cache forgot the count, a worker still holding sockets keeps the user online."""
    user = UserFactory()
    for _ in range(3):
        services.presence_connected(user_id=user.pk)
    cache.clear()
    services.presence_disconnected(user_id=user.pk, sockets_left_here=2)
    assert online(user)
    services.presence_disconnected(user_id=user.pk, sockets_left_here=1)
    services.presence_disconnected(user_id=user.pk, sockets_left_here=0)
    assert not online(user)
    services.presence_disconnected(user_id=user.pk, sockets_left_here=0)  # stray extra close
    services.presence_connected(user_id=user.pk)
    assert online(user)


def test_last_seen_is_written_at_most_once_a_minute():
    """Reconnecting within a minute does not rewrite last_seen; after a minute it does."""
    user = UserFactory()
    services.presence_connected(user_id=user.pk)
    first = User.objects.get(pk=user.pk).last_seen
    assert first is not None
    old = timezone.now() - timedelta(hours=1)
    User.objects.filter(pk=user.pk).update(last_seen=old)
    services.presence_disconnected(user_id=user.pk, sockets_left_here=0)
    services.presence_connected(user_id=user.pk)
    assert User.objects.get(pk=user.pk).last_seen == old
    cache.delete(f"presence:seen-written:{user.pk}")  # the minute has passed
    services.presence_disconnected(user_id=user.pk, sockets_left_here=0)
    assert User.objects.get(pk=user.pk).last_seen > old


def test_online_ids_for_many_users_in_one_call(django_assert_num_queries):
    """online_user_ids answers for many users at once without touching the database."""
    users = [UserFactory() for _ in range(5)]
    for person in users[:2]:
        services.presence_connected(user_id=person.pk)
    with django_assert_num_queries(0):
        assert online_user_ids([p.pk for p in users]) == {users[0].pk, users[1].pk}
        assert online_user_ids([]) == set()
