"""The one shape of a person in every socket frame and API payload, and its one builder.

`{"id", "username", "display_name", "avatar_url"}`: a message's sender, a reactor, a new
member, a notification's actor, a post's or comment's author, a friend request's sender. A
profile (`accounts.api.UserOut`) is the same four keys with more fields beside them.
docs/realtime-protocol.md and docs/api.md show it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, overload

from pydantic import BeforeValidator

# pydantic (the API schemas) reads this shape; on Python 3.11 it needs this TypedDict.
from typing_extensions import TypedDict

if TYPE_CHECKING:
    from accounts.models import User


class UserRef(TypedDict):
    id: int
    username: str
    display_name: str
    avatar_url: str | None


@overload
def user_ref(user: User) -> UserRef: ...
@overload
def user_ref(user: None) -> None: ...
def user_ref(user: User | None) -> UserRef | None:
    """A person as every frame and API payload shows them (None stays None: a deleted row)."""
    if user is None:
        return None
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "avatar_url": user.avatar_url,
    }


def _as_user_ref(value: Any) -> Any:
    return value if value is None or isinstance(value, dict) else user_ref(value)


# An API schema field holding a person: filled from a User (or a UserRef already built),
# declared once in the OpenAPI document as `UserRef`.
UserRefOut = Annotated[UserRef, BeforeValidator(_as_user_ref)]
