"""Issue 14, item 6: two people who blocked one another and share a group still see each
other's messages in that group, like every other member does. The decision and its reasons
are in docs/security.md ("Found from outside (issue 14)"); these tests pin it, and pin what the
block still does inside a group: no notification across it, and no adding each other."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.services import block_create
from chats import services
from notifications.models import Notification
from tests.factories import GroupFactory, UserFactory, befriend

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_group():
    owner, blocker, blocked = UserFactory(), UserFactory(), UserFactory()
    befriend(owner, blocker, blocked)
    group = GroupFactory(created_by=owner, members=[blocker, blocked])
    block_create(blocker=blocker, blocked=blocked)
    return group, owner, blocker, blocked


def send(user, chat, text, **kwargs):
    message, _ = services.message_send(
        sender=user, chat=chat, text=text, client_id=uuid.uuid4(), **kwargs
    )
    return message


def history_texts(user, chat) -> list[str]:
    client = Client()
    client.force_login(user)
    response = client.get(f"/api/v1/chats/{chat.pk}/messages")
    assert response.status_code == 200, response.content
    return [item["text"] for item in response.json()["items"]]


def test_blocked_pair_see_each_others_group_messages(shared_group):
    """Both directions: the group's history is the same for every member, block or not."""
    group, owner, blocker, blocked = shared_group
    send(blocked, group, "from the blocked one")
    send(blocker, group, "from the blocker")
    for reader in (owner, blocker, blocked):
        texts = history_texts(reader, group)
        assert "from the blocked one" in texts and "from the blocker" in texts


def test_no_notification_across_the_block_in_a_group(shared_group):
    """A reply by the blocked person to the blocker's message notifies nobody across the block;
    the same reply by another member does."""
    group, owner, blocker, blocked = shared_group
    original = send(blocker, group, "question")
    replies = Notification.objects.filter(recipient=blocker, kind="message_reply")
    send(blocked, group, "answer", reply_to=original.pk)
    assert replies.count() == 0
    send(owner, group, "another answer", reply_to=original.pk)
    assert replies.count() == 1


def test_blocked_pair_cannot_add_each_other_to_a_group(shared_group):
    """The denied side: a block still keeps either from putting the other in a new group."""
    _group, _owner, blocker, blocked = shared_group
    with pytest.raises((ValidationError, services.Blocked)):
        services.group_create(owner=blocker, title="new", members=[blocked])
