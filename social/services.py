"""Every write of the social app: friendships, posts, likes, comments, the board."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.selectors import blocked_user_ids, is_blocked_between
from messenger.realtime import publish
from social import events, hooks, live, selectors
from social.images import ProcessedImage, reencode_image
from social.models import (
    COMMENT_TEXT_MAX,
    POST_PHOTOS_MAX,
    POST_TEXT_MAX,
    REPLY_TEXT_MAX,
    TOPIC_BODY_MAX,
    TOPIC_TITLE_MAX,
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
    TopicPhoto,
)
from social.selectors import incoming_request_count


# -- friends ------------------------------------------------------------------------------------
def _require_reachable(actor: User, person: User) -> None:
    """Http404 unless `person` is active and neither of the two blocked the other."""
    if not person.is_active or is_blocked_between(actor.pk, person.pk):
        raise Http404


def _publish_incoming_count(user_id: int) -> None:
    user = User(pk=user_id)
    publish(events.friend_request_count(incoming=incoming_request_count(user)), [user_id])


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
            transaction.on_commit(
                lambda: publish(
                    events.friend_request_new(
                        request_id=request.pk,
                        from_user=from_user,
                        incoming=incoming_request_count(to_user),
                    ),
                    [to_user.pk],
                )
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
        transaction.on_commit(lambda: _publish_incoming_count(to_user.pk))
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

        def announce() -> None:
            publish(events.friendship_new(friend=user), [from_user.pk])
            _publish_incoming_count(user.pk)

        transaction.on_commit(announce)
        hooks.friend_request_accepted(user=user, requester=from_user)


def friend_request_decline(*, user: User, from_user: User) -> None:
    """`user` declines `from_user`'s request (the sender is not told); Http404 if none."""
    with transaction.atomic():
        deleted, _count = FriendRequest.objects.filter(from_user=from_user, to_user=user).delete()
        if not deleted:
            raise Http404
        transaction.on_commit(lambda: _publish_incoming_count(user.pk))
        hooks.friend_request_declined(user=user, requester=from_user)


def friendship_remove(*, user: User, friend: User) -> None:
    """End the friendship of `user` and `friend` (both directions); Http404 if not friends."""
    with transaction.atomic():
        deleted, _count = Friendship.objects.filter(user=user, friend=friend).delete()
        if not deleted:
            raise Http404
        Friendship.objects.filter(user=friend, friend=user).delete()
        live.friendship_ended(user, friend)


# -- posts, likes, comments ---------------------------------------------------------------------
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


def _invalid(field: str, message: str, code: str) -> ValidationError:
    """A refusal of one input field (forms show it by the field, the API lists it by name)."""
    return ValidationError({field: ValidationError(message, code=code)})


def _clean_text(text: str | None, *, limit: int, field: str = "text") -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise _invalid(
            field,
            _("The text is too long: %(length)d characters; at most %(limit)d are allowed.")
            % {"length": len(text), "limit": limit},
            "too_long",
        )
    if "\x00" in text:
        raise _invalid(field, _("The text contains characters that are not allowed."), "nul")
    return text


def _process_photos(photos: Sequence, *, limit: int, field: str = "photos") -> list[ProcessedImage]:
    """Re-encode every upload before any transaction starts (decoding is the slow part).
    Refusals name `field`; an image over IMAGE_MAX_BYTES has the code "too_large"."""
    photos = [p for p in photos if p]
    if len(photos) > limit:
        raise _invalid(
            field,
            ngettext(
                "At most %(limit)d photo can be attached.",
                "At most %(limit)d photos can be attached.",
                limit,
            )
            % {"limit": limit},
            "too_many_photos",
        )
    try:
        return [reencode_image(photo) for photo in photos]
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from None


def _photo_rows(model, processed: list[ProcessedImage], **owner) -> list:
    """Unsaved photo rows with their files written to storage."""
    rows = []
    for position, image in enumerate(processed):
        row = model(width=image.width, height=image.height, position=position, **owner)
        row.image.save(image.image.name, image.image, save=False)
        row.thumbnail.save(image.thumbnail.name, image.thumbnail, save=False)
        rows.append(row)
    return rows


def _delete_files_on_commit(names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    if names:
        transaction.on_commit(delete)


def _publish_counted(
    build: Callable[[int], dict], recipients: set[int], contributions: Counter
) -> None:
    """Publish a frame whose `count` each recipient sees differently: contributions (likes,
    comments) by someone in a blocked pair with a recipient are not counted for them."""
    total = sum(contributions.values())
    hidden = selectors.hidden_pairs(recipients, contributions.keys())
    publish(build(total), recipients - hidden.keys())
    for user_id, others in hidden.items():
        publish(build(total - sum(contributions[o] for o in others)), [user_id])


def post_create(*, author: User, text: str, audience: str, photos: Sequence = ()) -> Post:
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
        PostPhoto.objects.bulk_create(_photo_rows(PostPhoto, processed, post=post))
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
    _delete_files_on_commit(names)
    transaction.on_commit(lambda: publish(events.post_deleted(post_id=post_id), recipients))


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

        def announce() -> None:
            likers = Counter(PostLike.objects.filter(post=post).values_list("user_id", flat=True))
            recipients = selectors.post_event_recipients(post, actor=user)
            _publish_counted(
                lambda n: events.post_liked(post_id=post.pk, user_id=user.pk, liked=liked, count=n),
                recipients,
                likers,
            )

        if changed:
            transaction.on_commit(announce)
        if changed and liked:
            hooks.post_liked(user=user, post=post)
    count = post.likes.exclude(user_id__in=blocked_user_ids(user)).count()
    return liked, count


def comment_create(*, author: User, post_id: int, text: str, photo=None) -> Comment:
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
            comment.photo_thumbnail.save(image.thumbnail.name, image.thumbnail, save=False)
            comment.photo_width, comment.photo_height = image.width, image.height
        comment.save()

        def announce() -> None:
            authors = Counter(post.comments.values_list("author_id", flat=True))
            recipients = selectors.post_event_recipients(post, actor=author)
            _publish_counted(
                lambda n: events.comment_new(comment=comment, count=n), recipients, authors
            )

        transaction.on_commit(announce)
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
    _delete_files_on_commit(comment.file_names())
    comment.delete()

    def announce() -> None:
        authors = Counter(post.comments.values_list("author_id", flat=True))
        recipients = selectors.post_event_recipients(post, actor=actor, also=[comment_author.pk])
        _publish_counted(
            lambda n: events.comment_deleted(post_id=post.pk, comment_id=comment_id, count=n),
            recipients,
            authors,
        )

    transaction.on_commit(announce)


# -- discussion board ---------------------------------------------------------------------------
def topic_create(*, author: User, title: str, body: str, photos: Sequence = ()) -> Topic:
    """Start a board topic with a title, text and up to POST_PHOTOS_MAX photos;
    ValidationError for missing, too long or unreadable input."""
    title = _clean_text(title, limit=TOPIC_TITLE_MAX, field="title").replace("\n", " ")
    body = _clean_text(body, limit=TOPIC_BODY_MAX, field="body")
    if not title:
        raise _invalid("title", _("Give the topic a title."), "empty")
    if not body:
        raise _invalid("body", _("Write what the topic is about."), "empty")
    processed = _process_photos(photos, limit=POST_PHOTOS_MAX)
    with transaction.atomic():
        topic = Topic.objects.create(author=author, title=title, body=body)
        TopicPhoto.objects.bulk_create(_photo_rows(TopicPhoto, processed, topic=topic))
    return topic


def reply_create(*, author: User, topic_id: int, text: str, photos: Sequence = ()) -> Reply:
    """Answer a topic `author` may see (text and/or photos) and move the topic up the board;
    Http404 if they may not see it, ValidationError for empty or bad input."""
    text = _clean_text(text, limit=REPLY_TEXT_MAX)
    processed = _process_photos(photos, limit=POST_PHOTOS_MAX)
    if not text and not processed:
        raise _invalid("text", _("Write a reply or add a photo."), "empty")
    with transaction.atomic():
        topic = selectors.topic_get_for_user(author, topic_id)
        reply = Reply.objects.create(topic=topic, author=author, text=text)
        ReplyPhoto.objects.bulk_create(_photo_rows(ReplyPhoto, processed, reply=reply))
        Topic.objects.filter(pk=topic.pk).update(last_activity_at=reply.created_at)
    return reply


def topic_delete(*, user: User, topic_id: int) -> None:
    """Delete a topic with its replies: its author or a board moderator may; Http404 else."""
    with transaction.atomic():
        topic = selectors.topic_get_for_user(user, topic_id)
        if topic.author_id != user.pk and not selectors.can_moderate_board(user):
            raise Http404
        _topic_remove(topic)


def _topic_remove(topic: Topic) -> None:
    names = [n for photo in topic.photos.all() for n in photo.file_names()]
    names += [
        n for photo in ReplyPhoto.objects.filter(reply__topic=topic) for n in photo.file_names()
    ]
    topic.delete()
    _delete_files_on_commit(names)


def reply_delete(*, user: User, reply_id: int, topic_id: int | None = None) -> Topic:
    """Delete a reply: its author or a board moderator may; Http404 for anyone else, and when
    `topic_id` is given but the reply is in another topic. Returns the topic it was in."""
    with transaction.atomic():
        reply = selectors.reply_get_for_user(user, reply_id)
        if reply.author_id != user.pk and not selectors.can_moderate_board(user):
            raise Http404
        if topic_id is not None and reply.topic_id != topic_id:
            raise Http404
        _reply_remove(reply)
    return reply.topic


def _reply_remove(reply: Reply) -> None:
    _delete_files_on_commit([n for photo in reply.photos.all() for n in photo.file_names()])
    reply.delete()


# -- site moderation (Django admin, moderation.services writes the audit row) -------------------
def _staff_remove(moderator: User, model, object_id: int, remove: Callable) -> None:
    perm = f"social.delete_{model._meta.model_name}"
    if not (moderator.is_active and moderator.is_staff and moderator.has_perm(perm)):
        raise PermissionDenied(_("Only site moderators can do this."))
    with transaction.atomic():
        target = model.objects.select_for_update().filter(pk=object_id).first()
        if target is None:
            raise Http404
        remove(target)


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


def topic_remove_by_staff(*, moderator: User, topic_id: int) -> None:
    """Site moderation: delete any board topic with its replies. PermissionDenied, Http404."""
    _staff_remove(moderator, Topic, topic_id, _topic_remove)


def reply_remove_by_staff(*, moderator: User, reply_id: int) -> None:
    """Site moderation: delete any board reply. PermissionDenied, Http404."""
    _staff_remove(moderator, Reply, reply_id, _reply_remove)
