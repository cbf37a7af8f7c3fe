"""Sticker packs: the picture check and installing a bundled pack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from django.db import transaction

from chats.models import Sticker, StickerPack
from messenger.images import reencode_image
from messenger.storage import delete_files

if TYPE_CHECKING:
    from messenger.images import RenderedImage


STICKER_SIDE = 512


def sticker_image(upload: IO[bytes]) -> RenderedImage:
    """A sticker picture checked and re-encoded as WebP with transparency, at most 512 px a
    side, without metadata. ValidationError if it is not a usable image."""

    return reencode_image(upload, max_side=STICKER_SIDE, output_format="WEBP", quality=90)


def sticker_pack_install(
    *, slug: str, title: str, licence: str, pictures: Sequence[tuple[str, IO[bytes]]]
) -> bool:
    """Install a bundled pack (`pictures`: (name, file) pairs in order) unless a pack with this
    slug exists; returns whether it was installed. Used by `manage.py load_sticker_packs`."""
    if StickerPack.objects.filter(slug=slug).exists():
        return False
    encoded = [(name, sticker_image(file)) for name, file in pictures]
    written: list[str | None] = []
    try:
        with transaction.atomic():
            pack = StickerPack.objects.create(
                slug=slug, title=title, licence=licence, ordering=StickerPack.objects.count()
            )
            for position, (name, content) in enumerate(encoded):
                sticker = Sticker(pack=pack, name=name, ordering=position)
                sticker.image.save(content.name, content, save=False)
                written.append(sticker.image.name)
                sticker.save()
    except BaseException:
        delete_files(written)
        raise
    return True
