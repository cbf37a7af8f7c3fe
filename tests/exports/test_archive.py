"""The archive holds exactly what the requester may see, and opens as a ZIP with HTML and JSON."""

from __future__ import annotations

import io

import pytest
from django.http import Http404

from chats import services as chat_services
from exports import archive
from tests.exports.conftest import send, upload
from tests.factories import BlockFactory, DialogFactory, PostFactory, UserFactory
from tests.factories.social import befriend


def test_archive_opens_with_html_json_and_files(late_join, export_of):
    """The ZIP opens; index.html is a self-contained page; data.json says what it is."""
    found = export_of(late_join.anna)
    assert {"index.html", "data.json"} <= found.names
    assert found.data["format"] == "beseda-export"
    assert found.data["kind"] == "user"
    assert found.data["requester"]["username"] == late_join.anna.username
    assert found.html.startswith("<!doctype html>")
    assert "<style>" in found.html
    # Offline: nothing is loaded from anywhere but the archive itself.
    assert "http://" not in found.html and "https://" not in found.html
    assert "<script" not in found.html


def test_member_who_joined_later_gets_no_earlier_messages(late_join, export_of):
    """carol, added after two messages, sees only what came after she joined."""
    found = export_of(late_join.carol)
    assert found.texts() == {"welcome carol"}
    assert "before carol joined" not in found.html
    assert "welcome carol" in found.html
    assert not any(name.startswith("attachments/") for name in found.names)
    assert "early-plan" not in found.html


def test_founding_member_gets_the_whole_history(late_join, export_of):
    """anna, who created the group, gets every message and the file."""
    found = export_of(late_join.anna)
    assert found.texts() == {"before carol joined", "", "welcome carol"}
    files = [n for n in found.names if n.startswith("attachments/")]
    assert len(files) == 1 and files[0].endswith("early-plan.txt")
    assert found.zip.read(files[0]) == b"early secret plan"
    assert f'href="{files[0]}"' in found.html


def test_reply_to_a_message_before_joining_is_not_quoted(late_join, export_of):
    """The reply carol can see does not leak the earlier message it answers."""
    carol_chat = export_of(late_join.carol)
    (message,) = carol_chat.data["chats"][0]["messages"]
    assert message["reply_to"] == {"id": None, "unavailable": True}
    anna_messages = export_of(late_join.anna).data["chats"][0]["messages"]
    assert anna_messages[-1]["reply_to"]["text"] == "before carol joined"


def test_chat_export_for_late_joiner_matches_user_export(late_join, export_of):
    """The per-chat archive applies the same join point."""
    found = export_of(late_join.carol, chat_id=late_join.chat.pk)
    assert found.data["kind"] == "chat"
    assert found.chat_ids() == {late_join.chat.pk}
    assert found.texts() == {"welcome carol"}
    assert "account" not in found.data


def test_chats_never_joined_are_absent(late_join, export_of):
    """A dialog between two other people appears nowhere in anna's archive."""
    dave, erin = UserFactory(), UserFactory()
    dialog = DialogFactory(user=dave, other=erin)
    send(dave, dialog, "between dave and erin")
    found = export_of(late_join.anna)
    assert dialog.pk not in found.chat_ids()
    assert "between dave and erin" not in found.html
    assert found.chat_ids() == {late_join.chat.pk}


def test_non_member_chat_export_is_404(late_join):
    """Asking for a chat one is not in is refused like a missing chat."""
    outsider = UserFactory()
    with pytest.raises(Http404):
        archive.build(io.BytesIO(), requester=outsider, chat_id=late_join.chat.pk)


def test_messages_deleted_for_me_are_absent(late_join, export_of):
    """boris deleted a message for himself: it is gone from his archive, not from anna's."""
    chat_services.message_delete(actor=late_join.boris, message_id=late_join.before.pk, scope="me")
    assert "before carol joined" not in export_of(late_join.boris).texts()
    assert "before carol joined" not in export_of(late_join.boris).html
    assert "before carol joined" in export_of(late_join.anna).texts()


def test_deleted_for_everyone_is_a_tombstone_without_files(late_join, export_of):
    """A message deleted for everyone shows as deleted, with neither its text nor its file."""
    chat_services.message_delete(
        actor=late_join.anna, message_id=late_join.before_file.pk, scope="all"
    )
    chat_services.message_delete(actor=late_join.anna, message_id=late_join.before.pk, scope="all")
    found = export_of(late_join.boris)
    tombstones = [m for m in found.data["chats"][0]["messages"] if m["deleted"]]
    assert len(tombstones) == 2
    assert all(m["text"] == "" and m["attachments"] == [] for m in tombstones)
    assert "before carol joined" not in found.html
    assert not any(name.startswith("attachments/") for name in found.names)


def test_removed_member_gets_nothing_of_the_group(late_join, export_of):
    """Removal takes the whole group away, as in the chat itself (the chat rule: 404)."""
    chat_services.chat_member_remove(
        actor=late_join.anna, chat=late_join.chat, user=late_join.boris
    )
    found = export_of(late_join.boris)
    assert found.chat_ids() == set()
    assert "welcome carol" not in found.html
    with pytest.raises(Http404):
        export_of(late_join.boris, chat_id=late_join.chat.pk)


def test_chat_deleted_for_me_keeps_only_what_came_after(late_join, export_of):
    """After "delete chat for me" only newer messages are exported."""
    chat_services.chat_hide(user=late_join.boris, chat=late_join.chat)
    send(late_join.anna, late_join.chat, "after the clean slate")
    assert export_of(late_join.boris).texts() == {"after the clean slate"}


def test_account_part_has_profile_friends_and_posts(db, export_of):
    """Profile, friends and posts are there; a blocked person's comment is not."""
    anna, boris, mallory = UserFactory(bio="Hello there"), UserFactory(), UserFactory()
    befriend(anna, boris)
    post = PostFactory(author=anna, text="my first post")
    from social.models import Comment

    Comment.objects.create(post=post, author=boris, text="nice post")
    Comment.objects.create(post=post, author=mallory, text="troll comment")
    BlockFactory(blocker=anna, blocked=mallory)
    found = export_of(anna)
    account = found.data["account"]
    assert account["profile"]["bio"] == "Hello there"
    assert account["profile"]["emails"][0]["email"] == anna.email
    assert [f["username"] for f in account["friends"]] == [boris.username]
    (exported,) = account["posts"]
    assert exported["text"] == "my first post"
    assert [c["text"] for c in exported["comments"]] == ["nice post"]
    assert "troll comment" not in found.html
    assert "my first post" in found.html and boris.username in found.html


def test_missing_file_is_reported_not_fatal(late_join, export_of):
    """A file gone from storage is listed as missing; the archive is still built."""
    from django.core.files.storage import default_storage

    default_storage.delete(late_join.before_file.attachments.get().file.name)
    found = export_of(late_join.anna)
    message = next(m for m in found.data["chats"][0]["messages"] if m["attachments"])
    assert message["attachments"][0]["path"] is None
    assert not any(name.startswith("attachments/") for name in found.names)


def test_progress_is_reported_up_to_100(late_join):
    """The builder reports rising percentages ending at 100."""
    seen: list[int] = []
    archive.build(io.BytesIO(), requester=late_join.anna, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 100 and len(seen) > 2


def test_image_attachment_is_embedded(late_join, export_of):
    """An image sent after carol joined is shown inline in her page and stored in the ZIP."""
    from tests.accounts.images import picture_bytes

    picture = upload(late_join.boris, late_join.chat, "cat.png", picture_bytes())
    send(late_join.boris, late_join.chat, "a cat", attachment_ids=[picture.pk])
    found = export_of(late_join.carol)
    (name,) = [n for n in found.names if n.startswith("attachments/")]
    assert f'<img src="{name}"' in found.html


def test_html_escapes_what_people_wrote(late_join, export_of):
    """Text from others is shown as text in the offline page, never run as markup."""
    send(late_join.boris, late_join.chat, '<script>alert("x")</script><img src=x onerror=alert(1)>')
    found = export_of(late_join.anna)
    assert "<script" not in found.html and "<img src=x" not in found.html
    assert "&lt;script&gt;" in found.html
    assert '<script>alert("x")</script><img src=x onerror=alert(1)>' in found.texts()
