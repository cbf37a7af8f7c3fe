"""Build the archive of one chat as a member sees it, with a progress bar on stderr."""

from django.core.management.base import BaseCommand

from exports.management.build import build_to, find_user


class Command(BaseCommand):
    help = "Export one chat as the given member sees it, as a ZIP: index.html, data.json, files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("chat_id", type=int)
        parser.add_argument(
            "--as", dest="as_user", required=True, help="username or email of a member"
        )
        parser.add_argument(
            "--output", "-o", help="the ZIP to write (default: ./beseda-chat-<id>-<date>.zip)"
        )

    def handle(self, *args, chat_id: int, as_user: str, output: str | None, **options) -> None:
        build_to(self, user=find_user(as_user), output=output, chat_id=chat_id)
