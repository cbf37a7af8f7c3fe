"""REST operations of the social app (mounted under /api/v1/): friends and friend requests,
people search, posts with photos, likes, comments, and the discussion board.

Every operation calls the same services and selectors as the HTML views; this module only
parses input, pages lists and shapes the JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from accounts.api import Username, UserOut
from accounts.models import User
from accounts.payloads import UserRefOut
from accounts.selectors import user_get_visible
from messenger.api_kit import (
    ApiError,
    ErrorOut,
    Page,
    PageParams,
    Text,
    TimePageParams,
    keyset,
)
from social import selectors, services
from social.models import (
    COMMENT_TEXT_MAX,
    POST_PHOTOS_MAX,
    POST_TEXT_MAX,
    REPLY_TEXT_MAX,
    TOPIC_BODY_MAX,
    TOPIC_TITLE_MAX,
    Audience,
    Post,
)

router = Router(tags=["friends"])

# Row ids in paths: the 64-bit column range (a larger number is simply not found).
ObjectId = Annotated[int, Path(..., ge=1, le=2**63 - 1)]

# What the services call an input field, and what the API calls it (the image fields).
API_FIELD_NAMES = {"photos": "images", "photo": "image"}


@contextmanager
def _service_refusals() -> Iterator[None]:
    """A service's ValidationError as a 400 listing the fields by their API names, or as a
    413 when an image is over IMAGE_MAX_BYTES."""
    try:
        yield
    except ValidationError as exc:
        errors = exc.error_dict if hasattr(exc, "error_dict") else {"__all__": exc.error_list}
        too_large = any(
            error.code == "too_large" for name in API_FIELD_NAMES for error in errors.get(name, [])
        )
        raise ApiError(
            413 if too_large else 400,
            "too_large" if too_large else "invalid",
            " ".join(exc.messages),
            fields={
                API_FIELD_NAMES.get(name, name): ValidationError(field_errors).messages
                for name, field_errors in errors.items()
            },
        ) from None


def _id_page(rows: QuerySet, paging: PageParams, *, key: str = "pk", newest_first: bool = False):
    """A page of `rows` in order of the integer `key` (ascending, or descending with
    `newest_first`), continuing after the cursor: new rows never shift a page."""
    return keyset(rows, paging, field=key, key=key, newest_first=newest_first)


def _files_only(request: HttpRequest, name: str) -> None:
    """Refuse `name` sent as a plain form field: images are file parts, and a client that sent
    text there would otherwise publish without the images it meant to attach."""
    if name in request.POST:
        message = _("Send each image as a file part (with a filename).")
        raise ApiError(400, "invalid", message, fields={name: [message]})


# -- friends ------------------------------------------------------------------------------------
class FriendRequestOut(Schema):
    """A pending friend request: its id, the other person, and when it was sent."""

    id: int
    user: UserOut
    created_at: datetime

    @staticmethod
    def resolve_id(person: User) -> int:
        return person.request_id

    @staticmethod
    def resolve_user(person: User) -> User:
        return person

    @staticmethod
    def resolve_created_at(person: User) -> datetime:
        return person.requested_at


class UsernameIn(Schema):
    username: Annotated[Text, Field(min_length=1, max_length=150)]


class RelationOut(Schema):
    """Where a friend action left me and the other person."""

    user: UserOut
    relation: str = Field(
        ...,
        description="`requested` (my request waits for their answer) or `friends`.",
    )


def _relation(viewer: User, person: User) -> dict:
    return {"user": person, "relation": selectors.relation_between(viewer, person)}


@router.get("/friends", response=Page[UserOut], summary="My friends")
def friends_list(request: HttpRequest, paging: Query[PageParams]):
    return _id_page(selectors.friends_of(request.user), paging)


@router.get(
    "/friends/requests/{direction}",
    response=Page[FriendRequestOut],
    summary="Pending friend requests: sent to me (incoming) or by me (outgoing)",
)
def friend_requests_list(
    request: HttpRequest, direction: Literal["incoming", "outgoing"], paging: Query[PageParams]
):
    rows = selectors.FRIEND_LISTS[direction](request.user)
    return _id_page(rows, paging, key="request_id", newest_first=True)


@router.post(
    "/friends/requests",
    response={200: RelationOut, 201: RelationOut, 409: ErrorOut},
    summary="Ask someone to be friends",
    description=(
        "201 with `relation: requested` when the request waits for them (sending twice is "
        "harmless); 200 with `relation: friends` when they had already asked me, which accepts "
        "their request. 409 `already_friends`; 400 for myself; 404 if I cannot see them."
    ),
)
def friend_request_send(request: HttpRequest, payload: UsernameIn):
    person = user_get_visible(request.user, payload.username)
    try:
        sent = services.friend_request_send(from_user=request.user, to_user=person)
    except ValidationError as exc:
        if exc.code == "already_friends":
            raise ApiError(409, "already_friends", " ".join(exc.messages)) from None
        raise ApiError(
            400, "invalid", " ".join(exc.messages), fields={"username": exc.messages}
        ) from None
    return Status(201 if sent else 200, _relation(request.user, person))


@router.delete(
    "/friends/requests/outgoing/{username}",
    response={204: None},
    summary="Withdraw my friend request",
)
def friend_request_cancel(request: HttpRequest, username: Username):
    person = user_get_visible(request.user, username)
    services.friend_request_cancel(from_user=request.user, to_user=person)
    return Status(204, None)


@router.post(
    "/friends/requests/incoming/{username}/accept",
    response=RelationOut,
    summary="Accept a friend request",
)
def friend_request_accept(request: HttpRequest, username: Username):
    person = user_get_visible(request.user, username)
    services.friend_request_accept(user=request.user, from_user=person)
    return _relation(request.user, person)


@router.post(
    "/friends/requests/incoming/{username}/decline",
    response={204: None},
    summary="Decline a friend request (they are not told)",
)
def friend_request_decline(request: HttpRequest, username: Username):
    person = user_get_visible(request.user, username)
    services.friend_request_decline(user=request.user, from_user=person)
    return Status(204, None)


@router.delete("/friends/{username}", response={204: None}, summary="End a friendship")
def friendship_remove(request: HttpRequest, username: Username):
    person = user_get_visible(request.user, username)
    services.friendship_remove(user=request.user, friend=person)
    return Status(204, None)


# -- people search ------------------------------------------------------------------------------
class SearchParams(PageParams):
    q: Annotated[
        Text,
        Field(
            min_length=1,
            max_length=selectors.SEARCH_MAX_LENGTH,
            description="Words of a name or username (all must match), or a numeric user id.",
        ),
    ]


@router.get("/users", response=Page[UserOut], summary="Search people", tags=["people"])
def users_search(request: HttpRequest, params: Query[SearchParams]):
    return _id_page(selectors.search_people(request.user, params.q), params)


# -- posts --------------------------------------------------------------------------------------
PersonOut = UserRefOut  # who wrote something: the one shape of a person (accounts/payloads.py)


class ImageOut(Schema):
    """A photo re-encoded as JPEG (at most 2048 px a side) and its thumbnail (480 px)."""

    url: str
    thumbnail_url: str
    width: int
    height: int


def _image(url: str, thumbnail_url: str, width: int, height: int) -> dict:
    return {"url": url, "thumbnail_url": thumbnail_url, "width": width, "height": height}


def _photos(photos) -> list[dict]:
    """ImageOut of each of the (prefetched) photos of a post, topic or reply. Post photos are
    permission-checked URLs (send the access token with them); board photos are public files."""
    return [_image(p.url, p.thumbnail_url, p.width, p.height) for p in photos.all()]


class PostOut(Schema):
    """A post as the viewer sees it. `text` is raw: escape it before showing it as HTML."""

    id: int
    author: PersonOut
    text: str
    audience: Audience
    images: list[ImageOut]
    like_count: int = Field(..., description="Likes the viewer may see (blocked pairs left out).")
    comment_count: int = Field(..., description="Comments the viewer may see.")
    liked_by_me: bool
    created_at: datetime
    edited_at: datetime | None

    @staticmethod
    def resolve_images(post: Post) -> list[dict]:
        return _photos(post.photos)

    @staticmethod
    def resolve_liked_by_me(post: Post) -> bool:
        return post.liked


def _feed_page(feed: selectors.FeedPage) -> dict:
    return {"items": feed.posts, "next": feed.next_cursor}


def _time_page(
    rows: QuerySet, paging: TimePageParams, *, field: str = "created_at", newest_first=False
) -> dict:
    """A page of `rows` in (`field`, id) order, oldest first unless `newest_first`."""
    return keyset(rows, paging, field=field, key="id", newest_first=newest_first)


class PostIn(Schema):
    text: Annotated[
        Text,
        Field(
            max_length=POST_TEXT_MAX,
            description="The post's text; may be empty when images are attached.",
        ),
    ] = ""
    audience: Audience = Audience.FRIENDS


class PostPatch(Schema):
    """What to change; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[Text, Field(max_length=POST_TEXT_MAX)] = None
    audience: Audience = None


IMAGES_DESCRIPTION = (
    f"Up to {POST_PHOTOS_MAX} images (JPEG, PNG, GIF or WebP), one file part each, all "
    "named `images`. Each is re-encoded as JPEG without metadata."
)


@router.get("/feed", response=Page[PostOut], summary="My news feed", tags=["posts"])
def feed(request: HttpRequest, paging: Query[TimePageParams]):
    return _feed_page(selectors.feed_for(request.user, before=paging.position, limit=paging.limit))


@router.get(
    "/users/{username}/posts", response=Page[PostOut], summary="A person's wall", tags=["posts"]
)
def wall(request: HttpRequest, username: Username, paging: Query[TimePageParams]):
    person = user_get_visible(request.user, username)
    return _feed_page(
        selectors.wall_for(request.user, person, before=paging.position, limit=paging.limit)
    )


@router.post(
    "/posts",
    response={201: PostOut, 413: ErrorOut},
    summary="Publish a post (multipart/form-data)",
    description=IMAGES_DESCRIPTION,
    tags=["posts"],
)
def post_create(
    request: HttpRequest,
    payload: Form[PostIn],
    images: File[list[UploadedFile]] = None,
):
    _files_only(request, "images")
    with _service_refusals():
        post = services.post_create(
            author=request.user, text=payload.text, audience=payload.audience, photos=images or []
        )
    return Status(201, selectors.post_card_for_user(request.user, post.pk))


@router.get("/posts/{post_id}", response=PostOut, summary="One post", tags=["posts"])
def post_get(request: HttpRequest, post_id: ObjectId):
    return selectors.post_card_for_user(request.user, post_id)


@router.patch(
    "/posts/{post_id}",
    response=PostOut,
    summary="Change my post's text or audience",
    tags=["posts"],
)
def post_update(request: HttpRequest, post_id: ObjectId, payload: PostPatch):
    changes = payload.model_dump(exclude_unset=True)
    post = selectors.post_get_for_author(request.user, post_id)
    if changes:
        with _service_refusals():
            services.post_update(
                user=request.user,
                post_id=post.pk,
                text=changes.get("text", post.text),
                audience=changes.get("audience", post.audience),
            )
    return selectors.post_card_for_user(request.user, post_id)


@router.delete("/posts/{post_id}", response={204: None}, summary="Delete my post", tags=["posts"])
def post_delete(request: HttpRequest, post_id: ObjectId):
    services.post_delete(user=request.user, post_id=post_id)
    return Status(204, None)


class TextSearchParams(TimePageParams):
    q: Annotated[
        Text,
        Field(
            min_length=1,
            max_length=selectors.SEARCH_MAX_LENGTH,
            description=(
                "Words (or parts of words) that must all occur in the text; case-insensitive "
                "in any script, and ё matches е."
            ),
        ),
    ]


@router.get(
    "/search/posts",
    response=Page[PostOut],
    summary="Search the posts I may see, newest first",
    tags=["posts"],
)
def posts_search(request: HttpRequest, params: Query[TextSearchParams]):
    return _feed_page(
        selectors.search_posts_feed(
            request.user, params.q, before=params.position, limit=params.limit
        )
    )


# -- likes and comments -------------------------------------------------------------------------
class LikeOut(Schema):
    liked: bool = Field(..., description="Whether I like the post now.")
    like_count: int = Field(..., description="Likes I may see, mine included.")


class CommentOut(Schema):
    """A comment. `text` is raw: escape it before showing it as HTML."""

    id: int
    post_id: int
    author: PersonOut
    text: str
    image: ImageOut | None
    created_at: datetime

    @staticmethod
    def resolve_image(comment) -> dict | None:
        if not comment.photo:
            return None
        return _image(
            comment.photo_url,
            comment.photo_thumbnail_url,
            comment.photo_width,
            comment.photo_height,
        )


class CommentIn(Schema):
    text: Annotated[
        Text,
        Field(
            max_length=COMMENT_TEXT_MAX,
            description="The comment; may be empty when an image is attached.",
        ),
    ] = ""


def _like(request: HttpRequest, post_id: int, *, liked: bool) -> dict:
    liked, count = services.post_like_set(user=request.user, post_id=post_id, liked=liked)
    return {"liked": liked, "like_count": count}


@router.put("/posts/{post_id}/like", response=LikeOut, summary="Like a post", tags=["posts"])
def post_like(request: HttpRequest, post_id: ObjectId):
    return _like(request, post_id, liked=True)


@router.delete(
    "/posts/{post_id}/like", response=LikeOut, summary="Take my like back", tags=["posts"]
)
def post_unlike(request: HttpRequest, post_id: ObjectId):
    return _like(request, post_id, liked=False)


@router.get(
    "/posts/{post_id}/likes",
    response=Page[UserOut],
    summary="Who liked a post (latest first)",
    tags=["posts"],
)
def post_likers(request: HttpRequest, post_id: ObjectId, paging: Query[PageParams]):
    post = selectors.post_get_for_user(request.user, post_id)
    rows = selectors.likers_of(request.user, post)
    return _id_page(rows, paging, key="like_id", newest_first=True)


@router.get(
    "/posts/{post_id}/comments",
    response=Page[CommentOut],
    summary="Comments under a post (oldest first)",
    tags=["posts"],
)
def comments_list(request: HttpRequest, post_id: ObjectId, paging: Query[TimePageParams]):
    post = selectors.post_get_for_user(request.user, post_id)
    return _time_page(selectors.comments_of(request.user, post), paging)


@router.post(
    "/posts/{post_id}/comments",
    response={201: CommentOut, 413: ErrorOut},
    summary="Comment on a post (multipart/form-data)",
    description="Text and/or one image (a file part named `image`).",
    tags=["posts"],
)
def comment_create(
    request: HttpRequest,
    post_id: ObjectId,
    payload: Form[CommentIn],
    image: File[UploadedFile] = None,
):
    _files_only(request, "image")
    with _service_refusals():
        comment = services.comment_create(
            author=request.user, post_id=post_id, text=payload.text, photo=image
        )
    return Status(201, comment)


@router.delete(
    "/posts/{post_id}/comments/{comment_id}",
    response={204: None},
    summary="Delete a comment (mine, or any under my post)",
    tags=["posts"],
)
def comment_delete(request: HttpRequest, post_id: ObjectId, comment_id: ObjectId):
    services.comment_delete(user=request.user, comment_id=comment_id, post_id=post_id)
    return Status(204, None)


# -- discussion board ---------------------------------------------------------------------------
class TopicSummaryOut(Schema):
    """A board topic as the list shows it."""

    id: int
    author: PersonOut
    title: str
    reply_count: int = Field(..., description="Replies I may see.")
    created_at: datetime
    last_activity_at: datetime = Field(..., description="When the last reply was written.")


class TopicOut(TopicSummaryOut):
    """A board topic. `title` and `body` are raw: escape them before showing them as HTML."""

    body: str
    images: list[ImageOut]

    @staticmethod
    def resolve_images(topic) -> list[dict]:
        return _photos(topic.photos)


class ReplyOut(Schema):
    """A reply in a topic. `text` is raw: escape it before showing it as HTML."""

    id: int
    topic_id: int
    author: PersonOut
    text: str
    images: list[ImageOut]
    created_at: datetime

    @staticmethod
    def resolve_images(reply) -> list[dict]:
        return _photos(reply.photos)


class TopicIn(Schema):
    title: Annotated[Text, Field(min_length=1, max_length=TOPIC_TITLE_MAX)]
    body: Annotated[Text, Field(min_length=1, max_length=TOPIC_BODY_MAX)]


class ReplyIn(Schema):
    text: Annotated[
        Text,
        Field(
            max_length=REPLY_TEXT_MAX,
            description="The reply; may be empty when images are attached.",
        ),
    ] = ""


@router.get(
    "/board/topics",
    response=Page[TopicSummaryOut],
    summary="Board topics, most recently active first",
    tags=["board"],
)
def topics_list(request: HttpRequest, paging: Query[TimePageParams]):
    rows = selectors.board_topics(request.user)
    return _time_page(rows, paging, field="last_activity_at", newest_first=True)


@router.post(
    "/board/topics",
    response={201: TopicOut, 413: ErrorOut},
    summary="Start a topic (multipart/form-data)",
    description=IMAGES_DESCRIPTION,
    tags=["board"],
)
def topic_create(
    request: HttpRequest, payload: Form[TopicIn], images: File[list[UploadedFile]] = None
):
    _files_only(request, "images")
    with _service_refusals():
        topic = services.topic_create(
            author=request.user, title=payload.title, body=payload.body, photos=images or []
        )
    return Status(201, selectors.topic_get_for_user(request.user, topic.pk))


@router.get("/board/topics/{topic_id}", response=TopicOut, summary="One topic", tags=["board"])
def topic_get(request: HttpRequest, topic_id: ObjectId):
    return selectors.topic_get_for_user(request.user, topic_id)


@router.delete(
    "/board/topics/{topic_id}",
    response={204: None},
    summary="Delete a topic with its replies (mine; board moderators: any)",
    tags=["board"],
)
def topic_delete(request: HttpRequest, topic_id: ObjectId):
    services.topic_delete(user=request.user, topic_id=topic_id)
    return Status(204, None)


@router.get(
    "/board/topics/{topic_id}/replies",
    response=Page[ReplyOut],
    summary="Replies in a topic (oldest first)",
    tags=["board"],
)
def replies_list(request: HttpRequest, topic_id: ObjectId, paging: Query[TimePageParams]):
    topic = selectors.topic_get_for_user(request.user, topic_id)
    return _time_page(selectors.topic_replies(request.user, topic), paging)


@router.post(
    "/board/topics/{topic_id}/replies",
    response={201: ReplyOut, 413: ErrorOut},
    summary="Reply in a topic (multipart/form-data)",
    description=IMAGES_DESCRIPTION,
    tags=["board"],
)
def reply_create(
    request: HttpRequest,
    topic_id: ObjectId,
    payload: Form[ReplyIn],
    images: File[list[UploadedFile]] = None,
):
    _files_only(request, "images")
    with _service_refusals():
        reply = services.reply_create(
            author=request.user, topic_id=topic_id, text=payload.text, photos=images or []
        )
    return Status(201, reply)


@router.delete(
    "/board/topics/{topic_id}/replies/{reply_id}",
    response={204: None},
    summary="Delete a reply (mine; board moderators: any)",
    tags=["board"],
)
def reply_delete(request: HttpRequest, topic_id: ObjectId, reply_id: ObjectId):
    services.reply_delete(user=request.user, reply_id=reply_id, topic_id=topic_id)
    return Status(204, None)


class TopicHitOut(TopicSummaryOut):
    """A topic found by a board search."""

    matching_reply_id: int | None = Field(
        ...,
        description="The first reply I may see that matches, if any (the topic itself may "
        "match as well).",
    )

    @staticmethod
    def resolve_matching_reply_id(topic) -> int | None:
        return topic.matching_replies[0].pk if topic.matching_replies else None


@router.get(
    "/search/board",
    response=Page[TopicHitOut],
    summary="Search board topics and replies, most recently active topics first",
    description="A topic is found when its title and text, or one of its replies I may see, "
    "contain every word.",
    tags=["board"],
)
def board_search(request: HttpRequest, params: Query[TextSearchParams]):
    rows = selectors.search_board(request.user, params.q)
    return _time_page(rows, params, field="last_activity_at", newest_first=True)
