"""factory_boy factories, one module per app; import them from here."""

from tests.factories.accounts import UserFactory
from tests.factories.social import (
    CommentFactory,
    FriendRequestFactory,
    PostFactory,
    PostLikeFactory,
    PostPhotoFactory,
    befriend,
    photo_upload,
)

__all__ = [
    "CommentFactory",
    "FriendRequestFactory",
    "PostFactory",
    "PostLikeFactory",
    "PostPhotoFactory",
    "UserFactory",
    "befriend",
    "photo_upload",
]
