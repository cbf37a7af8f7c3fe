"""Chat pages and endpoints: each allowed and denied, denied ones changing nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.services import block_create
from chats import services
from chats.models import AuditLog, Chat, Membership
from tests.factories import DialogFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    """Log `client` in as `user`, reading pages in English (the default language is Russian)."""
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def group_state(chat: Chat) -> tuple:
    chat.refresh_from_db()
    return (
        chat.title,
        chat.avatar.name,
        chat.last_seq,
        sorted(Membership.objects.filter(chat=chat).values_list("user_id", "role")),
        AuditLog.objects.filter(chat=chat).count(),
    )


def jpeg(size=(300, 200)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


# -- list, unread, dialogs --------------------------------------------------------------------
def test_chat_list_shows_my_chats_with_unread_counts(client, group, people):
    """The list shows the member's chats with their unread counts."""
    owner, _admin, member, _ = people
    MessageFactory(sender=owner, chat=group, text="Hi <all>")
    response = login(client, member).get(reverse("chats:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert group.title in body
    assert "Hi &lt;all&gt;" in body
    assert 'aria-label="Unread: 1"' in body


def test_chat_list_needs_login(client):
    """Anonymous visitors are sent to log in."""
    response = client.get(reverse("chats:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unread_total(client, group, people):
    """/chats/unread/ gives the total of unread messages; anonymous gets redirected."""
    owner, _admin, member, _ = people
    MessageFactory(sender=owner, chat=group)
    MessageFactory(sender=owner, chat=group)
    assert login(client, member).get(reverse("chats:unread")).json() == {"total": 2}
    client.logout()
    assert client.get(reverse("chats:unread")).status_code == 302


def test_muted_chat_is_marked_and_left_out_of_the_total(client, group, people):
    """A muted group keeps its own unread count in the list, marked as muted, but no longer
    adds to the navigation badge."""
    owner, _admin, member, _ = people
    MessageFactory(sender=owner, chat=group)
    Membership.objects.filter(chat=group, user=member).update(muted=True)
    login(client, member)
    assert client.get(reverse("chats:unread")).json() == {"total": 0}
    page = client.get(reverse("chats:list")).content.decode()
    assert "chat-row-muted" in page


def test_message_button_opens_one_dialog(client):
    """POSTing to dialog_open twice lands in the same dialog."""
    anna, boris = UserFactory(), UserFactory()
    login(client, anna)
    url = reverse("chats:dialog_open", args=[boris.username])
    first = client.post(url)
    second = client.post(url)
    chat = Chat.objects.get(kind="dialog")
    assert first["Location"] == second["Location"] == reverse("chats:detail", args=[chat.pk])


@pytest.mark.parametrize("case", ["blocked", "unknown", "get"])
def test_message_button_refusals(client, case):
    """Blocked or unknown people give 404, GET gives 405; no dialog is created."""
    anna, boris = UserFactory(), UserFactory()
    if case == "blocked":
        block_create(blocker=boris, blocked=anna)
    login(client, anna)
    username = "nobody-here" if case == "unknown" else boris.username
    url = reverse("chats:dialog_open", args=[username])
    response = client.get(url) if case == "get" else client.post(url)
    assert response.status_code == (405 if case == "get" else 404)
    assert not Chat.objects.exists()


def test_message_button_on_own_profile_explains(client):
    """Messaging yourself redirects back with a clear message and creates nothing."""
    anna = UserFactory()
    response = login(client, anna).post(reverse("chats:dialog_open", args=[anna.username]))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You cannot start a dialog with yourself."
    ]
    assert not Chat.objects.exists()


def test_delete_chat_for_me(client, group, people):
    """A member hides the chat for themselves only; an outsider gets 404."""
    _owner, _admin, member, outsider = people
    assert login(client, outsider).post(reverse("chats:hide", args=[group.pk])).status_code == 404
    assert not Membership.objects.filter(hidden=True).exists()
    response = login(client, member).post(reverse("chats:hide", args=[group.pk]))
    assert response.status_code == 302
    assert list(Membership.objects.filter(hidden=True).values_list("user_id", flat=True)) == [
        member.pk
    ]


# -- creating and managing groups -------------------------------------------------------------
def test_create_group_with_friends(client, people):
    """The form lists friends by username and creates the group with them."""
    owner, admin, member, _ = people
    login(client, owner)
    page = client.get(reverse("chats:group_new"))
    assert f"@{member.username}" in page.content.decode()
    response = client.post(
        reverse("chats:group_new"), {"title": "Trip", "members": [member.username, admin.username]}
    )
    chat = Chat.objects.get(title="Trip")
    assert response["Location"] == reverse("chats:detail", args=[chat.pk])
    assert set(Membership.objects.filter(chat=chat).values_list("user_id", flat=True)) == {
        owner.pk,
        admin.pk,
        member.pk,
    }


def test_create_group_with_a_stranger_is_a_form_error(client, people):
    """A username that is not a friend is a form error; no group is created."""
    owner = people[0]
    stranger = UserFactory()
    response = login(client, owner).post(
        reverse("chats:group_new"), {"title": "Trip", "members": [stranger.username]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["members"]
    assert not Chat.objects.exists()


def test_settings_page_for_members_only(client, group, people):
    """Members see the settings page; outsiders get 404; a dialog has none."""
    _owner, _admin, member, outsider = people
    assert login(client, member).get(reverse("chats:settings", args=[group.pk])).status_code == 200
    assert (
        login(client, outsider).get(reverse("chats:settings", args=[group.pk])).status_code == 404
    )
    dialog = DialogFactory(user=member)
    assert login(client, member).get(reverse("chats:settings", args=[dialog.pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "check"),
    [
        ("chats:rename", {"title": "Renamed"}, lambda chat, people: chat.title == "Renamed"),
        (
            "chats:members_add",
            {"members": "OUTSIDER"},
            lambda chat, people: Membership.objects.filter(chat=chat, user=people[3]).exists(),
        ),
    ],
)
def test_admin_actions_allowed_for_admin_refused_for_member(
    client, group, people, name, data, check
):
    """Rename and adding members work for an admin; a plain member gets 403, nothing changes."""
    _owner, admin, member, outsider = people
    from tests.factories.social import befriend

    befriend(member, outsider)
    data = {k: outsider.username if v == "OUTSIDER" else v for k, v in data.items()}
    before = group_state(group)
    response = login(client, member).post(reverse(name, args=[group.pk]), data)
    assert response.status_code == 403
    assert group_state(group) == before
    response = login(client, admin).post(reverse(name, args=[group.pk]), data)
    assert response.status_code == 302
    group.refresh_from_db()
    assert check(group, people)


def test_group_photo_is_set_by_admin_and_served_to_members_only(client, group, people):
    """An admin uploads a photo (re-encoded, audited); members get it, outsiders 404."""
    _owner, admin, member, outsider = people
    before = group_state(group)
    response = login(client, member).post(
        reverse("chats:set_avatar", args=[group.pk]), {"avatar": jpeg()}
    )
    assert response.status_code == 403
    assert group_state(group) == before
    response = login(client, admin).post(
        reverse("chats:set_avatar", args=[group.pk]), {"avatar": jpeg()}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.avatar.name.endswith(".webp")
    assert AuditLog.objects.filter(chat=group, action="avatar_changed").exists()
    avatar = login(client, member).get(reverse("chats:avatar", args=[group.pk]))
    assert avatar.status_code == 200
    assert avatar["Content-Type"] == "image/webp"
    assert login(client, outsider).get(reverse("chats:avatar", args=[group.pk])).status_code == 404


def test_group_photo_must_be_an_image(client, group, people):
    """A non-image as group photo is refused with a clear message; nothing changes."""
    admin = people[1]
    before = group_state(group)
    response = login(client, admin).post(
        reverse("chats:set_avatar", args=[group.pk]),
        {"avatar": SimpleUploadedFile("x.jpg", b"not an image")},
    )
    assert response.status_code == 302
    assert "not an image we can read" in str(next(iter(get_messages(response.wsgi_request))))
    assert group_state(group) == before


def test_remove_member_with_reason(client, group, people):
    """An admin removes a member with a reason; a member trying the same gets 403."""
    _owner, admin, member, _ = people
    url = reverse("chats:member_remove", args=[group.pk, admin.pk])
    before = group_state(group)
    assert login(client, member).post(url, {"reason": "x"}).status_code == 403
    assert group_state(group) == before
    url = reverse("chats:member_remove", args=[group.pk, member.pk])
    assert login(client, admin).post(url, {"reason": "flood"}).status_code == 302
    assert not Membership.objects.filter(chat=group, user=member).exists()
    assert AuditLog.objects.get(action="member_removed").reason == "flood"


def test_promote_is_for_the_owner(client, group, people):
    """The owner makes a member admin; an admin trying it gets 403."""
    owner, admin, member, _ = people
    url = reverse("chats:member_role", args=[group.pk, member.pk])
    before = group_state(group)
    assert login(client, admin).post(url, {"role": "admin"}).status_code == 403
    assert group_state(group) == before
    assert login(client, owner).post(url, {"role": "admin"}).status_code == 302
    assert Membership.objects.get(chat=group, user=member).role == "admin"


def test_leave_and_delete(client, group, people):
    """A member leaves; an outsider's leave is 404; an admin's delete is 403; the owner's works."""
    owner, admin, member, outsider = people
    assert login(client, outsider).post(reverse("chats:leave", args=[group.pk])).status_code == 404
    assert login(client, member).post(reverse("chats:leave", args=[group.pk])).status_code == 302
    assert not Membership.objects.filter(chat=group, user=member).exists()
    before = group_state(group)
    assert login(client, admin).post(reverse("chats:delete", args=[group.pk])).status_code == 403
    assert group_state(group) == before
    assert login(client, owner).post(reverse("chats:delete", args=[group.pk])).status_code == 302
    assert not Chat.objects.filter(pk=group.pk).exists()


def test_audit_log_page(client, group, people):
    """Owner and admins read the audit log page; members get 404."""
    owner, admin, member, _ = people
    services.chat_member_remove(actor=owner, chat=group, user=member, reason="was rude")
    response = login(client, admin).get(reverse("chats:audit", args=[group.pk]))
    assert response.status_code == 200
    assert "was rude" in response.content.decode()
    services.chat_members_add(actor=owner, chat=group, users=[member])
    assert login(client, member).get(reverse("chats:audit", args=[group.pk])).status_code == 404


# -- one chat ---------------------------------------------------------------------------------
def test_chat_page_and_history_for_members_only(client, group, people):
    """Members get the page and JSON history; outsiders 404 for both."""
    owner, _admin, member, outsider = people
    for number in range(3):
        MessageFactory(sender=owner, chat=group, text=f"m{number}")
    login(client, member)
    page = client.get(reverse("chats:detail", args=[group.pk]))
    assert page.status_code == 200
    state = page.context["state"]
    assert [m["text"] for m in state["messages"]] == ["m0", "m1", "m2"]
    assert state["last_seq"] == 3
    history = client.get(reverse("chats:history", args=[group.pk]), {"before": 3})
    assert [m["text"] for m in history.json()["messages"]] == ["m0", "m1"]
    assert history.json()["has_more"] is False
    assert client.get(reverse("chats:history", args=[group.pk]), {"before": "x"}).status_code == 400
    login(client, outsider)
    assert client.get(reverse("chats:detail", args=[group.pk])).status_code == 404
    assert client.get(reverse("chats:history", args=[group.pk])).status_code == 404


def test_edit_history_for_members_only(client, group, people):
    """Members see earlier versions of an edited message; outsiders get 404."""
    _owner, _admin, member, outsider = people
    message = MessageFactory(sender=member, chat=group, text="v1")
    services.message_edit(editor=member, message_id=message.pk, text="v2")
    url = reverse("chats:edits", args=[message.pk])
    data = login(client, member).get(url).json()
    assert data["text"] == "v2"
    assert [e["text"] for e in data["edits"]] == ["v1"]
    assert login(client, outsider).get(url).status_code == 404


# -- attachments ------------------------------------------------------------------------------
def upload(client, chat, upload_file):
    return client.post(reverse("chats:upload", args=[chat.pk]), {"file": upload_file})


def test_upload_and_download_by_members_only(client, group, people):
    """A member uploads; after sending, members download it with Content-Disposition and
    nosniff; outsiders, and a member once removed, get 404."""
    owner, _admin, member, outsider = people
    response = upload(
        login(client, member), group, SimpleUploadedFile("notes.txt", b"hello", "text/plain")
    )
    assert response.status_code == 201
    attachment = response.json()
    assert (attachment["name"], attachment["kind"], attachment["size"]) == ("notes.txt", "file", 5)
    MessageFactory(sender=member, chat=group, text="", attachment_ids=[attachment["id"]])
    download = login(client, owner).get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"hello"
    assert download["Content-Disposition"] == 'attachment; filename="notes.txt"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert login(client, outsider).get(attachment["url"]).status_code == 404
    services.chat_member_remove(actor=owner, chat=group, user=member)
    assert login(client, member).get(attachment["url"]).status_code == 404


def test_images_get_a_thumbnail_and_are_shown_inline(
    client, group, people, django_capture_on_commit_callbacks
):
    """An uploaded photo is re-encoded, gets a thumbnail (from a task run after the upload
    commits) and is served inline."""
    owner, _admin, member, _ = people
    with django_capture_on_commit_callbacks(execute=True):
        data = upload(login(client, member), group, jpeg((1200, 800))).json()
    assert (data["kind"], data["width"], data["height"]) == ("image", 1200, 800)
    MessageFactory(sender=member, chat=group, text="look", attachment_ids=[data["id"]])
    login(client, owner)
    full = client.get(data["url"])
    assert full["Content-Disposition"].startswith("inline")
    assert full["Content-Type"] == "image/jpeg"
    thumb = client.get(data["thumb"])
    assert thumb["Content-Type"] == "image/webp"
    image = Image.open(io.BytesIO(b"".join(thumb.streaming_content)))
    assert max(image.size) == 480


def test_thumb_serves_the_image_until_its_task_has_run(
    client, group, people, settings, django_capture_on_commit_callbacks
):
    """The upload request makes no thumbnail: it queues a task, and meanwhile the thumb URL
    shows the image itself (never a broken picture); others still get 404."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _owner, _admin, member, outsider = people
    with django_capture_on_commit_callbacks(execute=True):
        data = upload(login(client, member), group, jpeg((1200, 800))).json()
    queued = DBTaskResult.objects.get(task_path="chats.tasks.make_thumbnail")
    assert queued.args_kwargs["args"] == [data["id"]]
    thumb = client.get(data["thumb"])
    assert (thumb.status_code, thumb["Content-Type"]) == (200, "image/jpeg")
    assert max(Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size) == 1200
    assert login(client, outsider).get(data["thumb"]).status_code == 404

    assert services.attachment_thumbnail_make(attachment_id=data["id"]) is True
    assert services.attachment_thumbnail_make(attachment_id=data["id"]) is False  # once
    login(client, member)
    thumb = client.get(data["thumb"])
    assert thumb["Content-Type"] == "image/webp"


def test_unsent_upload_is_visible_to_its_uploader_only(client, group, people):
    """Before it is sent, a file is the uploader's alone (others get 404)."""
    owner, _admin, member, _ = people
    data = upload(
        login(client, member), group, SimpleUploadedFile("a.txt", b"x", "text/plain")
    ).json()
    assert client.get(data["url"]).status_code == 200
    assert login(client, owner).get(data["url"]).status_code == 404


def test_upload_refusals(client, group, people, settings):
    """Outsiders get 404, files over UPLOAD_MAX_BYTES 413, a missing file 400; nothing is
    stored."""
    from chats.models import Attachment

    _owner, _admin, member, outsider = people
    file = SimpleUploadedFile("a.bin", b"x" * 2048)
    assert upload(login(client, outsider), group, file).status_code == 404
    settings.UPLOAD_MAX_BYTES = 1024
    response = upload(login(client, member), group, SimpleUploadedFile("a.bin", b"x" * 2048))
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]
    assert client.post(reverse("chats:upload", args=[group.pk])).status_code == 400
    assert not Attachment.objects.exists()


def test_upload_in_a_blocked_dialog_is_refused(client):
    """Blocked people cannot send each other files: their dialog is not found while the block
    lasts."""
    from chats.models import Attachment

    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    block_create(blocker=boris, blocked=anna)
    response = upload(login(client, anna), chat, SimpleUploadedFile("a.txt", b"x"))
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_deleting_a_message_deletes_its_files(client, group, people):
    """Deleting a message for everyone makes its files unavailable (404)."""
    owner, _admin, member, _ = people
    data = upload(login(client, member), group, jpeg()).json()
    message = MessageFactory(sender=member, chat=group, text="", attachment_ids=[data["id"]])
    services.message_delete(actor=member, message_id=message.pk, scope="all")
    assert login(client, owner).get(data["url"]).status_code == 404


def test_unsent_uploads_are_discarded_after_a_day(client, group, people):
    """discard_stale_uploads removes day-old files never sent, and keeps sent ones."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from chats.models import Attachment

    member = people[2]
    login(client, member)
    stale = upload(client, group, SimpleUploadedFile("old.txt", b"x")).json()
    sent = upload(client, group, SimpleUploadedFile("kept.txt", b"y")).json()
    MessageFactory(sender=member, chat=group, text="", attachment_ids=[sent["id"]])
    Attachment.objects.update(created_at=timezone.now() - timedelta(hours=30))
    out = io.StringIO()
    call_command("discard_stale_uploads", stdout=out)
    assert "discarded 1" in out.getvalue()
    assert list(Attachment.objects.values_list("name", flat=True)) == ["kept.txt"]
    assert client.get(stale["url"]).status_code == 404
    assert client.get(sent["url"]).status_code == 200


def test_chat_files_are_not_on_the_public_media_route(client, settings, tmp_path):
    """A chat file's storage path under /media/ is 404 even when its name is known."""
    folder = Path(settings.MEDIA_ROOT) / "chat-files" / "1" / "known"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secret.pdf").write_bytes(b"%PDF-1.4 secret")
    assert client.get("/media/chat-files/1/known/secret.pdf").status_code == 404
