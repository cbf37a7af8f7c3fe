"""Chats API, allowed paths: what members, admins and owners can do, and that each write
publishes the same socket events the socket path publishes (refusals: test_chats_api_denied)."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chats import services
from chats.models import AuditLog, Chat, Membership, Message
from tests.api.chats_kit import API
from tests.factories import (
    DialogFactory,
    GroupFactory,
    MessageFactory,
    UserFactory,
    befriend,
    photo_upload,
)

pytestmark = pytest.mark.django_db


def frames(sent) -> list[tuple[str, set[int]]]:
    return [(frame["type"], users) for frame, users in sent]


def upload(api, chat_id: int, file) -> dict:
    response = api.client.post(
        f"{API}/chats/{chat_id}/attachments",
        {"file": file},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 201, response.content
    return response.json()


# -- chats ------------------------------------------------------------------------------------
def test_chat_list_is_by_last_activity_with_unread_counts_and_last_message(world, api_as):
    """The newest activity comes first; unread counts others' messages after my read mark."""
    quiet = GroupFactory(created_by=world.owner, members=[world.member], title="Quiet")
    MessageFactory(sender=world.member, chat=quiet, text="old news")
    MessageFactory(sender=world.member, chat=world.group, text="fresh")
    response = api_as(world.owner).get(f"{API}/chats")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [c["id"] for c in items] == [world.group.pk, quiet.pk]
    first = items[0]
    assert (first["kind"], first["title"], first["role"], first["unread"]) == (
        "group",
        world.group.title,
        "owner",
        2,
    )
    assert first["last_message"]["text"] == "fresh"
    assert first["last_message"]["sender"]["username"] == world.member.username


def test_chat_list_pages_by_cursor_without_repeats(world, api_as):
    """limit=1 walks every chat once, newest first, and ends with next=null."""
    extra = [GroupFactory(created_by=world.owner) for _ in range(2)]
    owner_api = api_as(world.owner)
    seen, cursor = [], None
    while True:
        params = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        body = owner_api.get(f"{API}/chats", **params).json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted([world.group.pk, *(g.pk for g in extra)])
    assert len(seen) == len(set(seen)) == 3


def test_create_group_with_friends(world, api_as, published):
    """The owner creates a group with friends by username; members get chat.updated."""
    with published() as sent:
        response = api_as(world.owner).post(
            f"{API}/chats", {"title": "  Trip  ", "members": [world.outsider.username]}
        )
    assert response.status_code == 201
    chat = response.json()
    assert (chat["title"], chat["role"], chat["kind"]) == ("Trip", "owner", "group")
    assert set(Membership.objects.filter(chat_id=chat["id"]).values_list("user_id", "role")) == {
        (world.owner.pk, "owner"),
        (world.outsider.pk, "member"),
    }
    assert frames(sent) == [("chat.updated", {world.owner.pk, world.outsider.pk})]


def test_open_dialog_is_idempotent(world, api_as):
    """Opening the dialog twice gives the same chat, titled after the other person."""
    owner_api = api_as(world.owner)
    first = owner_api.post(f"{API}/dialogs", {"username": world.stranger.username})
    again = owner_api.post(f"{API}/dialogs", {"username": world.stranger.username})
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["partner"]["username"] == world.stranger.username
    assert first.json()["title"] == world.stranger.display_name
    assert Chat.objects.filter(kind="dialog").count() == 1
    myself = owner_api.post(f"{API}/dialogs", {"username": world.owner.username})
    assert (myself.status_code, myself.json()["code"]) == (409, "self")


def test_get_and_rename_a_group(world, api_as, published):
    """An admin renames the group; everyone gets chat.updated; the rename is audited."""
    admin_api = api_as(world.admin)
    assert admin_api.get(f"{API}/chats/{world.group.pk}").json()["role"] == "admin"
    with published() as sent:
        response = admin_api.patch(f"{API}/chats/{world.group.pk}", {"title": "Renamed"})
    assert (response.status_code, response.json()["title"]) == (200, "Renamed")
    everyone = {world.owner.pk, world.admin.pk, world.member.pk}
    # The change, then its system line to the same members.
    assert frames(sent) == [("chat.updated", everyone), ("message.new", everyone)]
    assert AuditLog.objects.filter(chat=world.group, action="renamed").exists()


def test_group_photo_set_and_removed(world, api_as, published):
    """An admin sets and removes the group's photo; members get chat.updated each time."""
    admin_api = api_as(world.admin)
    with published() as sent:
        response = admin_api.client.post(
            f"{API}/chats/{world.group.pk}/avatar",
            {"avatar": photo_upload()},
            headers={"Authorization": f"Bearer {admin_api.token}"},
        )
    assert response.status_code == 200, response.content
    assert response.json()["avatar_url"].startswith(f"/chats/{world.group.pk}/avatar/")
    assert frames(sent)[0][0] == "chat.updated"
    removed = admin_api.delete(f"{API}/chats/{world.group.pk}/avatar")
    assert (removed.status_code, removed.json()["avatar_url"]) == (200, None)


def test_owner_deletes_the_group(world, api_as, published):
    """Deleting is for the owner; members get chat.deleted and the chat is gone."""
    with published() as sent:
        response = api_as(world.owner).delete(f"{API}/chats/{world.group.pk}")
    assert response.status_code == 204
    assert not Chat.objects.filter(pk=world.group.pk).exists()
    assert frames(sent) == [("chat.deleted", {world.owner.pk, world.admin.pk, world.member.pk})]


def test_leave_and_hide(world, api_as, published):
    """A member leaves (everyone, them included, gets member.removed); hiding takes a chat off
    my list until a new message arrives."""
    with published() as sent:
        left = api_as(world.member).post(f"{API}/chats/{world.group.pk}/leave")
    assert left.status_code == 204
    assert frames(sent) == [
        ("member.removed", {world.owner.pk, world.admin.pk, world.member.pk}),
        ("message.new", {world.owner.pk, world.admin.pk}),  # the system line
    ]
    owner_api = api_as(world.owner)
    assert owner_api.post(f"{API}/chats/{world.group.pk}/hide").status_code == 204
    assert owner_api.get(f"{API}/chats").json()["items"] == []
    assert owner_api.get(f"{API}/chats/{world.group.pk}").json()["hidden"] is True
    MessageFactory(sender=world.admin, chat=world.group, text="back")
    assert [c["id"] for c in owner_api.get(f"{API}/chats").json()["items"]] == [world.group.pk]


def test_dialog_cannot_be_left(world, api_as):
    """A dialog is hidden, not left: leaving answers 409 and nothing changes."""
    dialog = DialogFactory(user=world.owner, other=world.member)
    response = api_as(world.owner).post(f"{API}/chats/{dialog.pk}/leave")
    assert response.status_code == 409
    assert Membership.objects.filter(chat=dialog).count() == 2


# -- members ----------------------------------------------------------------------------------
def test_members_list_add_role_remove(world, api_as, published):
    """The owner adds a friend, promotes and demotes them, then removes them; each change is
    published to the members (the removed person included) and audited."""
    owner_api = api_as(world.owner)
    listed = owner_api.get(f"{API}/chats/{world.group.pk}/members").json()["items"]
    assert {(m["user"]["username"], m["role"]) for m in listed} == {
        (world.owner.username, "owner"),
        (world.admin.username, "admin"),
        (world.member.username, "member"),
    }
    base = f"{API}/chats/{world.group.pk}/members"
    everyone = {world.owner.pk, world.admin.pk, world.member.pk, world.outsider.pk}
    with published() as sent:
        added = owner_api.post(base, {"usernames": [world.outsider.username]})
    assert added.status_code == 201
    assert [m["user"]["username"] for m in added.json()] == [world.outsider.username]
    assert frames(sent) == [("member.added", everyone), ("message.new", everyone)]
    with published() as sent:
        promoted = owner_api.patch(f"{base}/{world.outsider.username}", {"role": "admin"})
    assert (promoted.status_code, promoted.json()["role"]) == (200, "admin")
    assert frames(sent) == [("member.updated", everyone), ("message.new", everyone)]
    demoted = owner_api.patch(f"{base}/{world.outsider.username}", {"role": "member"})
    assert demoted.json()["role"] == "member"
    with published() as sent:
        removed = owner_api.delete(f"{base}/{world.outsider.username}?reason=spam")
    assert removed.status_code == 204
    assert frames(sent) == [
        ("member.removed", everyone),
        ("message.new", everyone - {world.outsider.pk}),
    ]
    assert not Membership.objects.filter(chat=world.group, user=world.outsider).exists()
    actions = list(
        AuditLog.objects.filter(chat=world.group, target_user=world.outsider)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["member_added", "promoted", "demoted", "member_removed"]


def test_admin_removes_a_plain_member(world, api_as):
    """Admins may remove members below them."""
    response = api_as(world.admin).delete(
        f"{API}/chats/{world.group.pk}/members/{world.member.username}"
    )
    assert response.status_code == 204
    assert not Membership.objects.filter(chat=world.group, user=world.member).exists()


def test_audit_log_is_paged_newest_first(world, api_as):
    """Owners and admins read the audit log in pages."""
    for title in ("One", "Two", "Three"):
        services.group_rename(actor=world.owner, chat=world.group, title=title)
    admin_api = api_as(world.admin)
    first = admin_api.get(f"{API}/chats/{world.group.pk}/audit", limit=2).json()
    assert [e["details"]["to"] for e in first["items"]] == ["Three", "Two"]
    assert first["items"][0]["actor"]["username"] == world.owner.username
    second = admin_api.get(
        f"{API}/chats/{world.group.pk}/audit", limit=2, cursor=first["next"]
    ).json()
    assert [e["details"]["to"] for e in second["items"]] == ["One"]
    assert second["next"] is None


# -- messages ---------------------------------------------------------------------------------
def test_send_is_idempotent_on_client_id(world, api_as, published):
    """The first send is 201 and publishes message.new; a repeat is 200 with the original and
    publishes nothing."""
    member_api = api_as(world.member)
    body = {"client_id": str(uuid.uuid4()), "text": "  Привет  "}
    url = f"{API}/chats/{world.group.pk}/messages"
    with published() as sent:
        first = member_api.post(url, body)
    assert first.status_code == 201
    assert first.json()["text"] == "Привет"
    assert first.json()["client_id"] == body["client_id"]
    assert frames(sent) == [("message.new", {world.owner.pk, world.admin.pk, world.member.pk})]
    assert sent[0][0]["message"] == first.json()
    with published() as sent:
        again = member_api.post(url, body | {"text": "different"})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert sent == []
    assert Message.objects.filter(chat=world.group, text="Привет").count() == 1


def test_history_walks_back_with_before_and_forward_with_after(world, api_as):
    """Newest page first; `next` continues older with before, newer with after."""
    for n in range(5):
        MessageFactory(sender=world.owner, chat=world.group, text=f"m{n}")
    member_api = api_as(world.member)
    url = f"{API}/chats/{world.group.pk}/messages"
    newest = member_api.get(url, limit=2).json()
    assert [m["text"] for m in newest["items"]] == ["m3", "m4"]
    older = member_api.get(url, limit=2, before=newest["next"]).json()
    assert [m["text"] for m in older["items"]] == ["m1", "m2"]
    oldest = member_api.get(url, limit=2, before=older["next"]).json()
    assert [m["text"] for m in oldest["items"]] == ["hello group", "m0"]
    assert oldest["next"] is None
    forward = member_api.get(url, limit=3, after=oldest["items"][0]["seq"]).json()
    assert [m["text"] for m in forward["items"]] == ["m0", "m1", "m2"]
    rest = member_api.get(url, limit=3, after=forward["next"]).json()
    assert ([m["text"] for m in rest["items"]], rest["next"]) == (["m3", "m4"], None)
    assert member_api.get(url, limit=101).status_code == 400


def test_edit_delete_react_and_read(world, api_as, published):
    """The sender edits; members react; the sender deletes for all; a member hides a message
    for themselves; read marks move forward. Each publishes its socket frame."""
    everyone = {world.owner.pk, world.admin.pk, world.member.pk}
    member_api, owner_api = api_as(world.member), api_as(world.owner)
    url = f"{API}/chats/{world.group.pk}/messages/{world.message.pk}"
    with published() as sent:
        edited = member_api.patch(url, {"text": "hello, edited"})
    assert (edited.status_code, edited.json()["text"]) == (200, "hello, edited")
    assert edited.json()["edited_at"] is not None
    assert frames(sent) == [("message.updated", everyone)]

    with published() as sent:
        reacted = owner_api.request("PUT", f"{url}/reactions/👍")
    assert reacted.status_code == 200
    assert reacted.json()["reactions"][0]["emoji"] == "👍"
    assert reacted.json()["reactions"][0]["user_ids"] == [world.owner.pk]
    assert frames(sent) == [("reaction.updated", everyone)]
    assert owner_api.delete(f"{url}/reactions/👍").json()["reactions"] == []
    assert owner_api.request("PUT", f"{url}/reactions/notanemoji").status_code == 409

    other = MessageFactory(sender=world.admin, chat=world.group, text="to hide")
    with published() as sent:
        hidden = owner_api.delete(f"{API}/chats/{world.group.pk}/messages/{other.pk}?for=me")
    assert hidden.status_code == 204
    assert frames(sent) == [("message.deleted", {world.owner.pk})]
    history = owner_api.get(f"{API}/chats/{world.group.pk}/messages").json()["items"]
    assert other.pk not in [m["id"] for m in history]

    with published() as sent:
        gone = member_api.delete(f"{url}?for=all")
    assert gone.status_code == 204
    assert frames(sent) == [("message.deleted", everyone)]
    assert Message.objects.get(pk=world.message.pk).text == ""

    chat = Chat.objects.get(pk=world.group.pk)
    with published() as sent:
        read = owner_api.post(f"{API}/chats/{world.group.pk}/read", {"seq": chat.last_seq + 99})
    assert read.json() == {"last_read_seq": chat.last_seq}
    assert frames(sent) == [("read", everyone)]


def test_owner_deletes_a_members_message_for_all(world, api_as):
    """Moderators delete others' messages for everyone; it is audited."""
    response = api_as(world.owner).delete(
        f"{API}/chats/{world.group.pk}/messages/{world.message.pk}?for=all&reason=rude"
    )
    assert response.status_code == 204
    assert Message.objects.get(pk=world.message.pk).deleted_at is not None
    assert AuditLog.objects.get(chat=world.group, action="message_deleted").reason == "rude"


# -- files ------------------------------------------------------------------------------------
def test_upload_send_and_download_with_the_token(world, api_as, anon_api):
    """Upload returns an id; sending references it; members download through the file URL
    with their bearer token, strangers get 404."""
    member_api = api_as(world.member)
    data = upload(member_api, world.group.pk, SimpleUploadedFile("notes.txt", b"hi!", "text/plain"))
    assert (data["name"], data["size"], data["kind"]) == ("notes.txt", 3, "file")
    sent = member_api.post(
        f"{API}/chats/{world.group.pk}/messages",
        {"client_id": str(uuid.uuid4()), "attachments": [data["id"]]},
    )
    assert sent.status_code == 201
    assert [a["id"] for a in sent.json()["attachments"]] == [data["id"]]
    owner_api = api_as(world.owner)
    download = owner_api.client.get(
        data["url"], headers={"Authorization": f"Bearer {owner_api.token}"}
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"hi!"
    stranger_api = api_as(world.stranger)
    refused = stranger_api.client.get(
        data["url"], headers={"Authorization": f"Bearer {stranger_api.token}"}
    )
    assert refused.status_code == 404
    bad_token = anon_api.client.get(data["url"], headers={"Authorization": "Bearer nonsense"})
    assert bad_token.status_code == 401


# -- query counts -----------------------------------------------------------------------------
@pytest.mark.parametrize("chats", [3, 12])
def test_chat_list_queries_do_not_grow_with_chats(
    world, api_as, chats, django_assert_max_num_queries
):
    """The chat list costs the same number of queries for 3 or 12 chats."""
    friends = [UserFactory() for _ in range(chats)]
    befriend(world.owner, *friends)
    for person in friends[: chats // 2]:
        MessageFactory(sender=person, chat=DialogFactory(user=world.owner, other=person), text="hi")
    for person in friends[chats // 2 :]:
        group = GroupFactory(created_by=world.owner, members=[person])
        MessageFactory(sender=person, chat=group, text="yo")
    owner_api = api_as(world.owner)
    with django_assert_max_num_queries(4):
        response = owner_api.get(f"{API}/chats", limit=100)
    assert len(response.json()["items"]) == chats + 1


@pytest.mark.parametrize("messages", [5, 40])
def test_history_queries_do_not_grow_with_messages(
    world, api_as, messages, django_assert_max_num_queries
):
    """A history page costs the same number of queries for 5 or 40 messages with reactions,
    replies and files."""
    member_api = api_as(world.member)
    attachment = upload(
        member_api, world.group.pk, SimpleUploadedFile("a.txt", b"abc", "text/plain")
    )
    MessageFactory(
        sender=world.member, chat=world.group, text="file", attachment_ids=[attachment["id"]]
    )
    for n in range(messages):
        message = MessageFactory(
            sender=world.owner, chat=world.group, text=f"m{n}", reply_to=world.message.pk
        )
        services.reaction_add(user=world.admin, message_id=message.pk, emoji="👍")
    with django_assert_max_num_queries(7):
        response = member_api.get(f"{API}/chats/{world.group.pk}/messages", limit=100)
    assert len(response.json()["items"]) == messages + 2
