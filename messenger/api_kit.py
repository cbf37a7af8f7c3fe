"""What every app's ninja router uses: the error type and shape, and cursor pagination.

Kept apart from `messenger.api` (the NinjaAPI instance, which imports every router) so that
`accounts/api.py`, `social/api.py`, `chats/api.py` can import it without an import cycle.

Errors: raise `ApiError(status, code, detail)` for a refusal the client caused; services'
`Http404`, `PermissionDenied` and Django `ValidationError` are turned into the same JSON shape
`{code, detail, fields?}` by the handlers in `messenger.api`.

Pagination, one way for every list (the API's and the site's "older posts" links):
`{"items": [...], "next": "<cursor>" | null}`, the client passing `next` back as `cursor`. A
`Cursor` is a keyset position: the last row's integer key (`"42"`) for lists in the order of a
unique integer, or its time and id (`"1763889164120000-42"`) for lists in time order, so rows
added meanwhile never shift a page. List operations take `paging: Query[PageParams]` and either
return `keyset(rows, paging, ...)` for a queryset (lists in time order take
`TimePageParams`), or ask their selector for one row more than
`paging.limit` after `paging.after_id` and return `page(rows, paging)`. A cursor that is not one
the list gave out is a 400 naming `cursor`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

T = TypeVar("T")

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100


class ApiError(HttpError):
    """A refusal answered as `{code, detail, fields?}` with `status`."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, str(detail))
        self.code = code
        self.detail = str(detail)
        self.fields = fields
        self.headers = headers or {}


class ErrorOut(Schema):
    """Every error of /api/v1/ has this shape."""

    code: str = Field(..., description="Stable machine-readable reason, e.g. `not_found`.")
    detail: str = Field(..., description="Human-readable explanation (in the request's language).")
    fields: dict[str, list[str]] | None = Field(
        None, description="Per-field messages; present on validation errors (400)."
    )


# -- pagination ---------------------------------------------------------------------------------
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# An integer key (18 digits stay below the 64-bit column range on every database), or a time in
# microseconds since 1970 (17 digits reach the year 5138, so it never overflows datetime) and an id.
CURSOR_PATTERN = r"^(?:([0-9]{1,17})-)?([0-9]{1,18})$"
KEY_CURSOR_PATTERN = r"^[0-9]{1,18}$"
TIME_CURSOR_PATTERN = r"^[0-9]{1,17}-[0-9]{1,18}$"
_CURSOR_RE = re.compile(CURSOR_PATTERN)


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: the integer key `id` of its last row, and for a list in
    time order that row's time `at` too. Rows added at the newest end never shift it, so pages
    have no gaps and no repeats."""

    id: int
    at: datetime | None = None

    def encode(self) -> str:
        if self.at is None:
            return str(self.id)
        return f"{(self.at - _EPOCH) // timedelta(microseconds=1)}-{self.id}"

    @classmethod
    def decode(cls, text: str, *, timed: bool = True) -> Cursor:
        """Parse `encode()`'s output of a list in time order (`timed`) or in key order;
        ValueError for anything else, a cursor of the other kind of list included."""
        match = _CURSOR_RE.match(text or "")
        if not match or (match[1] is not None) != timed:
            raise ValueError("bad cursor")
        if not timed:
            return cls(int(match[2]))
        try:
            return cls(int(match[2]), _EPOCH + timedelta(microseconds=int(match[1])))
        except OverflowError:
            raise ValueError("bad cursor") from None

    def older(self, field: str = "created_at", key: str = "id") -> Q:
        if self.at is None:
            return Q(**{f"{key}__lt": self.id})
        return Q(**{f"{field}__lt": self.at}) | Q(**{field: self.at, f"{key}__lt": self.id})

    def newer(self, field: str = "created_at", key: str = "id") -> Q:
        if self.at is None:
            return Q(**{f"{key}__gt": self.id})
        return Q(**{f"{field}__gt": self.at}) | Q(**{field: self.at, f"{key}__gt": self.id})


def keyset_page(
    rows: QuerySet,
    *,
    after: Cursor | None,
    limit: int,
    field: str = "created_at",
    key: str = "id",
    newest_first: bool = True,
) -> tuple[list, str | None]:
    """Up to `limit` of `rows` in (`field`, `key`) order continuing after `after`, and the
    cursor of the next page (None on the last). With `field == key` (a unique integer) the
    order and the cursor are that key alone."""
    if after is not None:
        rows = rows.filter(after.older(field, key) if newest_first else after.newer(field, key))
    columns = (field,) if field == key else (field, key)
    found = list(rows.order_by(*(f"-{c}" if newest_first else c for c in columns))[: limit + 1])
    page = found[:limit]
    if len(found) <= limit or not page:
        return page, None
    last = page[-1]
    at = None if field == key else getattr(last, field)
    return page, Cursor(getattr(last, key), at).encode()


def _bad_cursor() -> str:
    return _("This cursor was not given out by this list; pass back its “next” value as it is.")


def _cursor_field(*, timed: bool) -> Any:
    """The type of a `cursor` parameter: a cursor of a list in time order (`timed`) or in key
    order. Anything else, another list's cursor included, is refused with a message that says
    why (the schema states the pattern, so generated clients and fuzzers know it)."""

    def check(value: str) -> str:
        try:
            Cursor.decode(value, timed=timed)
        except ValueError:
            raise ValueError(_bad_cursor()) from None
        return value

    pattern = TIME_CURSOR_PATTERN if timed else KEY_CURSOR_PATTERN
    return Annotated[
        str, AfterValidator(check), WithJsonSchema({"type": "string", "pattern": pattern})
    ]


KeyCursor = _cursor_field(timed=False)
TimeCursor = _cursor_field(timed=True)
CURSOR_DESCRIPTION = "The `next` value of the previous page; omit for the first page."


class PageParams(Schema):
    """Query parameters of every list in key order (people, friends, blocks, chats, ...)."""

    cursor: KeyCursor | None = Field(None, description=CURSOR_DESCRIPTION)
    limit: int = Field(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX, description="Items per page.")

    @property
    def after_id(self) -> int | None:
        """The key of the last row of the previous page (selectors continue after it)."""
        return Cursor.decode(self.cursor, timed=False).id if self.cursor else None


class TimePageParams(PageParams):
    """Query parameters of every list in time order (feed, walls, comments, board)."""

    cursor: TimeCursor | None = Field(None, description=CURSOR_DESCRIPTION)  # type: ignore[assignment]

    @property
    def position(self) -> Cursor | None:
        """Where the previous page ended."""
        return Cursor.decode(self.cursor) if self.cursor else None


class Page(Schema, Generic[T]):
    """One page of a list; pass `next` back as `cursor` for the following page."""

    items: list[T]
    next: str | None = Field(None, description="Cursor of the next page; null on the last page.")


def page(
    rows: Sequence[Any], paging: PageParams, *, key: Callable[[Any], int] = lambda row: row.pk
) -> dict[str, Any]:
    """Cut `rows` (fetched with `limit=paging.limit + 1`) into a page and its next cursor."""
    items = list(rows[: paging.limit])
    more = len(rows) > paging.limit
    return {"items": items, "next": Cursor(key(items[-1])).encode() if more and items else None}


def keyset(
    rows: QuerySet,
    paging: PageParams,
    *,
    field: str = "id",
    key: str = "id",
    newest_first: bool = False,
) -> dict[str, Any]:
    """One page of the queryset `rows` in (`field`, `key`) order (see `keyset_page`); `paging`
    is a TimePageParams when `field` is a time."""
    after = Cursor.decode(paging.cursor, timed=field != key) if paging.cursor else None
    items, cursor = keyset_page(
        rows, after=after, limit=paging.limit, field=field, key=key, newest_first=newest_first
    )
    return {"items": items, "next": cursor}


# Text input of every operation: PostgreSQL refuses NUL characters, so the schema says so too.
# (Lone surrogates such as "\ud800" are refused by pydantic itself.)
NO_NUL_PATTERN = r"^[^\x00]*$"
Text = Annotated[str, Field(pattern=NO_NUL_PATTERN)]


def _json_integer(value: Any) -> Any:
    # JSON Schema's "integer": 7 and 7.0 are integers; true and "7" are not (pydantic's lax
    # mode would take them, its strict mode would refuse 7.0).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


def integer(*, ge: int, le: int) -> Any:
    """The type of an integer field of a JSON body, within [ge, le].

    (The bounds must come before the validator, or pydantic leaves them out of the schema.)
    """
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_json_integer)]
