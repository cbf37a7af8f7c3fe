"""A member who joined a group later never reaches its history from before they joined.

Regression tests for issue #14 (item 1): the listing API and page respected the join point, but
the edit history, the reaction endpoints (which answer with the whole message), `reply_to`, the
file and thumbnail views, deletes, edits and the live frames about old messages did not. Every
path is exercised through the surface an outsider used: HTML, REST, socket frames, and the
recipients of what is published.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from chats import services
from chats.models import Chat, ChatEvent, Message, MessageHide, Reaction
from moderation.models import Report
from tests.factories import GroupFactory, UserFactory, photo_upload
from tests.factories.social import befriend
from tests.realtime.test_hub import connect_as

OLD_TEXT = "pre-join-secret"
OLD_EDIT = "pre-join-first-draft"
API = "/api/v1"


@dataclass
class Floor:
    owner: object
    admin: object
    member: object
    late: object  # added to the group after everything "old" below existed
    chat: Chat
    old: Message  # the member's message with an image, edited, with the owner's reaction
    old_attachment_id: int
    new: Message  # the member's message after the late joiner came


def send(sender, chat, text, **kwargs) -> Message:
    message, _created = services.message_send(
        sender=sender, chat=chat, text=text, client_id=uuid.uuid4(), **kwargs
    )
    return message


def build_floor() -> Floor:
    owner, admin, member, late = (UserFactory() for _ in range(4))
    befriend(owner, admin, member, late)
    chat = GroupFactory(created_by=owner, members=[member], admins=[admin])
    attachment = services.attachment_create(
        uploader=member, chat=chat, upload=photo_upload("plan.png", fmt="PNG")
    )
    old = send(member, chat, OLD_EDIT, attachment_ids=[attachment.pk])
    services.message_edit(editor=member, message_id=old.pk, text=OLD_TEXT)
    services.reaction_add(user=owner, message_id=old.pk, emoji="❤️")
    services.chat_members_add(actor=owner, chat=chat, users=[late])
    new = send(member, chat, "after the late joiner came")
    return Floor(owner, admin, member, late, chat, old, attachment.pk, new)


@pytest.fixture
def floor(db, settings) -> Floor:
    settings.API_WRITE_RATE = "1000000/m"
    return build_floor()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def state():
    """What a refused request must leave as it was."""
    return (
        list(Message.objects.order_by("pk").values_list("pk", "text", "deleted_at", "reply_to")),
        list(Reaction.objects.order_by("pk").values_list("pk", "message_id", "user_id", "emoji")),
        list(MessageHide.objects.values_list("message_id", "user_id")),
        ChatEvent.objects.count(),
        Report.objects.count(),
    )


def leaks(response) -> bool:
    text = response.content.decode("utf-8", "replace")
    return OLD_TEXT in text or OLD_EDIT in text


# -- HTML views -------------------------------------------------------------------------------
def test_edit_history_of_old_message_is_404_for_late_joiner(floor):
    """The edit history view refuses a message from before the late joiner's floor."""
    response = client_for(floor.late).get(f"/chats/messages/{floor.old.pk}/edits/")
    assert response.status_code == 404
    assert not leaks(response)


def test_edit_history_of_old_message_is_shown_to_early_member(floor):
    """Members who were there see the old message's edit history."""
    response = client_for(floor.admin).get(f"/chats/messages/{floor.old.pk}/edits/")
    assert response.status_code == 200
    assert response.json()["edits"][0]["text"] == OLD_EDIT


def test_edit_history_of_new_message_is_shown_to_late_joiner(floor):
    """Messages after the floor are the late joiner's as anyone's."""
    response = client_for(floor.late).get(f"/chats/messages/{floor.new.pk}/edits/")
    assert response.status_code == 200


@pytest.mark.parametrize("suffix", ["", "thumb/"])
def test_old_file_and_thumbnail_are_404_for_late_joiner(floor, suffix):
    """Neither the file nor the thumbnail of an old message can be downloaded."""
    response = client_for(floor.late).get(f"/chats/files/{floor.old_attachment_id}/{suffix}")
    assert response.status_code == 404


@pytest.mark.parametrize("suffix", ["", "thumb/"])
def test_old_file_and_thumbnail_are_served_to_early_member(floor, suffix):
    """The members who were there still get the file and its thumbnail."""
    response = client_for(floor.admin).get(f"/chats/files/{floor.old_attachment_id}/{suffix}")
    assert response.status_code == 200


def test_new_file_is_served_to_late_joiner(floor):
    """A file sent after the late joiner came is theirs to download."""
    attachment = services.attachment_create(
        uploader=floor.member, chat=floor.chat, upload=photo_upload("later.png", fmt="PNG")
    )
    send(floor.member, floor.chat, "", attachment_ids=[attachment.pk])
    response = client_for(floor.late).get(f"/chats/files/{attachment.pk}/")
    assert response.status_code == 200


def test_chat_page_and_history_walk_stop_at_the_floor(floor):
    """The chat page and walking history backwards by seq show nothing from before (kept):
    only the system line of their own joining, which lies above their floor."""
    client = client_for(floor.late)
    assert not leaks(client.get(f"/chats/{floor.chat.pk}/"))
    response = client.get(f"/chats/{floor.chat.pk}/history/?before={floor.new.seq}")
    assert response.status_code == 200
    assert [
        (m["system"]["kind"], m["system"]["target"]["id"]) for m in response.json()["messages"]
    ] == [("added", floor.late.pk)]


def test_report_page_of_old_message_is_404_for_late_joiner(floor):
    """Reporting a message one cannot see is a 404, in the page and its form (kept)."""
    client = client_for(floor.late)
    before = state()
    assert client.get(f"/report/message/{floor.old.pk}/").status_code == 404
    response = client.post(f"/report/message/{floor.old.pk}/", {"reason": "spam"})
    assert response.status_code == 404
    assert state() == before


# -- REST API ---------------------------------------------------------------------------------
def api(client: Client, method: str, path: str, body=None):
    payload = json.dumps(body) if body is not None else ""
    return client.generic(method, f"{API}{path}", payload, content_type="application/json")


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_reaction_on_old_message_is_404_for_late_joiner(floor, method):
    """Adding or withdrawing a reaction answered with the whole old message; now a 404."""
    before = state()
    path = f"/chats/{floor.chat.pk}/messages/{floor.old.pk}/reactions/❤️"
    response = api(client_for(floor.late), method, path)
    assert response.status_code == 404
    assert not leaks(response)
    assert state() == before


def test_reaction_on_old_message_is_allowed_for_early_member(floor):
    """Members who were there react to it as before."""
    path = f"/chats/{floor.chat.pk}/messages/{floor.old.pk}/reactions/👍"
    response = api(client_for(floor.admin), "PUT", path)
    assert response.status_code == 200
    assert response.json()["text"] == OLD_TEXT


def test_reaction_on_new_message_is_allowed_for_late_joiner(floor):
    """The late joiner reacts to what came after they joined."""
    path = f"/chats/{floor.chat.pk}/messages/{floor.new.pk}/reactions/👍"
    assert api(client_for(floor.late), "PUT", path).status_code == 200


def test_reply_to_old_message_is_refused_for_late_joiner(floor):
    """A reply to an old message would quote it back: refused, nothing stored."""
    before = state()
    body = {"client_id": str(uuid.uuid4()), "text": "what was this?", "reply_to": floor.old.pk}
    response = api(client_for(floor.late), "POST", f"/chats/{floor.chat.pk}/messages", body)
    assert response.status_code == 409
    assert response.json()["code"] == "reply"
    assert not leaks(response)
    assert state() == before


def test_reply_to_old_message_is_quoted_for_early_member(floor):
    """Members who were there reply to it with its quote."""
    body = {"client_id": str(uuid.uuid4()), "text": "about this", "reply_to": floor.old.pk}
    response = api(client_for(floor.admin), "POST", f"/chats/{floor.chat.pk}/messages", body)
    assert response.status_code == 201
    assert response.json()["reply_to"]["text"] == OLD_TEXT


def test_reply_to_new_message_is_allowed_for_late_joiner(floor):
    """The late joiner replies to what came after they joined."""
    body = {"client_id": str(uuid.uuid4()), "text": "yes", "reply_to": floor.new.pk}
    response = api(client_for(floor.late), "POST", f"/chats/{floor.chat.pk}/messages", body)
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"text": "changed"}),
        ("DELETE", "?for=me", None),
        ("DELETE", "?for=all", None),
    ],
)
def test_edit_and_delete_of_old_message_are_404_for_late_joiner(floor, method, suffix, body):
    """Editing or deleting an old message says 404 (not 403: its existence is not confirmed)."""
    before = state()
    path = f"/chats/{floor.chat.pk}/messages/{floor.old.pk}{suffix}"
    response = api(client_for(floor.late), method, path, body)
    assert response.status_code == 404
    assert state() == before


def test_late_joiner_made_admin_cannot_delete_old_message_for_all(floor):
    """Even as an admin the late joiner cannot reach below their floor."""
    services.chat_member_set_role(actor=floor.owner, chat=floor.chat, user=floor.late, role="admin")
    before = state()
    path = f"/chats/{floor.chat.pk}/messages/{floor.old.pk}?for=all"
    assert api(client_for(floor.late), "DELETE", path).status_code == 404
    assert state() == before


def test_messages_list_stops_at_the_floor(floor):
    """The history API never lists old messages for the late joiner (kept): the system line
    of their own joining, then what came after."""
    response = api(client_for(floor.late), "GET", f"/chats/{floor.chat.pk}/messages?after=0")
    items = response.json()["items"]
    assert [m["system"]["kind"] for m in items[:-1]] == ["added"]
    assert [m["id"] for m in items[-1:]] == [floor.new.pk]


def test_report_of_old_message_is_404_for_late_joiner(floor):
    """POST /reports about an old message: 404 and no report (kept)."""
    before = state()
    body = {"kind": "message", "id": floor.old.pk, "reason": "spam"}
    response = api(client_for(floor.late), "POST", "/reports", body)
    assert response.status_code == 404
    assert state() == before


def test_report_of_new_message_is_accepted_from_late_joiner(floor):
    """The late joiner reports what they can see."""
    body = {"kind": "message", "id": floor.new.pk, "reason": "spam"}
    assert api(client_for(floor.late), "POST", "/reports", body).status_code == 201


# -- what is published ------------------------------------------------------------------------
def test_edit_of_old_message_is_not_published_to_late_joiner(floor, published):
    """`message.updated` about an old message goes to the members who were there only."""
    with published() as sent:
        services.message_edit(editor=floor.member, message_id=floor.old.pk, text="edited again")
    assert [(f["type"], ids) for f, ids in sent] == [
        ("message.updated", {floor.owner.pk, floor.admin.pk, floor.member.pk})
    ]


def test_reaction_on_old_message_is_not_published_to_late_joiner(floor, published):
    """`reaction.updated` about an old message skips the late joiner."""
    with published() as sent:
        services.reaction_add(user=floor.admin, message_id=floor.old.pk, emoji="👍")
    assert [(f["type"], ids) for f, ids in sent] == [
        ("reaction.updated", {floor.owner.pk, floor.admin.pk, floor.member.pk})
    ]


def test_delete_of_old_message_is_not_published_to_late_joiner(floor, published):
    """`message.deleted` of an old message skips the late joiner."""
    with published() as sent:
        services.message_delete(actor=floor.member, message_id=floor.old.pk, scope="all")
    assert [(f["type"], ids) for f, ids in sent] == [
        ("message.deleted", {floor.owner.pk, floor.admin.pk, floor.member.pk})
    ]


def test_events_about_new_message_reach_late_joiner(floor, published):
    """An edit or a reaction after the floor reaches every member, the late joiner too."""
    everyone = {floor.owner.pk, floor.admin.pk, floor.member.pk, floor.late.pk}
    with published() as sent:
        services.message_edit(editor=floor.member, message_id=floor.new.pk, text="later, edited")
        services.reaction_add(user=floor.admin, message_id=floor.new.pk, emoji="👍")
    assert [(f["type"], ids) for f, ids in sent] == [
        ("message.updated", everyone),
        ("reaction.updated", everyone),
    ]


def test_reply_to_old_message_is_not_quoted_to_late_joiner(floor, published):
    """A member's reply to an old message reaches the late joiner without the quote; the
    members who were there get it quoted."""
    with published() as sent:
        send(floor.admin, floor.chat, "about the plan", reply_to=floor.old.pk)
    by_recipients = {frozenset(ids): frame for frame, ids in sent}
    early = frozenset({floor.owner.pk, floor.admin.pk, floor.member.pk})
    assert set(by_recipients) == {early, frozenset({floor.late.pk})}
    assert by_recipients[early]["message"]["reply_to"]["text"] == OLD_TEXT
    late_frame = by_recipients[frozenset({floor.late.pk})]
    assert late_frame["message"]["reply_to"] is None
    assert OLD_TEXT not in json.dumps(late_frame, ensure_ascii=False)


def test_history_of_reply_to_old_message_has_no_quote_for_late_joiner(floor):
    """Loading history later does not quote the old message to the late joiner either."""
    send(floor.admin, floor.chat, "about the plan", reply_to=floor.old.pk)
    client = client_for(floor.late)
    for response in (
        client.get(f"/chats/{floor.chat.pk}/"),
        client.get(f"/chats/{floor.chat.pk}/history/"),
        api(client, "GET", f"/chats/{floor.chat.pk}/messages"),
    ):
        assert response.status_code == 200
        assert not leaks(response)
    early = api(client_for(floor.member), "GET", f"/chats/{floor.chat.pk}/messages")
    assert early.json()["items"][-1]["reply_to"]["text"] == OLD_TEXT


def test_export_of_late_joiner_stops_at_the_floor(floor):
    """The chat export as the late joiner holds nothing from before (kept)."""
    import io
    import zipfile

    from exports import archive

    out = io.BytesIO()
    archive.build(out, requester=floor.late, chat_id=floor.chat.pk)
    bundle = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    everything = b"".join(bundle.read(name) for name in bundle.namelist())
    assert OLD_TEXT.encode() not in everything
    assert OLD_EDIT.encode() not in everything
    assert "plan.png" not in " ".join(bundle.namelist())


# -- socket frames ----------------------------------------------------------------------------
async def _answer(user, frame: dict) -> list[dict]:
    """Send `frame` then `ping` on a socket of `user`; the frames received before the pong."""
    communicator, connected, _code = await connect_as(user)
    assert connected
    await communicator.send_json_to(frame)
    await communicator.send_json_to({"type": "ping"})
    received = []
    while True:
        reply = await communicator.receive_json_from(timeout=5)
        if reply["type"] == "pong":
            break
        if reply["type"] not in ("hello", "presence", "notification"):
            received.append(reply)
    await communicator.disconnect()
    return received


async def _delivered(user, frame: dict, wanted: set[str]) -> list[str]:
    """Send `frame` on a socket of `user` and wait for a frame of each `wanted` type (they come
    through the channel layer, after the handler's own replies); the types received."""
    communicator, connected, _code = await connect_as(user)
    assert connected
    await communicator.send_json_to(frame)
    received: list[str] = []
    while not wanted <= set(received):
        reply = await communicator.receive_json_from(timeout=5)
        assert reply["type"] != "error", reply
        if reply["type"] not in ("hello", "presence", "notification"):
            received.append(reply["type"])
    await communicator.disconnect()
    return received


OLD_FRAMES = [
    {"type": "reaction.add", "emoji": "👍"},
    {"type": "reaction.remove", "emoji": "❤️"},
    {"type": "message.edit", "text": "changed"},
    {"type": "message.delete", "for": "me"},
    {"type": "message.delete", "for": "all"},
]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("frame", OLD_FRAMES, ids=lambda f: f"{f['type']}-{f.get('for', '')}")
async def test_frames_about_old_message_are_refused_for_late_joiner(settings, frame):
    """Every frame naming an old message is answered `not_found`; nothing changes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    floor = await database_sync_to_async(build_floor)()
    before = await database_sync_to_async(state)()
    replies = await _answer(floor.late, {**frame, "message": floor.old.pk})
    assert [(r["type"], r.get("code")) for r in replies] == [("error", "not_found")]
    assert await database_sync_to_async(state)() == before


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_send_frame_replying_to_old_message_is_refused_for_late_joiner(settings):
    """`message.send` with `reply_to` an old message is an error frame; nothing is stored."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    floor = await database_sync_to_async(build_floor)()
    before = await database_sync_to_async(state)()
    frame = {
        "type": "message.send",
        "chat": floor.chat.pk,
        "client_id": str(uuid.uuid4()),
        "text": "what was this?",
        "reply_to": floor.old.pk,
    }
    replies = await _answer(floor.late, frame)
    assert [r["type"] for r in replies] == ["error"]
    assert not any(OLD_TEXT in json.dumps(r, ensure_ascii=False) for r in replies)
    assert await database_sync_to_async(state)() == before


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_frames_about_new_message_are_allowed_for_late_joiner(settings):
    """The late joiner reacts to and replies to what came after they joined."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    floor = await database_sync_to_async(build_floor)()
    replies = await _delivered(
        floor.late,
        {"type": "reaction.add", "message": floor.new.pk, "emoji": "👍"},
        {"reaction.updated"},
    )
    assert replies == ["reaction.updated"]
    frame = {
        "type": "message.send",
        "chat": floor.chat.pk,
        "client_id": str(uuid.uuid4()),
        "text": "yes",
        "reply_to": floor.new.pk,
    }
    replies = await _delivered(floor.late, frame, {"message.ack", "message.new"})
    assert sorted(replies) == ["message.ack", "message.new"]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_read_and_sync_frames_stop_at_the_floor(settings):
    """`read` below the floor changes nothing; `sync` from 0 starts at the floor (kept)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    floor = await database_sync_to_async(build_floor)()
    before = await database_sync_to_async(state)()
    replies = await _answer(floor.late, {"type": "read", "chat": floor.chat.pk, "seq": 1})
    assert replies == []
    assert await database_sync_to_async(state)() == before
    replies = await _answer(floor.late, {"type": "sync", "chats": {str(floor.chat.pk): 0}})
    (result,) = replies
    encoded = json.dumps(result, ensure_ascii=False)
    assert OLD_TEXT not in encoded and OLD_EDIT not in encoded
    frames = result["chats"][str(floor.chat.pk)]["events"]
    assert floor.old.pk not in {
        f["message"]["id"] if isinstance(f.get("message"), dict) else f.get("message")
        for f in frames
    }


def test_sync_pages_past_changes_below_the_floor(floor, monkeypatch):
    """A page of `sync` made only of changes about old messages (skipped for the late joiner)
    does not end the sync: a later change is still delivered, by following `last_seq`."""
    from chats import selectors

    monkeypatch.setattr(selectors, "SYNC_EVENTS_PER_CHAT", 3)
    since = Chat.objects.get(pk=floor.chat.pk).last_seq
    for _ in range(2):  # four changes about the old message
        services.reaction_add(user=floor.admin, message_id=floor.old.pk, emoji="👍")
        services.reaction_remove(user=floor.admin, message_id=floor.old.pk, emoji="👍")
    services.message_edit(editor=floor.member, message_id=floor.new.pk, text="edited later")
    last = Chat.objects.get(pk=floor.chat.pk).last_seq
    received, cursor = [], since
    for _page in range(10):
        result = selectors.sync_for(floor.late, {floor.chat.pk: cursor})[str(floor.chat.pk)]
        received += result["events"]
        assert result["last_seq"] > cursor or result["complete"]
        cursor = result["last_seq"]
        if result["complete"]:
            break
    assert cursor == last
    assert [(f["type"], f["message"]["id"]) for f in received] == [
        ("message.updated", floor.new.pk)
    ]
