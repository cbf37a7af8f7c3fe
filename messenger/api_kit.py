"""What every app's ninja router uses: the error type and shape, and cursor pagination.

Kept apart from `messenger.api` (the NinjaAPI instance, which imports every router) so that
`accounts/api.py`, `social/api.py`, `chats/api.py` can import it without an import cycle.

Errors: raise `ApiError(status, code, detail)` for a refusal the client caused; services'
`Http404`, `PermissionDenied` and Django `ValidationError` are turned into the same JSON shape
`{code, detail, fields?}` by the handlers in `messenger.api`.

Pagination: list operations take `paging: Query[PageParams]`, ask their selector for one row
more than `paging.limit` after `paging.after_id`, and return `page(rows, paging)`:
`{"items": [...], "next": "<cursor>" | null}`. The cursor is opaque to clients.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from ninja import Field, Schema
from ninja.errors import HttpError
from pydantic import BeforeValidator

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


# A cursor is the id of the last row of a page, written in decimal; clients treat it as opaque.
# 18 digits stay below the 64-bit column range on every database.
CURSOR_PATTERN = r"^[0-9]{1,18}$"


def encode_cursor(row_id: int) -> str:
    return str(row_id)


class PageParams(Schema):
    """Query parameters of every list operation."""

    cursor: str | None = Field(
        None,
        pattern=CURSOR_PATTERN,
        description="The `next` value of the previous page; omit for the first page.",
    )
    limit: int = Field(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX, description="Items per page.")

    @property
    def after_id(self) -> int | None:
        """The id of the last row of the previous page (selectors continue after it)."""
        return int(self.cursor) if self.cursor else None


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
    return {"items": items, "next": encode_cursor(key(items[-1])) if more and items else None}


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
