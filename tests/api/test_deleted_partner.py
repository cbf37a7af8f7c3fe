"""A dialog with someone who deleted their account takes no new messages."""

from __future__ import annotations

import uuid

import pytest

from accounts.services import account_delete
from chats import services
from chats.models import Message
from tests.api.chats_kit import API
from tests.factories import DialogFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_sending_to_a_deleted_account_is_refused(api_as):
    """After Boris deletes his account Anna can still read their dialog, but a message to it is
    refused with 403 `blocked` and nothing is stored."""
    anna, boris = UserFactory(), UserFactory()
    dialog = DialogFactory(user=anna, other=boris)
    MessageFactory(sender=boris, chat=dialog, text="bye")
    account_delete(user=boris)
    api = api_as(anna)
    response = api.post(
        f"{API}/chats/{dialog.pk}/messages", {"client_id": str(uuid.uuid4()), "text": "hello?"}
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "blocked"
    assert list(Message.objects.filter(chat=dialog).values_list("text", flat=True)) == ["bye"]
    history = api.get(f"{API}/chats/{dialog.pk}/messages")
    assert [m["text"] for m in history.json()["items"]] == ["bye"]


def test_sending_to_an_active_partner_still_works():
    """The allowed case: both accounts active, the message is stored."""
    anna, boris = UserFactory(), UserFactory()
    dialog = DialogFactory(user=anna, other=boris)
    message, created = services.message_send(
        sender=anna, chat=dialog, text="hi", client_id=uuid.uuid4()
    )
    assert created and message.text == "hi"
