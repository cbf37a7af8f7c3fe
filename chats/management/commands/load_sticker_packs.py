"""Install the bundled sticker packs from static/stickers/<pack>/ (idempotent: a pack whose
short name is already installed is left as the admins arranged it)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from chats.services import sticker_pack_install
from messenger.progress import Progress

DEFAULT_ROOT = Path(settings.BASE_DIR) / "static" / "stickers"


class Command(BaseCommand):
    help = "Install the bundled sticker packs (static/stickers/<pack>/, see bin/make-stickers)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)

    def handle(self, *args, root: Path, **options) -> None:
        folders = sorted(
            (p for p in root.iterdir() if (p / "pack.json").is_file()),
            key=lambda p: json.loads((p / "pack.json").read_text())["order"],
        )
        with Progress(self.stderr, "sticker packs", total=len(folders)) as progress:
            for folder in progress.iterate(folders):
                self._install(folder)

    def _install(self, folder: Path) -> None:
        """Install one pack folder unless a pack of that name is there already."""
        meta = json.loads((folder / "pack.json").read_text())
        files = sorted(folder.glob("*.png"))
        handles = [path.open("rb") for path in files]
        try:
            installed = sticker_pack_install(
                slug=folder.name,
                title=meta["title"],
                licence=meta.get("licence", ""),
                pictures=[
                    (path.stem.split("-", 1)[-1].replace("-", " "), handle)
                    for path, handle in zip(files, handles, strict=True)
                ],
            )
        finally:
            for handle in handles:
                handle.close()
        state = "installed" if installed else "already installed"
        self.stdout.write(f"{folder.name}: {state} ({len(files)} stickers)")
