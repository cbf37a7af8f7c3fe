"""REST operations about friendships (mounted under /api/v1/). Requests, posts and the board
land here with the social services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from accounts.api import UserOut
from accounts.selectors import visible_users
from messenger.api_kit import Page, PageParams, page
from social.selectors import friend_ids

router = Router(tags=["friends"])


@router.get("/friends", response=Page[UserOut], summary="My friends")
def friends_list(request: HttpRequest, paging: Query[PageParams]):
    # Composed from the two published selectors until social.selectors has a paged friends list.
    friends = visible_users(request.user).filter(pk__in=friend_ids(request.user)).order_by("pk")
    if paging.after_id is not None:
        friends = friends.filter(pk__gt=paging.after_id)
    return page(list(friends[: paging.limit + 1]), paging)
