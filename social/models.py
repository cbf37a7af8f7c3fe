"""Friendships, posts with photos, likes, comments, and the discussion board."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import blocked_user_ids


class FriendRequest(models.Model):
    """A pending request from `from_user` to `to_user`; accepted requests become Friendships."""

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="friend_requests_sent"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="friend_requests_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("friend request")
        verbose_name_plural = _("friend requests")
        constraints = [
            models.UniqueConstraint(fields=["from_user", "to_user"], name="friendrequest_unique"),
            models.CheckConstraint(
                condition=~Q(from_user=F("to_user")), name="friendrequest_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user}"


class Friendship(models.Model):
    """One direction of a friendship; every friendship is stored as two rows (a→b and b→a) so
    "friends of X" is a single indexed filter."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="friendships"
    )
    friend = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("friendship")
        verbose_name_plural = _("friendships")
        constraints = [
            models.UniqueConstraint(fields=["user", "friend"], name="friendship_unique"),
            models.CheckConstraint(condition=~Q(user=F("friend")), name="friendship_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.friend}"


# -- posts --------------------------------------------------------------------------------------
POST_TEXT_MAX = 10_000
COMMENT_TEXT_MAX = 2_000
POST_PHOTOS_MAX = 10


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    FRIENDS = "friends", _("Friends only")


class PostQuerySet(models.QuerySet["Post"]):
    def visible_to(self, viewer, *, blocked_ids: set[int] | None = None) -> PostQuerySet:
        """Posts `viewer` may see: their own, everyone-posts and their friends' posts, never
        by an inactive author or by someone in a blocked pair with `viewer`. The one place post
        visibility is decided. Pass `blocked_ids` when the caller already has them."""

        if blocked_ids is None:
            blocked_ids = blocked_user_ids(viewer)
        friends = Friendship.objects.filter(user=viewer).values("friend_id")
        return (
            self.filter(author__is_active=True)
            .exclude(author_id__in=blocked_ids)
            .filter(Q(author=viewer) | Q(audience=Audience.EVERYONE) | Q(author_id__in=friends))
        )


class Post(models.Model):
    """A wall post: text and up to POST_PHOTOS_MAX photos, for everyone or for friends only."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    text = models.TextField(_("text"), max_length=POST_TEXT_MAX, blank=True)
    audience = models.CharField(
        _("who can see it"), max_length=10, choices=Audience.choices, default=Audience.FRIENDS
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PostQuerySet.as_manager()

    # Not a column: a post card's latest comments, oldest first, set by the feed selectors
    # (social/selectors/wall.py) on the posts they return.
    latest_comments: list[Comment]

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            # The feed and the wall page through posts by (created_at, id), newest first.
            models.Index(fields=["author", "-created_at", "-id"], name="post_author_time"),
            models.Index(fields=["-created_at", "-id"], name="post_time"),
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class Photo(models.Model):
    """A re-encoded JPEG with its thumbnail (see social/images.py); the thumbnail is made by a
    background task, and until then the photo stands in for it."""

    image = models.ImageField(upload_to="social/%Y/%m/")
    thumbnail = models.ImageField(upload_to="social/%Y/%m/", blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def file_names(self) -> list[str]:
        return [f.name for f in (self.image, self.thumbnail) if f]

    @property
    def url(self) -> str:
        return self.image.url

    @property
    def thumbnail_url(self) -> str:
        return (self.thumbnail or self.image).url


# Photos of posts and comments are as private as their post: stored outside the public media
# folders and served by social.views after the post's access check.
PRIVATE_PHOTO_FOLDER = "posts/%Y/%m/"


class PostPhoto(Photo):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=PRIVATE_PHOTO_FOLDER)
    thumbnail = models.ImageField(upload_to=PRIVATE_PHOTO_FOLDER, blank=True)

    class Meta(Photo.Meta):
        verbose_name = _("post photo")
        verbose_name_plural = _("post photos")

    def __str__(self) -> str:
        return f"photo {self.position} of post {self.post_id}"

    @property
    def url(self) -> str:
        return reverse("social:post_photo", args=[self.post_id, self.pk])

    @property
    def thumbnail_url(self) -> str:
        return reverse("social:post_photo_thumb", args=[self.post_id, self.pk])


class PostLike(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_likes"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("like")
        verbose_name_plural = _("likes")
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="postlike_unique")]

    def __str__(self) -> str:
        return f"{self.user} ♥ {self.post_id}"


class Comment(models.Model):
    """A comment under a post, with an optional photo."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_comments"
    )
    text = models.TextField(_("comment"), max_length=COMMENT_TEXT_MAX, blank=True)
    photo = models.ImageField(upload_to=PRIVATE_PHOTO_FOLDER, blank=True)
    photo_thumbnail = models.ImageField(upload_to=PRIVATE_PHOTO_FOLDER, blank=True)
    photo_width = models.PositiveIntegerField(null=True, blank=True)
    photo_height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["post", "created_at", "id"], name="comment_post_time")]

    def __str__(self) -> str:
        return f"{self.author} on {self.post_id}: {self.text[:40]}"

    def file_names(self) -> list[str]:
        return [f.name for f in (self.photo, self.photo_thumbnail) if f]

    @property
    def photo_url(self) -> str:
        return reverse("social:comment_photo", args=[self.pk]) if self.photo else ""

    @property
    def photo_thumbnail_url(self) -> str:
        return reverse("social:comment_photo_thumb", args=[self.pk]) if self.photo else ""


# -- discussion board ---------------------------------------------------------------------------
TOPIC_TITLE_MAX = 200
TOPIC_BODY_MAX = 20_000
REPLY_TEXT_MAX = 10_000


class Topic(models.Model):
    """A public discussion on the board that every signed-in person can read and answer."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topics"
    )
    title = models.CharField(_("title"), max_length=TOPIC_TITLE_MAX)
    body = models.TextField(_("text"), max_length=TOPIC_BODY_MAX)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Moved forward by every reply: the board lists the most recently active topics first.
    last_activity_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [models.Index(fields=["-last_activity_at", "-id"], name="topic_activity")]

    def __str__(self) -> str:
        return self.title


class TopicPhoto(Photo):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="photos")

    class Meta(Photo.Meta):
        verbose_name = _("topic photo")
        verbose_name_plural = _("topic photos")

    def __str__(self) -> str:
        return f"photo {self.position} of topic {self.topic_id}"


class Reply(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_replies"
    )
    text = models.TextField(_("reply"), max_length=REPLY_TEXT_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [models.Index(fields=["topic", "created_at", "id"], name="reply_topic_time")]

    def __str__(self) -> str:
        return f"{self.author} in {self.topic_id}: {self.text[:40]}"


class ReplyPhoto(Photo):
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="photos")

    class Meta(Photo.Meta):
        verbose_name = _("reply photo")
        verbose_name_plural = _("reply photos")

    def __str__(self) -> str:
        return f"photo {self.position} of reply {self.reply_id}"
