"""What accounts needs of the friend graph, which the social app above it owns.

Blocks, presence, account deletion and the profile page depend on who is friends with whom;
accounts may not import social, so social registers its functions here in
SocialConfig.ready() (the way apps register frame handlers with the realtime core).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class FriendGraph:
    are_friends: Callable[[int, int], bool]  # (user id, user id)
    friend_ids: Callable[[int], set[int]]  # a user id's friends
    unlink: Callable[[int, int], None]  # end the friendship and requests between two users
    forget: Callable[[int], None]  # end every friendship and request of a user
    # Template context the profile page adds for (viewer, person): the friend button, mutual
    # friends and the wall.
    profile_context: Callable[[User, User], dict[str, Any]]


_graph: FriendGraph | None = None


def register(graph: FriendGraph) -> None:
    global _graph
    _graph = graph


def friend_graph() -> FriendGraph:
    """The registered friend graph; ImproperlyConfigured before the social app is ready."""
    if _graph is None:
        raise ImproperlyConfigured("The social app registers the friend graph in ready().")
    return _graph
