"""factory_boy factories, one module per app; import them from here."""

from tests.factories.accounts import UserFactory
from tests.factories.social import FriendRequestFactory, befriend

__all__ = ["FriendRequestFactory", "UserFactory", "befriend"]
