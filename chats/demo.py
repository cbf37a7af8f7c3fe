"""Demo chats for `manage.py seed_demo`: two dialogs and a group with messages, a reply,
reactions, an edit and a photo. Idempotent: messages carry fixed client_ids, so running it
again finds them instead of sending twice."""

from __future__ import annotations

import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from chats import services
from chats.models import Chat, Message
from social.models import Friendship

NAMESPACE = uuid.UUID("6f1d3c52-2d5e-4c43-9a59-5f2f3b1f0c11")
GROUP_TITLE = "Поход в горы"


def _say(chat: Chat, sender, key: str, text: str, **kwargs) -> Message:
    message, _created = services.message_send(
        sender=sender, chat=chat, text=text, client_id=uuid.uuid5(NAMESPACE, key), **kwargs
    )
    return message


def _landscape() -> SimpleUploadedFile:
    image = Image.new("RGB", (960, 640), (120, 170, 220))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 640), (300, 220), (560, 640)], fill=(90, 100, 110))
    draw.polygon([(380, 640), (700, 160), (960, 640)], fill=(70, 80, 95))
    draw.polygon([(640, 260), (700, 160), (760, 260)], fill=(245, 245, 250))
    draw.rectangle([(0, 560), (960, 640)], fill=(60, 130, 70))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile("gory.jpg", out.getvalue(), content_type="image/jpeg")


def _ensure_friends(people) -> None:
    """Group members must be the owner's friends (the social demo usually made them so)."""

    for a in people:
        for b in people:
            if a.pk != b.pk:
                Friendship.objects.get_or_create(user=a, friend=b)


def seed(users: list) -> None:
    """Create the demo dialogs and group (expects anna, boris, vera, gleb, dina in order)."""
    if len(users) < 5:
        return
    anna, boris, vera, gleb, dina = users[:5]

    dialog = services.dialog_get_or_create(user=boris, other=anna)
    _say(dialog, boris, "ab-1", "Привет! Ты идёшь в субботу?")
    answer = _say(dialog, anna, "ab-2", "Привет! Да, конечно 🙂")
    _say(dialog, boris, "ab-3", "Отлично, тогда встречаемся в 9 у станции.")
    services.reaction_add(user=boris, message_id=answer.pk, emoji="👍")

    other = services.dialog_get_or_create(user=vera, other=anna)
    _say(other, vera, "av-1", "Анна, спасибо за книгу! Верну на следующей неделе.")

    _ensure_friends([anna, boris, vera, gleb, dina])
    group = Chat.objects.filter(kind=Chat.Kind.GROUP, title=GROUP_TITLE, created_by=anna).first()
    if group is None:
        group = services.group_create(
            owner=anna, title=GROUP_TITLE, members=[boris, vera, gleb, dina]
        )
        services.chat_member_set_role(actor=anna, chat=group, user=boris, role="admin")
    plan = _say(group, anna, "g-1", "Всем привет! Планируем поход на выходных.")
    _say(group, gleb, "g-2", "Я возьму камеру 📷")
    route = _say(group, dina, "g-3", "Маршрут здесь: https://example.org/route")
    _say(group, vera, "g-4", "Я в деле!", reply_to=plan.pk)
    if not Message.objects.filter(sender=gleb, client_id=uuid.uuid5(NAMESPACE, "g-5")).exists():
        photo = services.attachment_create(uploader=gleb, chat=group, upload=_landscape())
        _say(group, gleb, "g-5", "Вид с прошлого похода", attachment_ids=[photo.pk])
    services.reaction_add(user=boris, message_id=plan.pk, emoji="🔥")
    services.reaction_add(user=dina, message_id=plan.pk, emoji="🎉")
    if not route.edited_at:
        services.message_edit(
            editor=dina, message_id=route.pk, text="Маршрут (обновлён): https://example.org/route"
        )
    group.refresh_from_db()
    services.chat_read(user=boris, chat_id=group.pk, seq=group.last_seq)
