"""The demo data of `make run`: chats to look at, and safe to load twice."""

import io

import pytest
from django.core.management import call_command

from chats.models import Attachment, Chat, Message, Reaction

pytestmark = pytest.mark.django_db


def counts() -> tuple:
    return (
        Chat.objects.filter(kind="dialog").count(),
        Chat.objects.filter(kind="group").count(),
        Message.objects.count(),
        Reaction.objects.count(),
        Attachment.objects.count(),
    )


def test_seed_demo_creates_chats_once():
    """seed_demo makes two dialogs and a group with messages; a second run adds nothing."""
    call_command("seed_demo", "--insecure-demo", stdout=io.StringIO())
    first = counts()
    assert first == (2, 1, 10, 3, 1)  # 9 messages and the system line of the new admin
    call_command("seed_demo", "--insecure-demo", stdout=io.StringIO())
    assert counts() == first
