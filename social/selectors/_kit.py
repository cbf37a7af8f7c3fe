"""What the social selectors share: page sizes, keyset pagination by (time, id), search
words, and per-row counts that leave out blocked people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Count, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from messenger.search import normalise

if TYPE_CHECKING:
    from social.models import Comment, PostLike, Reply

PAGE_SIZE = 20

_Row = TypeVar("_Row", bound=Model)


SEARCH_MAX_LENGTH = 100


def search_words(query: str) -> list[str]:
    """The folded words of a search `query` (see messenger.search.normalise); ValidationError (for
    the field "q") if the query is longer than SEARCH_MAX_LENGTH."""
    if len(query.strip()) > SEARCH_MAX_LENGTH:
        message = _("The search text is too long (at most %(limit)d characters).") % {
            "limit": SEARCH_MAX_LENGTH
        }
        raise ValidationError({"q": message}, code="too_long")
    return normalise(query).split()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Microseconds since 1970 (17 digits reach the year 5138, so a cursor can never overflow
# datetime) and a row id (18 digits stay in the 64-bit range).
CURSOR_PATTERN = r"^([0-9]{1,17})-([0-9]{1,18})$"
_CURSOR_RE = re.compile(CURSOR_PATTERN)


@dataclass(frozen=True)
class Cursor:
    """A position in a list ordered by (time, id): the row at `at`, `id` ended the previous
    page. Rows added at the newest end never shift it, so pages have no gaps and no repeats."""

    at: datetime
    id: int

    def encode(self) -> str:
        return f"{(self.at - _EPOCH) // timedelta(microseconds=1)}-{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Parse `encode()`'s output; ValueError for anything else."""
        match = _CURSOR_RE.match(text or "")
        if not match:
            raise ValueError("bad cursor")
        micros, row_id = int(match[1]), int(match[2])
        try:
            return cls(_EPOCH + timedelta(microseconds=micros), row_id)
        except OverflowError:
            raise ValueError("bad cursor") from None

    def older(self, field: str = "created_at") -> Q:
        return Q(**{f"{field}__lt": self.at}) | Q(**{field: self.at, "id__lt": self.id})

    def newer(self, field: str = "created_at") -> Q:
        return Q(**{f"{field}__gt": self.at}) | Q(**{field: self.at, "id__gt": self.id})


def keyset_page(
    rows: QuerySet[_Row],
    *,
    after: Cursor | None,
    limit: int,
    field: str = "created_at",
    newest_first: bool = True,
) -> tuple[list[_Row], str | None]:
    """Up to `limit` of `rows` in (`field`, id) order continuing after `after`, and the cursor
    of the next page (None on the last)."""
    if after is not None:
        rows = rows.filter(after.older(field) if newest_first else after.newer(field))
    order = (f"-{field}", "-id") if newest_first else (field, "id")
    found = list(rows.order_by(*order)[: limit + 1])
    page = found[:limit]
    more = len(found) > limit
    return page, Cursor(getattr(page[-1], field), page[-1].pk).encode() if more else None


def _count_per_row(
    model: type[PostLike | Comment | Reply], parent: str, person_field: str, hidden: list[int]
) -> Coalesce:
    """Rows of `model` per outer row (`parent` = OuterRef), leaving out those by `hidden`."""
    rows = (
        model.objects.filter(**{parent: OuterRef("pk")})
        .exclude(**{f"{person_field}__in": hidden})
        .order_by()
        .values(parent)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)
