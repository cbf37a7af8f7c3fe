"""REST operations of the social app (mounted under /api/v1/): friends and friend requests,
people search, posts with photos, likes, comments, and the discussion board.

Every operation calls the same services and selectors as the HTML views; this module only
parses input, pages lists and shapes the JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.api import Username, UserOut
from accounts.models import User
from accounts.selectors import user_get_visible
from messenger.api_kit import ApiError, ErrorOut, Page, PageParams, Text, page
from social import selectors, services

router = Router(tags=["friends"])


def _id_page(rows: QuerySet, paging: PageParams, *, key: str = "pk", newest_first: bool = False):
    """A page of `rows` in order of the integer `key` (ascending, or descending with
    `newest_first`), continuing after the cursor: new rows never shift a page."""
    if paging.after_id is not None:
        rows = rows.filter(**{f"{key}__{'lt' if newest_first else 'gt'}": paging.after_id})
    rows = rows.order_by(f"-{key}" if newest_first else key)
    return page(list(rows[: paging.limit + 1]), paging, key=lambda row: getattr(row, key))


# -- friends ------------------------------------------------------------------------------------
class FriendRequestOut(Schema):
    """A pending friend request: its id, the other person, and when it was sent."""

    id: int
    user: UserOut
    created_at: datetime

    @staticmethod
    def resolve_id(person: User) -> int:
        return person.request_id

    @staticmethod
    def resolve_user(person: User) -> User:
        return person

    @staticmethod
    def resolve_created_at(person: User) -> datetime:
        return person.requested_at


class UsernameIn(Schema):
    username: Annotated[Text, Field(min_length=1, max_length=150)]


class RelationOut(Schema):
    """Where a friend action left me and the other person."""

    user: UserOut
    relation: str = Field(
        ...,
        description="`requested` (my request waits for them), `friends`, or `add` (no request).",
    )


def _relation(viewer: User, person: User) -> dict:
    return {"user": person, "relation": selectors.relation_between(viewer, person)}


@router.get("/friends", response=Page[UserOut], summary="My friends")
def friends_list(request: HttpRequest, paging: Query[PageParams]):
    return _id_page(selectors.friends_of(request.user), paging)


@router.get(
    "/friends/requests/{direction}",
    response=Page[FriendRequestOut],
    summary="Pending friend requests: sent to me (incoming) or by me (outgoing)",
)
def friend_requests_list(
    request: HttpRequest, direction: Literal["incoming", "outgoing"], paging: Query[PageParams]
):
    rows = selectors.FRIEND_LISTS[direction](request.user)
    return _id_page(rows, paging, key="request_id", newest_first=True)


@router.post(
    "/friends/requests",
    response={200: RelationOut, 201: RelationOut, 409: ErrorOut},
    summary="Ask someone to be friends",
    description=(
        "201 with `relation: requested` when the request waits for them (sending twice is "
        "harmless); 200 with `relation: friends` when they had already asked me, which accepts "
        "their request. 409 `already_friends`; 400 for myself; 404 if I cannot see them."
    ),
)
def friend_request_send(request: HttpRequest, payload: UsernameIn):
    person = user_get_visible(request.user, payload.username)
    try:
        sent = services.friend_request_send(from_user=request.user, to_user=person)
    except ValidationError as exc:
        if exc.code == "already_friends":
            raise ApiError(409, "already_friends", " ".join(exc.messages)) from None
        raise ApiError(
            400, "invalid", " ".join(exc.messages), fields={"username": exc.messages}
        ) from None
    return (201 if sent else 200), _relation(request.user, person)


@router.delete(
    "/friends/requests/outgoing/{username}",
    response={204: None},
    summary="Withdraw my friend request",
)
def friend_request_cancel(request: HttpRequest, username: Username):
    person = user_get_visible(request.user, username)
    services.friend_request_cancel(from_user=request.user, to_user=person)
    return 204, None


@router.post(
    "/friends/requests/incoming/{username}/accept",
    response=RelationOut,
    summary="Accept a friend request",
)
def friend_request_accept(request: HttpRequest, username: Username):
    person = user_get_visible(request.user, username)
    services.friend_request_accept(user=request.user, from_user=person)
    return _relation(request.user, person)


@router.post(
    "/friends/requests/incoming/{username}/decline",
    response={204: None},
    summary="Decline a friend request (they are not told)",
)
def friend_request_decline(request: HttpRequest, username: Username):
    person = user_get_visible(request.user, username)
    services.friend_request_decline(user=request.user, from_user=person)
    return 204, None


@router.delete("/friends/{username}", response={204: None}, summary="End a friendship")
def friendship_remove(request: HttpRequest, username: Username):
    person = user_get_visible(request.user, username)
    services.friendship_remove(user=request.user, friend=person)
    return 204, None


# -- people search ------------------------------------------------------------------------------
class SearchParams(PageParams):
    q: Annotated[
        Text,
        Field(
            min_length=1,
            max_length=selectors.SEARCH_MAX_LENGTH,
            description="Words of a name or username (all must match), or a numeric user id.",
        ),
    ]


@router.get("/users", response=Page[UserOut], summary="Search people", tags=["people"])
def users_search(request: HttpRequest, params: Query[SearchParams]):
    return _id_page(selectors.search_people(request.user, params.q), params)
