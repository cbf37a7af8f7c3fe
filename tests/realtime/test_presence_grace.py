"""Presence survives page navigation: a socket replaced within the grace period is no blip."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import override_settings

from social.models import Friendship
from tests.factories import UserFactory
from tests.realtime.test_hub import connect_as

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def make_friends():
    alice, bob = UserFactory(), UserFactory()
    Friendship.objects.bulk_create(
        [Friendship(user=alice, friend=bob), Friendship(user=bob, friend=alice)]
    )
    return alice, bob


async def test_reconnect_within_grace_sends_no_offline_blip():
    """Bob sees Alice online once; a reload (close + reopen) shows no offline; leaving does."""
    alice, bob = await database_sync_to_async(make_friends)()
    with override_settings(REALTIME={**settings.REALTIME, "PRESENCE_GRACE_SECONDS": 0.3}):
        watcher, _, _ = await connect_as(bob)
        await watcher.receive_json_from()  # hello

        first, _, _ = await connect_as(alice)
        online = await watcher.receive_json_from()
        assert (online["type"], online["user"], online["online"]) == ("presence", alice.pk, True)

        await first.disconnect()
        second, _, _ = await connect_as(alice)  # the next page of the same tab
        await asyncio.sleep(0.6)
        assert await watcher.receive_nothing(timeout=0.1)

        await second.disconnect()
        offline = await watcher.receive_json_from(timeout=2)
        assert (offline["type"], offline["user"], offline["online"]) == (
            "presence",
            alice.pk,
            False,
        )
        await watcher.disconnect()
