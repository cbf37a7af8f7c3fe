"""factory_boy factories, one module per app; import them from here."""

from tests.factories.accounts import BlockFactory, UserFactory
from tests.factories.chats import DialogFactory, GroupFactory, MessageFactory
from tests.factories.social import (
    CommentFactory,
    FriendRequestFactory,
    PostFactory,
    PostLikeFactory,
    PostPhotoFactory,
    ReplyFactory,
    ReplyPhotoFactory,
    TopicFactory,
    befriend,
    friend_state,
    photo_upload,
)

__all__ = [
    "BlockFactory",
    "CommentFactory",
    "DialogFactory",
    "FriendRequestFactory",
    "GroupFactory",
    "MessageFactory",
    "PostFactory",
    "PostLikeFactory",
    "PostPhotoFactory",
    "ReplyFactory",
    "ReplyPhotoFactory",
    "TopicFactory",
    "UserFactory",
    "befriend",
    "friend_state",
    "photo_upload",
]
