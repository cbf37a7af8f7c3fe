"""Delete accounts whose owners never verified an email address (`--older-than 7d`)."""

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from accounts import services

UNITS = {"d": "days", "h": "hours"}


def parse_age(text: str) -> timedelta:
    """`7d` → 7 days, `12h` → 12 hours; raises CommandError otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*([dh])\s*", text)
    if not match or int(match.group(1)) == 0:
        raise CommandError(
            f"--older-than takes a positive number and a unit, d or h (7d, 36h); got {text!r}"
        )
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


class Command(BaseCommand):
    help = "Delete accounts that never verified an email address and joined before a cutoff."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than",
            required=True,
            help="age of the accounts to delete, in days or hours: 7d, 36h",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="only count the accounts, delete nothing"
        )

    def handle(self, *args, older_than: str, dry_run: bool, **options) -> None:
        count = services.users_purge_unverified(older_than=parse_age(older_than), dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{count} unverified account(s) would be deleted (dry run).")
        else:
            self.stdout.write(self.style.SUCCESS(f"Deleted {count} unverified account(s)."))
