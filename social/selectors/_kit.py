"""What the social selectors share: page sizes, search words, and per-row counts that leave
out blocked people."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from messenger.search import normalise

if TYPE_CHECKING:
    from social.models import Comment, PostLike, Reply

PAGE_SIZE = 20


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
