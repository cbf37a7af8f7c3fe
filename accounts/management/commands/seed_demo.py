"""Load demo data for `make run` (idempotent: running it again changes nothing).

The demo accounts, a superuser among them, share a password printed in the README and the
docs, so with DEBUG off the command refuses unless given `--insecure-demo`.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from messenger.progress import Progress


class Command(BaseCommand):
    help = "Create demo users (with avatars), friendships, posts and chats; safe to re-run."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--insecure-demo",
            action="store_true",
            help="Load the demo accounts (published password, a superuser) even with DEBUG off.",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["insecure_demo"]:
            raise CommandError(
                "DEBUG is off: seed_demo would create a superuser whose password is published. "
                "Run it in development, or pass --insecure-demo if this site is a throwaway demo."
            )
        steps = accounts_demo.DEMO_STEPS
        with (
            Progress(self.stderr, "demo data", total=1 + len(steps)) as progress,
            transaction.atomic(),
        ):
            users = accounts_demo.seed()
            progress.advance()
            for step in progress.iterate(steps):
                step(users)
        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. Log in at http://127.0.0.1:8000/")
        )
        self.stdout.write(f"  password for every demo user: {accounts_demo.DEMO_PASSWORD}")
        for user in users:
            self.stdout.write(f"  {user.username:<10} {user.email}")
        self.stdout.write("  admin (staff, superuser): admin / same password")
