"""Load demo data for `make run` (idempotent: running it again changes nothing)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo


class Command(BaseCommand):
    help = "Create demo users (with avatars), friendships, posts and chats; safe to re-run."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            users = accounts_demo.seed()
            for step in accounts_demo.DEMO_STEPS:
                step(users)
        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. Log in at http://127.0.0.1:8000/")
        )
        self.stdout.write(f"  password for every demo user: {accounts_demo.DEMO_PASSWORD}")
        for user in users:
            self.stdout.write(f"  {user.username:<10} {user.email}")
        self.stdout.write("  admin (staff, superuser): admin / same password")
