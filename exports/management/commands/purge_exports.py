"""Delete expired "My data" archives and fail exports whose build died (run daily)."""

from django.core.management.base import BaseCommand

from exports.services import exports_purge


class Command(BaseCommand):
    help = "Delete expired data exports with their files; mark interrupted builds as failed."

    def handle(self, *args, **options) -> None:
        deleted, failed = exports_purge()
        self.stdout.write(f"deleted {deleted} expired export(s), marked {failed} interrupted")
