"""The friend graph as the pages see it: relations, friend lists and requests, mutual
friends, and searching people.
"""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.db.models import Exists, F, OuterRef, QuerySet

from accounts.models import User
from accounts.selectors import is_blocked_between, visible_users
from messenger.search import matching
from social.models import FriendRequest, Friendship
from social.selectors._kit import search_words

MUTUAL_FRIENDS_SHOWN = 6


class Relation:
    """How the viewer relates to another person (drives the profile's friend button)."""

    SELF = "self"
    ADD = "add"
    REQUESTED = "requested"  # the viewer asked, the other has not answered
    RESPOND = "respond"  # the other asked the viewer
    FRIENDS = "friends"
    BLOCKED = "blocked"


def friend_ids(user: User) -> set[int]:
    """Ids of `user`'s friends."""
    return set(Friendship.objects.filter(user=user).values_list("friend_id", flat=True))


def are_friends(user_a_id: int, user_b_id: int) -> bool:
    """True if the two users are friends."""
    return Friendship.objects.filter(user_id=user_a_id, friend_id=user_b_id).exists()


def relations_for(viewer: User, person_ids: Iterable[int]) -> dict[int, str]:
    """Relation of `viewer` to each of `person_ids` in three queries, whatever their number.

    Blocked pairs are not looked up here: lists never contain blocked people.
    """
    ids = {int(i) for i in person_ids}
    result = dict.fromkeys(ids, Relation.ADD)
    if viewer.pk in result:
        result[viewer.pk] = Relation.SELF
    others = ids - {viewer.pk}
    if not others:
        return result
    for person_id in FriendRequest.objects.filter(
        from_user=viewer, to_user_id__in=others
    ).values_list("to_user_id", flat=True):
        result[person_id] = Relation.REQUESTED
    # An incoming request outranks an outgoing one (both exist after crossed requests).
    for person_id in FriendRequest.objects.filter(
        to_user=viewer, from_user_id__in=others
    ).values_list("from_user_id", flat=True):
        result[person_id] = Relation.RESPOND
    for person_id in Friendship.objects.filter(user=viewer, friend_id__in=others).values_list(
        "friend_id", flat=True
    ):
        result[person_id] = Relation.FRIENDS
    return result


def relation_between(viewer: User, person: User) -> str:
    """Relation of `viewer` to `person`, including "blocked" (either side blocked the other)."""
    if viewer.pk != person.pk and is_blocked_between(viewer.pk, person.pk):
        return Relation.BLOCKED
    return relations_for(viewer, [person.pk])[person.pk]


def people_with_relations(viewer: User, people: Iterable[User]) -> list[User]:
    """`people` as a list, each with `.relation` set for `viewer` (three queries in all)."""
    people = list(people)
    relations = relations_for(viewer, [p.pk for p in people])
    for person in people:
        person.relation = relations[person.pk]
    return people


# -- friends page -------------------------------------------------------------------------------
def friends_of(viewer: User) -> QuerySet[User]:
    """`viewer`'s friends that `viewer` may see, by name."""
    return (
        visible_users(viewer)
        .filter(friendships__friend=viewer)
        .order_by("first_name", "last_name", "username")
    )


def incoming_requests_of(viewer: User) -> QuerySet[User]:
    """People who asked `viewer` to be friends, newest request first, each with the request's
    `request_id` and `requested_at`."""
    return (
        visible_users(viewer)
        .filter(friend_requests_sent__to_user=viewer)
        .annotate(
            request_id=F("friend_requests_sent__id"),
            requested_at=F("friend_requests_sent__created_at"),
        )
        .order_by("-request_id")
    )


def outgoing_requests_of(viewer: User) -> QuerySet[User]:
    """People `viewer` asked to be friends, newest request first, each with the request's
    `request_id` and `requested_at`."""
    return (
        visible_users(viewer)
        .filter(friend_requests_received__from_user=viewer)
        .annotate(
            request_id=F("friend_requests_received__id"),
            requested_at=F("friend_requests_received__created_at"),
        )
        .order_by("-request_id")
    )


def incoming_request_count(user: User) -> int:
    """Pending requests to `user` from people `user` may see (the navigation badge)."""
    return incoming_requests_of(user).count()


FRIEND_LISTS = {
    "friends": friends_of,
    "incoming": incoming_requests_of,
    "outgoing": outgoing_requests_of,
}


def friend_list_counts(viewer: User) -> dict[str, int]:
    """Size of each of the three lists on /friends/ (three small counts)."""
    return {key: list_of(viewer).count() for key, list_of in FRIEND_LISTS.items()}


def mutual_friends_of(viewer: User, person: User) -> QuerySet[User]:
    """Friends that `viewer` and `person` have in common (and `viewer` may see)."""
    return (
        friends_of(viewer)
        .filter(pk__in=Friendship.objects.filter(user=person).values("friend_id"))
        .exclude(pk__in=[viewer.pk, person.pk])
    )


def search_people(viewer: User, query: str) -> QuerySet[User]:
    """People with a verified email matching every word of `query` in first name, last name or
    username, or whose id is `query`; case-insensitive in any script, blocked pairs never see
    each other.
    ValidationError (for the field "q") if the query is longer than SEARCH_MAX_LENGTH."""
    words = search_words(query)
    # Accounts that never confirmed an email are not findable (they may be typos or spam).
    verified = EmailAddress.objects.filter(user_id=OuterRef("pk"), verified=True)
    people = visible_users(viewer).exclude(pk=viewer.pk).filter(Exists(verified))
    if not words:
        return people.none()
    matches = matching(people, words, "first_name", "last_name", "username")
    if query.strip().isdecimal() and len(query.strip()) < 19:
        matches = matches | people.filter(pk=int(query.strip()))
    return matches.order_by("first_name", "last_name", "username", "pk")
