"""Demo data for `manage.py seed_demo`: friendships, posts with generated photos, likes,
comments and board topics. Running it again adds nothing."""

from __future__ import annotations

import io
import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from social import services
from social.models import Audience, FriendRequest, Friendship, Post, Reply, Topic

# (a, b) by index into accounts.demo.DEMO_PEOPLE: anna, boris, vera, gleb, dina.
FRIENDS = [(0, 1), (0, 2), (0, 3), (1, 3), (2, 4), (1, 2)]
# egor → anna, egor → gleb: egor is nobody's friend, so no later step of the demo (the chats
# demo befriends the group's members) turns these into requests between friends.
PENDING = [(5, 0), (5, 3)]

POSTS = [
    # author, hours ago, audience, text, photos (palette names), likers, comments
    (
        0,
        2,
        "everyone",
        "Вернулась с Эльбруса! Фото ниже, маршрут тут: https://example.org/elbrus",
        ["dawn", "glacier"],
        [1, 2, 3],
        [(1, "Потрясающе! Сколько дней шли?"), (0, "Семь, с акклиматизацией.")],
    ),
    (
        1,
        5,
        "friends",
        "Finally finished the chess engine refactor. Bitboards everywhere ♟",
        [],
        [0, 3],
        [(3, "Now beat me at blitz 😄")],
    ),
    (
        3,
        9,
        "everyone",
        "Утренний свет на Неве.",
        ["river", "dusk", "dawn"],
        [0, 1, 2, 4],
        [(2, "Какие цвета!")],
    ),
    (
        2,
        20,
        "friends",
        "Читаем с восьмыми классами «Капитанскую дочку». Бороться и искать, "
        "найти и не сдаваться — хотя это уже другая книга.",
        [],
        [0],
        [],
    ),
    (
        4,
        30,
        "everyone",
        "New portfolio is live — feedback welcome!",
        ["glacier"],
        [2],
        [(2, "Very clean. Love the typography.")],
    ),
    (
        0,
        50,
        "friends",
        "Джаз по пятницам в «Синей птице»: кто со мной?",
        [],
        [1, 2],
        [(2, "Я!"), (1, "+1")],
    ),
]

TOPICS = [
    (
        1,
        3,
        "Куда поехать летом?",
        "Собираем идеи для отпуска: горы, море, города. Делитесь!",
        [
            (0, "Алтай — Телецкое озеро и Чуйский тракт."),
            (3, "Карелия на байдарках."),
            (4, "Lisbon in June, if anyone wants a city trip."),
        ],
    ),
    (
        4,
        12,
        "Design critique thread",
        "Post a screenshot of something you made, get honest feedback.",
        [(1, "Here is my terminal theme."), (2, "Nice contrast ratios.")],
    ),
    (
        2,
        40,
        "Книжный клуб: что читаем в декабре?",
        "Предлагайте книги, голосуем до пятницы.",
        [(0, "«Лавр» Водолазкина."), (1, "Project Hail Mary!")],
    ),
]

PALETTES = {
    "dawn": ((255, 183, 120), (120, 90, 170), (60, 50, 90)),
    "glacier": ((190, 225, 245), (90, 140, 190), (230, 240, 250)),
    "river": ((250, 210, 150), (70, 120, 160), (40, 70, 90)),
    "dusk": ((240, 120, 110), (60, 40, 100), (30, 25, 50)),
}


def _landscape(name: str, seed: int) -> SimpleUploadedFile:
    """A small generated landscape: sky gradient, sun and two mountain ridges."""
    rng = random.Random(seed)  # noqa: S311 (picture layout, not security)
    sky_top, sky_bottom, land = PALETTES[name]
    width, height = 960, 640
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(sky_top, sky_bottom, strict=True)),
        )
    sun_x, sun_y = rng.randint(150, 810), rng.randint(120, 260)
    draw.ellipse([sun_x - 50, sun_y - 50, sun_x + 50, sun_y + 50], fill=(255, 236, 180))
    for layer, shade in ((0, 0.7), (1, 1.0)):
        points = [(0, height)]
        for x in range(0, width + 80, 80):
            points.append((x, rng.randint(300 + layer * 90, 420 + layer * 110)))
        points.append((width, height))
        draw.polygon(points, fill=tuple(int(c * shade) for c in land))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return SimpleUploadedFile(f"{name}.jpg", out.getvalue(), content_type="image/jpeg")


def _befriend(people: list) -> None:
    for a, b in FRIENDS:
        Friendship.objects.get_or_create(user=people[a], friend=people[b])
        Friendship.objects.get_or_create(user=people[b], friend=people[a])
    for a, b in PENDING:
        if max(a, b) >= len(people):
            continue
        if not Friendship.objects.filter(user=people[a], friend=people[b]).exists():
            FriendRequest.objects.get_or_create(from_user=people[a], to_user=people[b])


def _posts(people: list) -> None:
    now = timezone.now()
    for n, (author, hours, audience, text, photos, likers, comments) in enumerate(POSTS):
        if Post.objects.filter(author=people[author], text=text).exists():
            continue
        post = services.post_create(
            author=people[author],
            text=text,
            audience=Audience(audience),
            photos=[_landscape(name, seed=n * 10 + i) for i, name in enumerate(photos)],
        )
        created = now - timedelta(hours=hours)
        Post.objects.filter(pk=post.pk).update(created_at=created)
        for liker in likers:
            services.post_like_toggle(user=people[liker], post_id=post.pk)
        for minutes, (commenter, comment) in enumerate(comments, start=1):
            made = services.comment_create(author=people[commenter], post_id=post.pk, text=comment)
            made.created_at = created + timedelta(minutes=15 * minutes)
            made.save(update_fields=["created_at"])


def _board(people: list) -> None:
    now = timezone.now()
    for n, (author, hours, title, body, replies) in enumerate(TOPICS):
        if Topic.objects.filter(title=title).exists():
            continue
        photos = [_landscape("glacier", seed=100 + n)] if n == 0 else []
        topic = services.topic_create(author=people[author], title=title, body=body, photos=photos)
        started = now - timedelta(hours=hours)
        last = started
        for minutes, (replier, text) in enumerate(replies, start=1):
            reply = services.reply_create(author=people[replier], topic_id=topic.pk, text=text)
            last = started + timedelta(minutes=20 * minutes)
            Reply.objects.filter(pk=reply.pk).update(created_at=last)
        Topic.objects.filter(pk=topic.pk).update(created_at=started, last_activity_at=last)


def seed(users: list) -> None:
    """Friendships (and two pending requests), posts with photos, likes, comments, topics."""
    if len(users) < 5:
        return
    _befriend(users)
    _posts(users)
    _board(users)
