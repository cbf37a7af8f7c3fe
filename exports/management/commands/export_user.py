"""Build the "My data" archive of one account to a file, with a progress bar on stderr."""

from django.core.management.base import BaseCommand

from exports.management.build import build_to, find_user


class Command(BaseCommand):
    help = "Export a user's data (what they may see) as a ZIP: index.html, data.json, files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("user", help="username or email address")
        parser.add_argument(
            "--output", "-o", help="the ZIP to write (default: ./beseda-<username>-<date>.zip)"
        )

    def handle(self, *args, user: str, output: str | None, **options) -> None:
        build_to(self, user=find_user(user), output=output, chat_id=None)
