"""Delete chat uploads that were never sent with a message (run daily from cron/systemd)."""

from django.core.management.base import BaseCommand

from chats.services import attachments_discard_stale


class Command(BaseCommand):
    help = "Delete chat files uploaded but never sent (older than --hours, default 24)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours: int, **options) -> None:
        count = attachments_discard_stale(older_than_hours=hours)
        self.stdout.write(f"discarded {count} unsent upload(s)")
