"""What export_user and export_chat share: build the archive to a path with a progress bar."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from exports import archive
from exports.management.progress import ProgressBar


def find_user(who: str) -> User:
    """An active user by username or email address; CommandError otherwise."""
    user = User.objects.filter(Q(username=who) | Q(email__iexact=who), is_active=True).first()
    if user is None:
        raise CommandError(f"no active user with username or email {who!r}")
    return user


def build_to(command: BaseCommand, *, user: User, output: str | None, chat_id: int | None) -> Path:
    """Write the archive to `output` (default: a dated name in the current folder)."""
    stamp = timezone.localdate().isoformat()
    default = (
        f"beseda-chat-{chat_id}-{stamp}.zip" if chat_id else f"beseda-{user.username}-{stamp}.zip"
    )
    path = Path(output or default)
    bar = ProgressBar(command.stderr)
    try:
        with path.open("wb") as handle:
            archive.build(handle, requester=user, chat_id=chat_id, progress=bar)
    except Http404:
        path.unlink(missing_ok=True)
        raise CommandError(f"{user.username} is not a member of chat {chat_id}") from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        bar.done()
    command.stdout.write(f"wrote {path} ({path.stat().st_size} bytes)")
    return path
