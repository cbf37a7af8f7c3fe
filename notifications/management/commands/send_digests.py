"""Email each person who asked for it a digest of their unread notifications (run from cron,
e.g. daily). A notification goes out in one digest at most: a second run sends nothing new."""

import logging

from django.core.management.base import BaseCommand

from messenger.progress import Progress
from notifications import selectors, services

logger = logging.getLogger("beseda.notifications")


class Command(BaseCommand):
    help = "Email digests of unread notifications to people who asked for them."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say who would get how many."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        sent = failed = 0
        recipients = selectors.digest_recipients()
        with Progress(self.stderr, "digests", total=recipients.count()) as progress:
            for user in progress.iterate(recipients.iterator()):
                if dry_run:
                    count = len(selectors.digest_for(user))
                    self.stdout.write(f"{user.username}: {count} notification(s)")
                    continue
                try:
                    count = services.digest_send(user=user)
                except OSError:
                    # One unreachable mailbox must not stop the others; the next run retries it.
                    logger.exception("digest to user %s failed", user.pk)
                    failed += 1
                    continue
                sent += bool(count)
        if not dry_run:
            self.stdout.write(f"sent {sent} digest(s), {failed} failed")
