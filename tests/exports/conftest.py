"""Fixtures for export tests: a group where someone joined late, archive readers."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chats import services as chat_services
from chats.models import Chat, Message
from exports import archive
from tests.factories import GroupFactory, UserFactory
from tests.factories.social import befriend


@dataclass
class Archive:
    """An opened export: its entry names, data.json and index.html."""

    zip: zipfile.ZipFile
    data: dict
    html: str

    @property
    def names(self) -> set[str]:
        return set(self.zip.namelist())

    def texts(self) -> set[str]:
        """Every message text in data.json, over all chats."""
        return {m["text"] for chat in self.data["chats"] for m in chat["messages"]}

    def chat_ids(self) -> set[int]:
        return {chat["id"] for chat in self.data["chats"]}


def open_archive(raw: bytes) -> Archive:
    bundle = zipfile.ZipFile(io.BytesIO(raw))
    assert bundle.testzip() is None
    return Archive(
        bundle, json.loads(bundle.read("data.json")), bundle.read("index.html").decode("utf-8")
    )


@pytest.fixture
def export_of():
    """`export_of(user, chat_id=None)` builds the archive in memory and opens it."""

    def build(user, chat_id=None) -> Archive:
        out = io.BytesIO()
        archive.build(out, requester=user, chat_id=chat_id)
        return open_archive(out.getvalue())

    return build


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def send(sender, chat: Chat, text: str = "", **kwargs) -> Message:
    message, _created = chat_services.message_send(
        sender=sender, chat=chat, text=text, client_id=uuid.uuid4(), **kwargs
    )
    return message


def upload(uploader, chat: Chat, name: str, content: bytes = b"plain file body"):
    return chat_services.attachment_create(
        uploader=uploader, chat=chat, upload=SimpleUploadedFile(name, content)
    )


@dataclass
class LateJoin:
    """anna owns a group with boris; two messages and a file; carol is added; one more."""

    anna: object
    boris: object
    carol: object
    chat: Chat
    before: Message
    before_file: Message
    after: Message


@pytest.fixture
def late_join(db) -> LateJoin:
    anna, boris, carol = UserFactory(), UserFactory(), UserFactory()
    befriend(anna, boris, carol)
    chat = GroupFactory(created_by=anna, members=[boris])
    before = send(anna, chat, "before carol joined")
    early_file = upload(anna, chat, "early-plan.txt", b"early secret plan")
    before_file = send(anna, chat, "", attachment_ids=[early_file.pk])
    chat_services.chat_members_add(actor=anna, chat=chat, users=[carol])
    after = send(boris, chat, "welcome carol", reply_to=before.pk)
    return LateJoin(anna, boris, carol, chat, before, before_file, after)


@pytest.fixture
def build_inline(django_capture_on_commit_callbacks):
    """`with build_inline():` runs the block and then its after-commit callbacks, which enqueue
    the build on the tests' immediate task backend: the export is built in this thread."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
