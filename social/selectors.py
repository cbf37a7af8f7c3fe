"""Reads for social pages, the API and other apps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import blocked_user_ids, is_blocked_between, visible_users
from social.models import FriendRequest, Friendship

PAGE_SIZE = 20
MUTUAL_FRIENDS_SHOWN = 6


class Relation:
    """How the viewer relates to another person (drives the profile's friend button)."""

    SELF = "self"
    ADD = "add"
    REQUESTED = "requested"  # the viewer asked, the other has not answered
    RESPOND = "respond"  # the other asked the viewer
    FRIENDS = "friends"
    BLOCKED = "blocked"


def friend_ids(user) -> set[int]:
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
    """People who asked `viewer` to be friends, newest request first."""
    return (
        visible_users(viewer)
        .filter(friend_requests_sent__to_user=viewer)
        .order_by("-friend_requests_sent__created_at", "-pk")
    )


def outgoing_requests_of(viewer: User) -> QuerySet[User]:
    """People `viewer` asked to be friends, newest request first."""
    return (
        visible_users(viewer)
        .filter(friend_requests_received__from_user=viewer)
        .order_by("-friend_requests_received__created_at", "-pk")
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


# -- search -------------------------------------------------------------------------------------
SEARCH_MAX_LENGTH = 100


def search_people(viewer: User, query: str) -> QuerySet[User]:
    """People matching every word of `query` in first name, last name or username, or whose id
    is `query`; case-insensitive in any script, blocked pairs never see each other."""
    from social.search import normalise, search_text

    words = normalise(query).split()
    people = visible_users(viewer).exclude(pk=viewer.pk)
    if not words:
        return people.none()
    people = people.annotate(search_text=search_text("first_name", "last_name", "username"))
    matches = people
    for word in words:
        matches = matches.filter(search_text__contains=word)
    if query.strip().isdigit() and len(query.strip()) < 19:
        matches = matches | people.filter(pk=int(query.strip()))
    return matches.order_by("first_name", "last_name", "username", "pk")


# -- profile ------------------------------------------------------------------------------------
@dataclass
class ProfileSocial:
    """What the social part of a profile page shows to one viewer."""

    person: User
    relation: str
    mutual_friends: list[User] = field(default_factory=list)
    mutual_friend_count: int = 0
    friend_count: int = 0
    wall: object = None  # a FeedPage (set once posts exist)


def profile_social_context(viewer: User, person: User) -> dict:
    """Template context for templates/social/_profile_social.html: {"social": ProfileSocial}."""
    relation = relation_between(viewer, person)
    person.relation = relation
    social = ProfileSocial(person=person, relation=relation)
    if relation != Relation.BLOCKED:
        if relation != Relation.SELF:
            mutual = mutual_friends_of(viewer, person)
            social.mutual_friends = list(mutual[:MUTUAL_FRIENDS_SHOWN])
            social.mutual_friend_count = (
                len(social.mutual_friends)
                if len(social.mutual_friends) < MUTUAL_FRIENDS_SHOWN
                else mutual.count()
            )
        social.friend_count = friends_of(person).exclude(pk__in=blocked_user_ids(viewer)).count()
    return {"social": social}
