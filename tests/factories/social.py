import factory

from social.models import FriendRequest, Friendship
from tests.factories.accounts import UserFactory


class FriendRequestFactory(factory.django.DjangoModelFactory):
    """A pending friend request between two new users."""

    class Meta:
        model = FriendRequest

    from_user = factory.SubFactory(UserFactory)
    to_user = factory.SubFactory(UserFactory)


def befriend(*people) -> None:
    """Make every two of `people` friends (both rows of each friendship)."""
    Friendship.objects.bulk_create(
        [Friendship(user=a, friend=b) for a in people for b in people if a.pk != b.pk],
        ignore_conflicts=True,
    )
