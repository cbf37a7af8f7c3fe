"""Sticker packs: installing the bundled packs, admins adding stickers, sending sticker
messages (service and socket frame), serving the pictures."""

from __future__ import annotations

import io
import uuid

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from chats import services
from chats.models import Message, Sticker, StickerPack
from tests.chats.test_consumers import close_all, delivered, make_group, open_peers, refused
from tests.chats.test_consumers import snapshot as chat_snapshot
from tests.factories import MessageFactory, UserFactory


def png(colour=(255, 0, 0, 128), size=(800, 600)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGBA", size, colour).save(out, "PNG")
    return SimpleUploadedFile("s.png", out.getvalue(), "image/png")


def install(slug="test", *, active=True) -> list[Sticker]:
    services.sticker_pack_install(
        slug=slug, title=slug.title(), licence="CC0-1.0", pictures=[("one", png()), ("two", png())]
    )
    pack = StickerPack.objects.get(slug=slug)
    if not active:
        StickerPack.objects.filter(pk=pack.pk).update(is_active=False)
    return list(pack.stickers.all())


@pytest.mark.django_db
def test_bundled_packs_install_once_with_transparent_webp_pictures():
    call_command("load_sticker_packs", stdout=io.StringIO())
    call_command("load_sticker_packs", stdout=io.StringIO())  # a second run changes nothing
    packs = list(StickerPack.objects.all())
    assert [p.slug for p in packs] == ["faces", "things"]
    assert all(p.licence == "CC0-1.0" for p in packs)
    assert Sticker.objects.count() == 12
    sticker = Sticker.objects.get(pack__slug="faces", name="happy")
    with sticker.image.open("rb") as handle:
        image = Image.open(handle)
        assert (image.format, image.mode, image.size) == ("WEBP", "RGBA", (256, 256))


@pytest.mark.django_db
def test_sticker_picture_is_reencoded_and_shrunk():
    sticker = install()[0]
    with sticker.image.open("rb") as handle:
        image = Image.open(handle)
        assert (image.format, image.mode, image.size) == ("WEBP", "RGBA", (512, 384))


@pytest.mark.django_db
def test_admin_adds_a_pack_and_its_picture_is_reencoded(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:chats_stickerpack_add"),
        {
            "title": "Cats",
            "slug": "cats",
            "ordering": 5,
            "is_active": "on",
            "licence": "CC0",
            "stickers-TOTAL_FORMS": 1,
            "stickers-INITIAL_FORMS": 0,
            "stickers-0-image": png(size=(1000, 1000)),
            "stickers-0-name": "cat",
            "stickers-0-ordering": 0,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    sticker = Sticker.objects.get(pack__slug="cats")
    assert sticker.image.name.endswith(".webp")
    with sticker.image.open("rb") as handle:
        assert Image.open(handle).size == (512, 512)


@pytest.mark.django_db
def test_admin_refuses_a_picture_that_is_not_an_image(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        reverse("admin:chats_stickerpack_add"),
        {
            "title": "Bad",
            "slug": "bad",
            "ordering": 0,
            "stickers-TOTAL_FORMS": 1,
            "stickers-INITIAL_FORMS": 0,
            "stickers-0-image": SimpleUploadedFile("x.png", b"not a picture", "image/png"),
            "stickers-0-name": "x",
            "stickers-0-ordering": 0,
        },
    )
    assert response.status_code == 200
    assert "not an image" in response.content.decode()
    assert not StickerPack.objects.exists()


@pytest.mark.django_db
def test_sticker_message_is_stored_and_carries_the_sticker(group, people, published):
    member = people[2]
    sticker = install()[0]
    with published() as sent:
        message, created = services.message_send(
            sender=member, chat=group, text="", client_id=uuid.uuid4(), sticker=sticker.pk
        )
    assert created and message.sticker == sticker
    ((frame, _),) = sent
    assert frame["message"]["sticker"] == {
        "id": sticker.pk,
        "url": reverse("chats:sticker", args=[sticker.pk]),
        "name": "one",
    }
    with pytest.raises(ValidationError):
        services.message_edit(editor=member, message_id=message.pk, text="now text")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "retired", "missing"),
    [({"text": "hi"}, False, False), ({}, True, False), ({}, False, True)],
)
def test_bad_sticker_messages_are_refused(group, people, extra, retired, missing):
    """Text with a sticker, a retired pack's sticker, an unknown sticker: nothing stored."""
    member = people[2]
    sticker = install(active=not retired)[0]
    with pytest.raises(ValidationError):
        services.message_send(
            sender=member,
            chat=group,
            client_id=uuid.uuid4(),
            sticker=sticker.pk + 100 if missing else sticker.pk,
            **{"text": "", **extra},
        )
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_sticker_pictures_for_signed_in_people_only(client, group, people):
    sticker = install()[0]
    url = reverse("chats:sticker", args=[sticker.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(people[3])
    response = client.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/webp")
    assert client.get(reverse("chats:sticker", args=[sticker.pk + 99])).status_code == 404


@pytest.mark.django_db
def test_chat_page_offers_active_packs_only(client, group, people):
    MessageFactory(sender=people[0], chat=group)
    install("shown")
    install("retired", active=False)
    client.force_login(people[2])
    page = client.get(reverse("chats:detail", args=[group.pk])).content.decode()
    assert 'id="sticker-panel"' in page
    assert "Shown" in page and "Retired" not in page


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_sticker_frame_allowed_and_refused():
    """`message.send {sticker}` reaches the members; an unknown sticker is refused with nothing
    stored or delivered."""
    db = database_sync_to_async
    chat, owner, _admin, member, outsider = await db(make_group)()
    sticker = (await db(install)())[0]
    peers = await open_peers(owner=owner, member=member, outsider=outsider)
    try:
        await peers["member"].send(
            {"type": "message.send", "chat": chat.pk, "client_id": str(uuid.uuid4()), "sticker": 0}
        )
        before = await db(chat_snapshot)(chat.pk)
        await refused(peers["member"], peers, "invalid")
        assert await db(chat_snapshot)(chat.pk) == before
        await peers["member"].send(
            {
                "type": "message.send",
                "chat": chat.pk,
                "client_id": str(uuid.uuid4()),
                "sticker": sticker.pk,
            }
        )
        ack = await peers["member"].expect("message.ack")
        assert ack["message"]["sticker"]["id"] == sticker.pk
        got = await delivered(peers, "message.new", {"owner", "member"})
        assert got["owner"]["message"]["sticker"]["id"] == sticker.pk
    finally:
        await close_all(peers)


@pytest.mark.django_db
def test_chat_list_previews_stickers_and_calls(client):
    """The chat list names a sticker or a call record instead of showing an empty text."""
    from tests.factories import DialogFactory

    anna, boris, carl = UserFactory(), UserFactory(), UserFactory()
    with_sticker = DialogFactory(user=anna, other=boris)
    with_call = DialogFactory(user=anna, other=carl)
    sticker = install()[0]
    services.message_send(
        sender=boris, chat=with_sticker, text="", client_id=uuid.uuid4(), sticker=sticker.pk
    )
    services.call_record(
        user=carl, chat_id=with_call.pk, call_id=uuid.uuid4(), state="missed", duration=0
    )
    client.force_login(anna)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("chats:list")).content.decode()
    assert "Sticker" in page
    assert '#phone-missed"></use></svg> Missed call' in page
    assert "#paperclip" not in page
