"""Posts (the wall and the feed), likes and comments, and their removal by moderators."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import blocked_user_ids
from messenger.realtime import Frame, publish_built_on_commit, publish_on_commit
from messenger.storage import delete_files_on_commit
from social import events, hooks, live, selectors, tasks
from social.models import (
    COMMENT_TEXT_MAX,
    POST_PHOTOS_MAX,
    POST_TEXT_MAX,
    Audience,
    Comment,
    Post,
    PostLike,
    PostPhoto,
)
from social.services._kit import (
    _clean_text,
    _invalid,
    _photo_rows,
    _process_photos,
    _staff_remove,
)


def _publish_counted_on_commit(
    build: Callable[[int], Frame],
    post: Post,
    *,
    actor: User,
    contributors: Callable[[], Iterable[int]],
    also: Iterable[int] = (),
) -> None:
    """After commit, publish a frame about `post` whose `count` each recipient sees
    differently: contributions (likes, comments; `contributors()` gives who made each) by
    someone in a blocked pair with a recipient are not counted for them. Counts and
    recipients are read after the commit, so they include writes committed meanwhile."""
    also = list(also)

    def deliveries() -> Iterator[tuple[Frame, Iterable[int]]]:
        contributions = Counter(contributors())
        recipients = selectors.post_event_recipients(post, actor=actor, also=also)
        total = sum(contributions.values())
        hidden = selectors.hidden_pairs(recipients, contributions.keys())
        yield build(total), recipients - hidden.keys()
        for user_id, others in hidden.items():
            yield build(total - sum(contributions[o] for o in others)), [user_id]

    publish_built_on_commit(deliveries)


def post_create(
    *, author: User, text: str, audience: str, photos: Sequence[IO[bytes] | None] = ()
) -> Post:
    """Publish a post with text and/or up to POST_PHOTOS_MAX photos; ValidationError for empty,
    too long or unreadable input."""
    text = _clean_text(text, limit=POST_TEXT_MAX)
    if audience not in Audience.values:
        raise _invalid("audience", _("Choose who can see the post."), "audience")
    processed = _process_photos(photos, limit=POST_PHOTOS_MAX)
    if not text and not processed:
        raise _invalid("text", _("Write something or add a photo."), "empty")
    with transaction.atomic():
        post = Post.objects.create(author=author, text=text, audience=audience)
        rows = PostPhoto.objects.bulk_create(_photo_rows(PostPhoto, processed, post=post))
        tasks.thumbnails_on_commit("post", rows)
        live.post_published(post)
    return post


def post_update(*, user: User, post_id: int, text: str, audience: str) -> Post:
    """Change the text and audience of `user`'s own post; Http404 for anyone else's post."""
    text = _clean_text(text, limit=POST_TEXT_MAX)
    if audience not in Audience.values:
        raise _invalid("audience", _("Choose who can see the post."), "audience")
    with transaction.atomic():
        post = selectors.post_get_for_author(user, post_id)
        if not text and not post.photos.exists():
            raise _invalid("text", _("Write something or add a photo."), "empty")
        post.text, post.audience, post.edited_at = text, audience, timezone.now()
        post.save(update_fields=["text", "audience", "edited_at"])
    return post


def post_delete(*, user: User, post_id: int) -> None:
    """Delete `user`'s own post with its photos, likes and comments; Http404 otherwise."""
    with transaction.atomic():
        _post_remove(selectors.post_get_for_author(user, post_id), actor=user)


def _post_remove(post: Post, *, actor: User) -> None:
    post_id = post.pk
    recipients = selectors.post_event_recipients(post, actor=actor)
    names = [n for photo in post.photos.all() for n in photo.file_names()]
    names += [n for comment in post.comments.exclude(photo="") for n in comment.file_names()]
    post.delete()
    delete_files_on_commit(names)
    publish_on_commit(events.post_deleted(post_id=post_id), recipients)


def post_like_toggle(*, user: User, post_id: int) -> tuple[bool, int]:
    """Like the post, or take the like back; returns (liked now, like count `user` sees).
    Http404 if `user` may not see the post."""
    return _post_like_change(user=user, post_id=post_id, liked=None)


def post_like_set(*, user: User, post_id: int, liked: bool) -> tuple[bool, int]:
    """Like (True) or unlike (False) the post; repeating it changes nothing. Returns (liked,
    like count `user` sees). Http404 if `user` may not see the post."""
    return _post_like_change(user=user, post_id=post_id, liked=liked)


def _post_like_change(*, user: User, post_id: int, liked: bool | None) -> tuple[bool, int]:
    """`liked=None` toggles."""
    with transaction.atomic():
        post = selectors.post_get_for_user(user, post_id)
        mine = PostLike.objects.filter(post=post, user=user)
        if liked is None:
            deleted, _count = mine.delete()
            liked, changed = not deleted, True
            if liked:
                PostLike.objects.create(post=post, user=user)
        elif liked:
            _like, changed = PostLike.objects.get_or_create(post=post, user=user)
        else:
            changed = mine.delete()[0] > 0
        if changed:
            _publish_counted_on_commit(
                lambda n: events.post_liked(post_id=post.pk, user_id=user.pk, liked=liked, count=n),
                post,
                actor=user,
                contributors=lambda: PostLike.objects.filter(post=post).values_list(
                    "user_id", flat=True
                ),
            )
        if changed and liked:
            hooks.post_liked(user=user, post=post)
    count = post.likes.exclude(user_id__in=blocked_user_ids(user)).count()
    return liked, count


def comment_create(
    *, author: User, post_id: int, text: str, photo: IO[bytes] | None = None
) -> Comment:
    """Comment on a post `author` may see, with an optional photo; Http404 if they may not,
    ValidationError for empty, too long or unreadable input."""
    text = _clean_text(text, limit=COMMENT_TEXT_MAX)
    processed = _process_photos([photo] if photo else [], limit=1, field="photo")
    if not text and not processed:
        raise _invalid("text", _("Write a comment or add a photo."), "empty")
    with transaction.atomic():
        post = selectors.post_get_for_user(author, post_id)
        comment = Comment(post=post, author=author, text=text)
        if processed:
            image = processed[0]
            comment.photo.save(image.image.name, image.image, save=False)
            comment.photo_width, comment.photo_height = image.width, image.height
        comment.save()
        tasks.thumbnails_on_commit("comment", [comment] if processed else [])
        _publish_counted_on_commit(
            lambda n: events.comment_new(comment=comment, count=n),
            post,
            actor=author,
            contributors=lambda: post.comments.values_list("author_id", flat=True),
        )
        hooks.comment_created(comment=comment, post=post)
    return comment


def comment_delete(*, user: User, comment_id: int, post_id: int | None = None) -> Comment:
    """Delete a comment: its author or the post's author may; Http404 for anyone else, and
    when `post_id` is given but the comment is under another post."""
    with transaction.atomic():
        comment = selectors.comment_get_for_user(user, comment_id)
        post = comment.post
        if user.pk not in (comment.author_id, post.author_id):
            raise Http404
        if post_id is not None and post.pk != post_id:
            raise Http404
        _comment_remove(comment, actor=user)
    return comment


def _comment_remove(comment: Comment, *, actor: User) -> None:
    post, comment_id, comment_author = comment.post, comment.pk, comment.author
    delete_files_on_commit(comment.file_names())
    comment.delete()
    _publish_counted_on_commit(
        lambda n: events.comment_deleted(post_id=post.pk, comment_id=comment_id, count=n),
        post,
        actor=actor,
        contributors=lambda: post.comments.values_list("author_id", flat=True),
        also=[comment_author.pk],
    )


def post_remove_by_staff(*, moderator: User, post_id: int) -> None:
    """Site moderation: delete anyone's post with its photos, likes and comments; live
    viewers are told. Raises PermissionDenied without social.delete_post, Http404."""
    _staff_remove(moderator, Post, post_id, lambda post: _post_remove(post, actor=moderator))


def comment_remove_by_staff(*, moderator: User, comment_id: int) -> None:
    """Site moderation: delete anyone's comment. PermissionDenied without the permission,
    Http404 for a missing comment."""
    _staff_remove(
        moderator, Comment, comment_id, lambda comment: _comment_remove(comment, actor=moderator)
    )
