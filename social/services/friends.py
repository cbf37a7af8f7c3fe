"""The friend graph: requests, friendships, and ending them (a block, a deleted account)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import is_blocked_between
from messenger.realtime import publish_on_commit
from social import events, hooks, live
from social.models import FriendRequest, Friendship
from social.selectors import incoming_request_count


def _require_reachable(actor: User, person: User) -> None:
    """Http404 unless `person` is active and neither of the two blocked the other."""
    if not person.is_active or is_blocked_between(actor.pk, person.pk):
        raise Http404


def _publish_incoming_count(user_id: int) -> None:
    """After commit, tell `user_id` how many friend requests wait for them (read then)."""
    publish_on_commit(
        lambda: events.friend_request_count(incoming=incoming_request_count(User(pk=user_id))),
        [user_id],
    )


def friend_request_send(*, from_user: User, to_user: User) -> FriendRequest | None:
    """Ask `to_user` to be friends; if they already asked `from_user`, accept that instead (and
    return None). Raises Http404 for blocked/inactive people, ValidationError when already
    friends or when asking oneself. Sending twice is harmless."""
    if from_user.pk == to_user.pk:
        raise ValidationError(_("You cannot add yourself as a friend."), code="self")
    _require_reachable(from_user, to_user)
    with transaction.atomic():
        if Friendship.objects.filter(user=from_user, friend=to_user).exists():
            raise ValidationError(_("You are already friends."), code="already_friends")
        if FriendRequest.objects.filter(from_user=to_user, to_user=from_user).exists():
            friend_request_accept(user=from_user, from_user=to_user)
            return None
        request, created = FriendRequest.objects.get_or_create(from_user=from_user, to_user=to_user)
        if created:
            publish_on_commit(
                lambda: events.friend_request_new(
                    request_id=request.pk,
                    from_user=from_user,
                    incoming=incoming_request_count(to_user),
                ),
                [to_user.pk],
            )
            hooks.friend_request_sent(from_user=from_user, to_user=to_user)
    return request


def friend_request_cancel(*, from_user: User, to_user: User) -> None:
    """Withdraw `from_user`'s pending request to `to_user`; Http404 if there is none."""
    with transaction.atomic():
        deleted, _count = FriendRequest.objects.filter(
            from_user=from_user, to_user=to_user
        ).delete()
        if not deleted:
            raise Http404
        _publish_incoming_count(to_user.pk)
        hooks.friend_request_withdrawn(from_user=from_user, to_user=to_user)


def friend_request_accept(*, user: User, from_user: User) -> None:
    """`user` accepts `from_user`'s request: both become friends. Http404 without a request or
    when one of them blocked the other."""
    _require_reachable(user, from_user)
    with transaction.atomic():
        deleted, _count = FriendRequest.objects.filter(from_user=from_user, to_user=user).delete()
        if not deleted:
            raise Http404
        FriendRequest.objects.filter(from_user=user, to_user=from_user).delete()
        Friendship.objects.bulk_create(
            [Friendship(user=user, friend=from_user), Friendship(user=from_user, friend=user)],
            ignore_conflicts=True,
        )
        publish_on_commit(events.friendship_new(friend=user), [from_user.pk])
        _publish_incoming_count(user.pk)
        hooks.friend_request_accepted(user=user, requester=from_user)


def friend_request_decline(*, user: User, from_user: User) -> None:
    """`user` declines `from_user`'s request (the sender is not told); Http404 if none."""
    with transaction.atomic():
        deleted, _count = FriendRequest.objects.filter(from_user=from_user, to_user=user).delete()
        if not deleted:
            raise Http404
        _publish_incoming_count(user.pk)
        hooks.friend_request_declined(user=user, requester=from_user)


def friendship_remove(*, user: User, friend: User) -> None:
    """End the friendship of `user` and `friend` (both directions); Http404 if not friends."""
    with transaction.atomic():
        deleted, _count = Friendship.objects.filter(user=user, friend=friend).delete()
        if not deleted:
            raise Http404
        Friendship.objects.filter(user=friend, friend=user).delete()
        live.friendship_ended(user, friend)


def friendships_end_between(user_a_id: int, user_b_id: int) -> None:
    """End the friendship and every friend request between two users (a block), in the
    caller's transaction."""
    Friendship.objects.filter(
        Q(user_id=user_a_id, friend_id=user_b_id) | Q(user_id=user_b_id, friend_id=user_a_id)
    ).delete()
    FriendRequest.objects.filter(
        Q(from_user_id=user_a_id, to_user_id=user_b_id)
        | Q(from_user_id=user_b_id, to_user_id=user_a_id)
    ).delete()


def friendships_forget(user_id: int) -> None:
    """End every friendship and friend request of a user (a deleted account), in the caller's
    transaction."""
    Friendship.objects.filter(Q(user_id=user_id) | Q(friend_id=user_id)).delete()
    FriendRequest.objects.filter(Q(from_user_id=user_id) | Q(to_user_id=user_id)).delete()
