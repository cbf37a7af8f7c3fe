"""Demo users for `manage.py seed_demo`."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from accounts.models import User

DEMO_PASSWORD = "beseda-demo-2026"  # noqa: S105 (published demo login, local data only)
DEMO_PEOPLE = [
    ("anna", "Анна", "Петрова", "f", "Люблю горы и джаз."),
    ("boris", "Борис", "Иванов", "m", "Backend developer, chess player."),
    ("vera", "Вера", "Смирнова", "f", "Teacher of literature."),
    ("gleb", "Глеб", "Кузнецов", "m", "Photographer."),
    ("dina", "Dina", "Novak", "f", "Product designer."),
]


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
    _ensure_user(
        "admin", email="admin@beseda.local", is_staff=True, is_superuser=True, first_name="Admin"
    )
    return people
