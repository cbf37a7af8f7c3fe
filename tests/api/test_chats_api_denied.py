"""Chats API refusals: every operation denied to the anonymous, to strangers, to removed
members, to members without the role, across chats and between blocked people; each time the
chat is left exactly as it was."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import block_create, block_delete
from chats import services
from chats.models import Message
from messenger.api import api as ninja_api
from tests.api.chats_kit import (
    API,
    CHAT_OPERATIONS,
    MODERATION,
    OTHER_OPERATIONS,
    call,
    ids_of,
    snapshot,
)
from tests.factories import DialogFactory, GroupFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db


def _label(op) -> str:
    return f"{op[0]} {op[1]}"


def test_every_chat_operation_of_the_schema_is_in_the_denial_tables():
    """A new chats operation cannot ship without joining the refusal tests below."""
    schema = ninja_api.get_openapi_schema()
    listed = {
        (method.upper(), path.split("?")[0].replace("👍", "{emoji}"))
        for method, path, _body in CHAT_OPERATIONS + OTHER_OPERATIONS
    }
    renames = {"{chat_id}": "{chat}", "{message_id}": "{message}", "{username}": "{member}"}
    in_schema = set()
    for path, operations in schema["paths"].items():
        if not path.startswith(f"{API}/chats") and not path.startswith(f"{API}/dialogs"):
            continue
        for old, new in renames.items():
            path = path.replace(old, new)
        in_schema |= {(method.upper(), path[len(API) :]) for method in operations}
    assert in_schema == listed


@pytest.mark.parametrize("op", CHAT_OPERATIONS + OTHER_OPERATIONS, ids=_label)
def test_anonymous_gets_401_and_nothing_changes(world, anon_api, op):
    """No token, no session: 401 not_authenticated for every operation."""
    before = snapshot(world.group.pk)
    response = call(anon_api, *op, **ids_of(world))
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "not_authenticated"
    assert snapshot(world.group.pk) == before


@pytest.mark.parametrize("op", CHAT_OPERATIONS, ids=_label)
def test_stranger_gets_404_and_nothing_changes(world, api_as, op):
    """Someone outside the group cannot see it exists, nor touch anything in it."""
    before = snapshot(world.group.pk)
    response = call(api_as(world.stranger), *op, **ids_of(world))
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    assert snapshot(world.group.pk) == before


@pytest.mark.parametrize("op", CHAT_OPERATIONS, ids=_label)
def test_removed_member_gets_404_and_nothing_changes(world, api_as, op):
    """Once removed, a former member is a stranger to the group."""
    member_api = api_as(world.member)
    services.chat_member_remove(actor=world.owner, chat=world.group, user=world.member)
    before = snapshot(world.group.pk)
    response = call(member_api, *op, **ids_of(world, member=world.admin.username))
    assert response.status_code == 404, response.content
    assert snapshot(world.group.pk) == before


def test_removed_member_gets_no_events_after_removal(world, api_as, published):
    """Messages sent after the removal are published to the remaining members only."""
    services.chat_member_remove(actor=world.owner, chat=world.group, user=world.member)
    with published() as sent:
        response = api_as(world.owner).post(
            f"{API}/chats/{world.group.pk}/messages",
            {"client_id": str(uuid.uuid4()), "text": "after"},
        )
    assert response.status_code == 201
    assert [(frame["type"], users) for frame, users in sent] == [
        ("message.new", {world.owner.pk, world.admin.pk})
    ]


@pytest.mark.parametrize("op", MODERATION, ids=_label)
def test_plain_member_gets_403_for_moderation_and_nothing_changes(world, api_as, op):
    """Renaming, the photo, members and deleting the group are for the owner and admins."""
    before = snapshot(world.group.pk)
    ids = ids_of(world, member=world.admin.username)
    response = call(api_as(world.member), *op, **ids)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "forbidden"
    assert snapshot(world.group.pk) == before


def test_plain_member_cannot_read_the_audit_log(world, api_as):
    """The audit log is hidden from plain members like a missing page (404)."""
    response = api_as(world.member).get(f"{API}/chats/{world.group.pk}/audit")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("DELETE", "/chats/{chat}", None),
        ("PATCH", "/chats/{chat}/members/{member}", {"role": "admin"}),
        ("DELETE", "/chats/{chat}/members/{target}", None),
    ],
    ids=["delete group", "change a role", "remove the owner"],
)
def test_admin_gets_403_for_owner_actions_and_nothing_changes(world, api_as, method, path, body):
    """Only the owner deletes the group, appoints admins, and nobody removes the owner."""
    before = snapshot(world.group.pk)
    ids = ids_of(world, target=world.owner.username)
    response = call(api_as(world.admin), method, path, body, **ids)
    assert response.status_code == 403, response.content
    assert snapshot(world.group.pk) == before


def test_message_of_another_chat_is_404_through_this_chat_and_unchanged(world, api_as):
    """A message id of chat A used under chat B's URL is not found, even for a member of both."""
    other = GroupFactory(created_by=world.owner, members=[world.member])
    mine = MessageFactory(sender=world.member, chat=other, text="in the other group")
    member_api = api_as(world.member)
    before = snapshot(world.group.pk), snapshot(other.pk)
    for method, path, body in [
        ("PATCH", "/chats/{chat}/messages/{message}", {"text": "changed"}),
        ("DELETE", "/chats/{chat}/messages/{message}?for=all", None),
        ("DELETE", "/chats/{chat}/messages/{message}?for=me", None),
        ("PUT", "/chats/{chat}/messages/{message}/reactions/👍", None),
    ]:
        response = call(member_api, method, path, body, chat=world.group.pk, message=mine.pk)
        assert response.status_code == 404, (method, path, response.content)
    assert (snapshot(world.group.pk), snapshot(other.pk)) == before


def test_attachment_of_another_chat_cannot_be_sent_here(world, api_as):
    """A file uploaded to chat A and referenced in a message to chat B is refused; nothing sent."""
    other = GroupFactory(created_by=world.owner, members=[world.member])
    member_api = api_as(world.member)
    upload = member_api.client.post(
        f"{API}/chats/{other.pk}/attachments",
        {"file": SimpleUploadedFile("a.txt", b"abc", "text/plain")},
        headers={"Authorization": f"Bearer {member_api.token}"},
    )
    assert upload.status_code == 201
    before = snapshot(world.group.pk), snapshot(other.pk)
    response = member_api.post(
        f"{API}/chats/{world.group.pk}/messages",
        {"client_id": str(uuid.uuid4()), "text": "see file", "attachments": [upload.json()["id"]]},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "attachment"
    assert (snapshot(world.group.pk), snapshot(other.pk)) == before


def test_someone_elses_upload_cannot_be_sent(world, api_as):
    """An upload is sent only by its uploader."""
    admin_api = api_as(world.admin)
    upload = admin_api.client.post(
        f"{API}/chats/{world.group.pk}/attachments",
        {"file": SimpleUploadedFile("a.txt", b"abc", "text/plain")},
        headers={"Authorization": f"Bearer {admin_api.token}"},
    )
    before = snapshot(world.group.pk)
    response = api_as(world.member).post(
        f"{API}/chats/{world.group.pk}/messages",
        {"client_id": str(uuid.uuid4()), "attachments": [upload.json()["id"]]},
    )
    assert response.status_code == 409
    assert snapshot(world.group.pk) == before


def test_blocked_pair_cannot_write_in_their_dialog(world, api_as):
    """After a block the dialog is gone for both: sending, reacting, uploading and reading its
    history are 404 and it leaves both chat lists; nothing changes. Lifting the block brings
    the history back unchanged."""
    alice, bob = UserFactory(), UserFactory()
    dialog = DialogFactory(user=alice, other=bob)
    earlier = MessageFactory(sender=bob, chat=dialog, text="before the block")
    block_create(blocker=bob, blocked=alice)
    before = snapshot(dialog.pk)
    attempts = [
        ("POST", "/chats/{chat}/messages", {"client_id": "{uuid}", "text": "hi"}, 404),
        ("PUT", "/chats/{chat}/messages/{message}/reactions/👍", None, 404),
        ("POST", "/chats/{chat}/attachments", "file", 404),
        ("GET", "/chats/{chat}/messages", None, 404),
    ]
    for person in (alice, bob):
        person_api = api_as(person)
        for method, path, body, status in attempts:
            response = call(person_api, method, path, body, chat=dialog.pk, message=earlier.pk)
            assert response.status_code == status, (person, path, response.content)
            assert response.json()["code"] == "not_found"
        listed = person_api.get(f"{API}/chats").json()["items"]
        assert dialog.pk not in [row["id"] for row in listed]
    assert snapshot(dialog.pk) == before
    block_delete(blocker=bob, blocked=alice)
    history = api_as(alice).get(f"{API}/chats/{dialog.pk}/messages")
    assert [m["text"] for m in history.json()["items"]] == ["before the block"]


def test_dialog_with_someone_who_blocked_me_is_not_found(world, api_as):
    """A blocker is invisible: opening a dialog with them is a 404 and creates nothing."""
    alice, bob = UserFactory(), UserFactory()
    block_create(blocker=bob, blocked=alice)
    count = Message.objects.count(), snapshot(0)["chats"]
    response = api_as(alice).post(f"{API}/dialogs", {"username": bob.username})
    assert response.status_code == 404
    assert (Message.objects.count(), snapshot(0)["chats"]) == count


def test_group_refusals_create_nothing(world, api_as):
    """A group with a non-friend (409 not_friend) or an unknown name (404) is not created."""
    owner_api = api_as(world.owner)
    chats = snapshot(0)["chats"]
    not_friend = owner_api.post(
        f"{API}/chats", {"title": "G", "members": [world.stranger.username]}
    )
    assert (not_friend.status_code, not_friend.json()["code"]) == (409, "not_friend")
    unknown = owner_api.post(f"{API}/chats", {"title": "G", "members": ["nobody-here"]})
    assert unknown.status_code == 404
    assert "nobody-here" in unknown.json()["detail"]
    blank = owner_api.post(f"{API}/chats", {"title": "   "})
    assert blank.status_code == 409
    assert snapshot(0)["chats"] == chats


def test_editing_someone_elses_message_is_403_and_unchanged(world, api_as):
    """Only the sender edits a message; the owner may delete it for all but not rewrite it."""
    before = snapshot(world.group.pk)
    response = api_as(world.owner).patch(
        f"{API}/chats/{world.group.pk}/messages/{world.message.pk}", {"text": "owned"}
    )
    assert response.status_code == 403
    assert snapshot(world.group.pk) == before


def test_member_cannot_delete_anothers_message_for_all(world, api_as):
    """A plain member deletes only their own messages for everyone."""
    own = MessageFactory(sender=world.admin, chat=world.group, text="admin says")
    before = snapshot(world.group.pk)
    response = api_as(world.member).delete(
        f"{API}/chats/{world.group.pk}/messages/{own.pk}?for=all"
    )
    assert response.status_code == 403
    assert snapshot(world.group.pk) == before


def test_upload_over_the_limit_is_413_and_stores_nothing(world, api_as, settings):
    """A file over UPLOAD_MAX_BYTES is refused with 413 too_large."""
    settings.UPLOAD_MAX_BYTES = 1024
    member_api = api_as(world.member)
    before = snapshot(world.group.pk)
    response = member_api.client.post(
        f"{API}/chats/{world.group.pk}/attachments",
        {"file": SimpleUploadedFile("big.bin", b"x" * 2048, "application/octet-stream")},
        headers={"Authorization": f"Bearer {member_api.token}"},
    )
    assert (response.status_code, response.json()["code"]) == (413, "too_large")
    assert snapshot(world.group.pk) == before


def test_reused_client_id_in_another_chat_is_409(world, api_as):
    """A client_id names one message: reusing it in another chat is a conflict, not a send."""
    other = GroupFactory(created_by=world.owner, members=[world.member])
    member_api = api_as(world.member)
    client_id = str(uuid.uuid4())
    first = member_api.post(
        f"{API}/chats/{other.pk}/messages", {"client_id": client_id, "text": "one"}
    )
    assert first.status_code == 201
    before = snapshot(world.group.pk)
    again = member_api.post(
        f"{API}/chats/{world.group.pk}/messages", {"client_id": client_id, "text": "two"}
    )
    assert (again.status_code, again.json()["code"]) == (409, "reused")
    assert snapshot(world.group.pk) == before
