"""REST operations about people: me, profiles, blocks (mounted under /api/v1/). People search
is the social app's (social/api.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from accounts import selectors, services
from accounts.birthdays import birth_date_from_parts
from accounts.models import User
from messenger.api_kit import ApiError, ErrorOut, Page, PageParams, Text, integer, page

router = Router(tags=["people"])

# Django's username rule (UnicodeUsernameValidator) and column size.
USERNAME_PATTERN = r"^[\w.@+-]+$"
Username = Annotated[
    str, Path(..., pattern=USERNAME_PATTERN, max_length=150, description="A username.")
]


def _max_length(name: str) -> int:
    return User._meta.get_field(name).max_length


class UserOut(Schema):
    """What anyone who may see a person sees of them."""

    id: int
    username: str
    display_name: str
    first_name: str
    last_name: str
    bio: str
    avatar_url: str | None


class MeOut(UserOut):
    """The signed-in user's own account, private fields included."""

    email: str
    gender: User.Gender
    birth_day: int | None
    birth_month: int | None
    birth_year: int | None
    birth_date_visibility: User.BirthDateVisibility


class ProfilePatch(Schema):
    """Profile fields to change; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    first_name: Annotated[Text, Field(max_length=_max_length("first_name"))] = None
    last_name: Annotated[Text, Field(max_length=_max_length("last_name"))] = None
    bio: Annotated[Text, Field(max_length=_max_length("bio"))] = None
    gender: User.Gender = None
    birth_day: integer(ge=1, le=31) | None = None
    birth_month: integer(ge=1, le=12) | None = None
    # The column's range (PositiveSmallIntegerField).
    birth_year: integer(ge=0, le=32767) | None = None
    birth_date_visibility: User.BirthDateVisibility = None


class BlockIn(Schema):
    username: Annotated[Text, Field(min_length=1, max_length=150)]


class BlockOut(Schema):
    user: UserOut
    created_at: datetime

    @staticmethod
    def resolve_user(block) -> User:
        return block.blocked


# -- me -----------------------------------------------------------------------------------
@router.get("/me", response=MeOut, summary="My account")
def me_get(request: HttpRequest):
    return request.user


@router.patch("/me", response=MeOut, summary="Change my profile")
def me_update(request: HttpRequest, payload: ProfilePatch):
    user, changes = request.user, payload.model_dump(exclude_unset=True)
    if not changes:
        return user
    # The birth date is checked whole: a part not sent keeps its stored value.
    day, month, year = (
        changes.get(f"birth_{part}", getattr(user, f"birth_{part}"))
        for part in ("day", "month", "year")
    )
    return services.profile_update(
        user=user,
        first_name=changes.get("first_name", user.first_name),
        last_name=changes.get("last_name", user.last_name),
        bio=changes.get("bio", user.bio),
        gender=changes.get("gender", user.gender),
        birth_date=birth_date_from_parts(day, month, year, today=timezone.localdate()),
        birth_date_visibility=changes.get("birth_date_visibility", user.birth_date_visibility),
    )


# -- people -------------------------------------------------------------------------------
@router.get("/users/{username}", response={200: UserOut}, summary="A person's profile")
def user_get(request: HttpRequest, username: Username):
    return selectors.user_get_visible(request.user, username)


# -- blocks -------------------------------------------------------------------------------
@router.get("/blocks", response=Page[BlockOut], summary="People I blocked")
def blocks_list(request: HttpRequest, paging: Query[PageParams]):
    rows = selectors.blocks_made(request.user, limit=paging.limit + 1, after_id=paging.after_id)
    return page(rows, paging)


@router.post(
    "/blocks", response={201: BlockOut, 409: ErrorOut}, summary="Block a person (both hidden)"
)
def block_create(request: HttpRequest, payload: BlockIn):
    if selectors.has_blocked(request.user, payload.username):
        raise ApiError(409, "already_blocked", _("You have already blocked this person."))
    # Someone who blocked the viewer is hidden from them: 404, as for a missing user.
    person = selectors.user_get_visible(request.user, payload.username)
    try:
        block = services.block_create(blocker=request.user, blocked=person)
    except ValueError:
        raise ApiError(
            400,
            "invalid",
            _("You cannot block yourself."),
            fields={"username": [_("You cannot block yourself.")]},
        ) from None
    return Status(201, block)


@router.delete("/blocks/{username}", response={204: None}, summary="Unblock a person")
def block_delete(request: HttpRequest, username: Username):
    block = selectors.block_get(request.user, username)
    services.block_delete(blocker=request.user, blocked=block.blocked)
    return Status(204, None)
