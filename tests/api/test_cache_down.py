"""With the cache (Redis in production) unreachable, the API and sockets keep working:
writes are let through the write limit, every error is JSON, pages render without presence
and a new socket is served (issue #15). Nothing listens on the cache's port: a real outage,
not a stand-in. The Redis restart under traffic is tests/realtime/test_broker_outage.py."""

from __future__ import annotations

import uuid

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from chats.models import Message
from tests.api.chats_kit import API, make_world
from tests.api.conftest import JsonApi, login_tokens
from tests.conftest import free_port
from tests.factories import DialogFactory, MessageFactory
from tests.realtime.test_hub import _login, connect_as


def take_the_cache_down(settings, backend="django.core.cache.backends.redis.RedisCache") -> None:
    """Point the cache at a port nothing listens on. Django's own Redis backend by default:
    the API and socket code must cope with any cache failing; production's backend
    (messenger.cache.FailOpenRedisCache) also makes third-party users of the cache cope."""
    settings.CACHES = {
        "default": {"BACKEND": backend, "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    }


FAIL_OPEN = "messenger.cache.FailOpenRedisCache"


@pytest.mark.django_db
def test_writes_succeed_and_are_stored_while_the_cache_is_down(settings):
    """A REST write is answered 201 and stored although the write limit cannot count it."""
    world = make_world()
    api = JsonApi(login_tokens(world.member).access)
    take_the_cache_down(settings)
    client_id = str(uuid.uuid4())
    response = api.post(
        f"{API}/chats/{world.group.pk}/messages", {"client_id": client_id, "text": "hi"}
    )
    assert response.status_code == 201, response.content
    assert Message.objects.filter(chat=world.group, client_id=client_id).count() == 1


@pytest.mark.django_db
def test_errors_stay_json_while_the_cache_is_down(settings):
    """A refused write (404) is still the JSON error shape, not an HTML 500."""
    world = make_world()
    api = JsonApi(login_tokens(world.stranger).access)
    take_the_cache_down(settings)
    response = api.post(
        f"{API}/chats/{world.group.pk}/messages", {"client_id": str(uuid.uuid4()), "text": "x"}
    )
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_chat_list_renders_without_presence_while_the_cache_is_down(client, settings):
    """/chats/ renders (nobody shown online) when presence cannot be read."""
    world = make_world()
    dialog = DialogFactory(user=world.member, other=world.owner)
    MessageFactory(sender=world.owner, chat=dialog, text="are you there?")
    client.force_login(world.member)
    take_the_cache_down(settings)
    response = client.get(reverse("chats:list"))
    assert response.status_code == 200
    assert "are you there?" in response.content.decode()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_new_socket_is_served_while_the_cache_is_down(settings):
    """A new socket gets hello and keeps answering although presence cannot count it."""
    world = await database_sync_to_async(make_world)()
    key = await database_sync_to_async(_login)(world.member)
    take_the_cache_down(settings)
    communicator, connected, _ = await connect_as(world.member, session_key=key)
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.django_db
def test_login_works_while_the_cache_is_down(settings):
    """allauth's login limits live in the cache: with production's backend a login still
    succeeds (and gets tokens) while Redis is unreachable."""
    world = make_world()
    take_the_cache_down(settings, FAIL_OPEN)
    tokens = login_tokens(world.member)
    response = JsonApi(tokens.access).get(f"{API}/chats")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [world.group.pk]


def test_fail_open_cache_behaves_as_an_empty_forgetful_cache(settings):
    """Reads miss, writes are dropped, counters are missing; nothing raises."""
    from django.core.cache import cache

    take_the_cache_down(settings, FAIL_OPEN)
    assert cache.get("k", "default") == "default"
    assert cache.add("k", 1) is True
    cache.set("k", 1)
    assert cache.get_many(["k"]) == {}
    assert cache.has_key("k") is False
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.touch("k") is False
