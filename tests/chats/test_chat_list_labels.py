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
    ("kind", "label", "icon"),
    [
        ("voice", "Voice message", "mic"),
        ("circle", "Video message", "video"),
        ("file", "File", "paperclip"),
    ],
)
def test_chat_list_names_voice_and_round_video_messages(client, kind, label, icon):
    """The last message of a dialog being a voice or round video message shows as such, not
    as a file; the other person sees the same label."""
    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    file_message(anna, chat, kind)
    client.force_login(boris)
    html = client.get(reverse("chats:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<use href="/static/vendor/lucide-1.62.0/icons.svg#{icon}"></use></svg> {label}' in html
    if kind != "file":
        assert "#paperclip" not in html


def test_the_labels_are_russian_for_a_russian_reader(client):
    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    file_message(anna, chat, "voice")
    client.force_login(boris)
    html = client.get(reverse("chats:list"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "</svg> Голосовое сообщение" in html
