"""The chat list names what a message without text is: voice, round video or a file."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chats.models import Attachment, Message
from tests.factories import DialogFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db


def file_message(sender, chat, kind: str) -> None:
    """A message whose only content is a file of `kind` (as the recorder sends it)."""
    message = MessageFactory(sender=sender, chat=chat, text="placeholder")
    Message.objects.filter(pk=message.pk).update(text="")
    Attachment.objects.create(
        chat=chat, uploader=sender, message=message, file="x", name="x", content_type="x",
        size=1, kind=kind,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "label"),
    [("voice", "🎤 Voice message"), ("circle", "📹 Video message"), ("file", "📎 File")],
)
def test_chat_list_names_voice_and_round_video_messages(client, kind, label):
    """The last message of a dialog being a voice or round video message shows as such, not
    as a file; the other person sees the same label."""
    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    file_message(anna, chat, kind)
    client.force_login(boris)
    html = client.get(reverse("chats:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert label in html
    if kind != "file":
        assert "📎 File" not in html


def test_the_labels_are_russian_for_a_russian_reader(client):
    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    file_message(anna, chat, "voice")
    client.force_login(boris)
    html = client.get(reverse("chats:list"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "🎤 Голосовое сообщение" in html
