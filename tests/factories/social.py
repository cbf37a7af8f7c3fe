import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from social.models import (
    Audience,
    Comment,
    FriendRequest,
    Friendship,
    Post,
    PostLike,
    PostPhoto,
    Reply,
    ReplyPhoto,
    Topic,
)
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


def friend_state(a, b) -> tuple[list, list]:
    """Every friend request and friendship row between a and b, as (from, to) id pairs."""
    requests = FriendRequest.objects.filter(from_user__in=[a, b], to_user__in=[a, b])
    friendships = Friendship.objects.filter(user__in=[a, b], friend__in=[a, b])
    return (
        sorted(requests.values_list("from_user_id", "to_user_id")),
        sorted(friendships.values_list("user_id", "friend_id")),
    )


class PostFactory(factory.django.DjangoModelFactory):
    """A text post visible to everyone."""

    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    text = factory.Faker("sentence")
    audience = Audience.EVERYONE


class PhotoFactory(factory.django.DjangoModelFactory):
    """A small JPEG and its 'thumbnail' (for pages that show photos)."""

    class Meta:
        abstract = True

    image = factory.django.ImageField(width=40, height=30, format="JPEG")
    thumbnail = factory.django.ImageField(width=40, height=30, format="JPEG")
    width = 40
    height = 30


class PostPhotoFactory(PhotoFactory):
    class Meta:
        model = PostPhoto

    post = factory.SubFactory(PostFactory)


class PostLikeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostLike

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(UserFactory)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Faker("sentence")


def photo_upload(
    name: str = "photo.jpg", *, size=(64, 48), fmt: str = "JPEG", color="teal", exif=None
) -> SimpleUploadedFile:
    """An uploaded image file as a browser would send it."""
    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGBA" if fmt == "PNG" else "RGB", size, color).save(out, fmt, **options)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    author = factory.SubFactory(UserFactory)
    title = factory.Faker("sentence", nb_words=4)
    body = factory.Faker("paragraph")


class ReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reply

    topic = factory.SubFactory(TopicFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Faker("sentence")


class ReplyPhotoFactory(PhotoFactory):
    class Meta:
        model = ReplyPhoto

    reply = factory.SubFactory(ReplyFactory)
