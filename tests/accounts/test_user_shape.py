"""One shape of a person in every socket frame and API payload (accounts/payloads.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.payloads import UserRef, user_ref
from chats import events, selectors, services
from chats.models import ChatEvent
from messenger.api import api
from tests.factories import GroupFactory, MessageFactory, UserFactory
from tests.factories.social import befriend

SHAPE = {"id", "username", "display_name", "avatar_url"}
OLD_NAMES = {"name", "avatar"}
DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_declared_shape():
    """The TypedDict every frame and schema uses has exactly the four keys."""
    assert set(UserRef.__annotations__) == SHAPE


def _object_schemas(node):
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield node
        for value in node.values():
            yield from _object_schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _object_schemas(value)


def test_every_api_schema_shows_people_one_way():
    """Each OpenAPI object with a username is a UserRef or a superset of it (a profile)."""
    schema = api.get_openapi_schema()
    assert set(schema["components"]["schemas"]["UserRef"]["properties"]) == SHAPE
    people = [s for s in _object_schemas(schema) if "username" in s["properties"]]
    assert len(people) >= 2
    for person in people:
        keys = set(person["properties"])
        if "id" not in keys:
            continue  # a request body naming someone by username
        assert keys >= SHAPE, keys
        assert not keys & OLD_NAMES, keys


@pytest.mark.parametrize("doc", ["realtime-protocol.md", "realtime-social.md", "api.md"])
def test_docs_show_people_one_way(doc):
    """Every example person in the protocol and API docs has the four keys, no old names."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    people = re.findall(r'\{"id": \d+, "username": "[^"]*"[^{}]*\}', text)
    assert people
    for person in people:
        keys = set(json.loads(person))
        assert keys >= SHAPE and not keys & OLD_NAMES, person


@pytest.mark.django_db
def test_frames_and_api_agree(client):
    """A message's sender reads the same in its frame and in the REST history."""
    owner, member = UserFactory(first_name="Анна"), UserFactory()
    befriend(owner, member)
    chat = GroupFactory(created_by=owner, members=[member])
    message = MessageFactory(sender=owner, chat=chat, text="hi")
    assert events.message_new(message)["message"]["sender"] == user_ref(owner)
    client.force_login(member)
    listed = client.get(f"/api/v1/chats/{chat.pk}/messages").json()["items"]
    assert [item["sender"] for item in listed if item["id"] == message.pk] == [user_ref(owner)]


@pytest.mark.django_db
def test_typing_frame_names_the_typist_as_the_shape_does():
    """`typing` carries the user id and the same `display_name` key."""
    person = UserFactory(first_name="Глеб")
    frame = events.typing(chat_id=1, user=person)
    assert frame == {
        "type": "typing",
        "chat": 1,
        "user": person.pk,
        "display_name": person.display_name,
    }


@pytest.mark.django_db
def test_sync_replays_an_old_member_added_in_the_one_shape():
    """A `member.added` stored with the old `name`/`avatar` keys is replayed in the new shape."""
    owner, newcomer = UserFactory(), UserFactory()
    befriend(owner, newcomer)
    chat = GroupFactory(created_by=owner)
    services.chat_members_add(actor=owner, chat=chat, users=[newcomer])
    event = ChatEvent.objects.get(chat=chat, type="member.added")
    event.data = {
        **event.data,
        "user": {
            "id": newcomer.pk,
            "username": newcomer.username,
            "name": "Old Name",
            "avatar": None,
        },
    }
    event.save(update_fields=["data"])
    replayed = selectors.sync_for(owner, {chat.pk: 0})[str(chat.pk)]["events"]
    added = [frame for frame in replayed if frame["type"] == "member.added"]
    assert added[0]["user"] == {
        "id": newcomer.pk,
        "username": newcomer.username,
        "display_name": "Old Name",
        "avatar_url": None,
    }


@pytest.mark.django_db
def test_chat_page_members_use_the_shape(client):
    """The chat page's member list (read by the browser client) has the four keys and a role."""
    owner, member = UserFactory(), UserFactory()
    befriend(owner, member)
    chat = GroupFactory(created_by=owner, members=[member])
    client.force_login(member)
    page = client.get(reverse("chats:detail", args=[chat.pk]))
    assert page.status_code == 200
    state = json.loads(re.search(r'id="chat-state"[^>]*>(.*?)</script>', page.text, re.S)[1])
    for person in state["members"].values():
        assert set(person) == SHAPE | {"role"}
