"""Demo users for `manage.py seed_demo`, and the steps other apps add after them."""

from __future__ import annotations

import io
from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from accounts import services
from accounts.models import User

# What the apps above accounts add to the demo, each given the demo users. They register in
# their AppConfig.ready(), so the steps run in INSTALLED_APPS order (social, then chats).
DEMO_STEPS: list[Callable[[list[User]], None]] = []

DEMO_PASSWORD = "beseda-demo-2026"  # noqa: S105 (published demo login, local data only)
DEMO_PEOPLE = [
    ("anna", "Анна", "Петрова", "f", "Люблю горы и джаз."),
    ("boris", "Борис", "Иванов", "m", "Backend developer, chess player."),
    ("vera", "Вера", "Смирнова", "f", "Teacher of literature."),
    ("gleb", "Глеб", "Кузнецов", "m", "Photographer."),
    ("dina", "Dina", "Novak", "f", "Product designer."),
    # New here: the one whose friend requests are still pending (nobody's friend yet).
    ("egor", "Егор", "Соколов", "m", "Только что присоединился."),
]
# Two colours per person for a generated demo picture (no photos ship with the code).
DEMO_AVATAR_COLOURS = {
    "anna": ((233, 99, 74), (255, 210, 120)),
    "boris": ((44, 92, 160), (120, 200, 230)),
    "vera": ((90, 60, 150), (230, 170, 220)),
    "gleb": ((40, 120, 80), (200, 230, 120)),
    "dina": ((200, 60, 110), (250, 220, 200)),
    "egor": ((150, 100, 40), (240, 220, 170)),
}


def _demo_picture(colours) -> SimpleUploadedFile:
    """A simple generated picture: a sun over hills in the person's two colours."""
    dark, light = colours
    image = Image.new("RGB", (512, 512), light)
    draw = ImageDraw.Draw(image)
    draw.ellipse((300, 70, 430, 200), fill=(255, 255, 255))
    draw.ellipse((-200, 300, 380, 760), fill=dark)
    draw.ellipse((180, 340, 760, 800), fill=tuple(c // 2 for c in dark))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("demo.png", buffer.getvalue(), content_type="image/png")


def _ensure_user(username: str, **fields) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
    return user


def seed() -> list[User]:
    """Create the demo people and an admin; return the people."""
    people = [
        _ensure_user(
            username,
            email=f"{username}@beseda.local",
            first_name=first,
            last_name=last,
            gender=gender,
            bio=bio,
        )
        for username, first, last, gender, bio in DEMO_PEOPLE
    ]
    for person in people:
        if person.current_avatar_id is None and person.username in DEMO_AVATAR_COLOURS:
            picture = _demo_picture(DEMO_AVATAR_COLOURS[person.username])
            services.avatar_upload(user=person, uploaded_file=picture, crop=None)
    _ensure_user(
        "admin", email="admin@beseda.local", is_staff=True, is_superuser=True, first_name="Admin"
    )
    return people
