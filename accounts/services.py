"""Every write about users: profile, blocks, presence, sessions."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import IO

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import hooks, tasks
from accounts.birthdays import BirthDate, validate_birth_date
from accounts.models import Avatar, Block, User, deleted_username
from accounts.relations import friend_graph
from messenger.images import Crop, open_image, render_image, square_crop, thumbnail_of
from messenger.realtime import close_sockets, publish, publish_on_commit
from messenger.storage import delete_files, delete_files_on_commit
from messenger.tasks.kit import enqueue_on_commit

logger = logging.getLogger("beseda.accounts")

PROFILE_FIELDS = [
    "first_name",
    "last_name",
    "bio",
    "gender",
    "birth_day",
    "birth_month",
    "birth_year",
    "birth_date_visibility",
]
BIO_MAX_LENGTH = 2000
AVATAR_SIDE = 800
AVATAR_THUMB_SIDE = 256
PRESENCE_WRITE_INTERVAL_SECONDS = 60
# A socket count lives this long after the user's last connect, so a crashed worker cannot
# leave its users online forever. The price: a single socket kept open longer than this, with
# no other socket of that user opening meanwhile, shows its user offline until it reconnects.
PRESENCE_TTL_SECONDS = 6 * 3600
# Socket close code: this browser's session got a new key (password change); reconnect.
CLOSE_SESSION_RENEWED = 4002


def profile_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    bio: str,
    gender: str,
    birth_date: BirthDate | None,
    birth_date_visibility: str,
) -> User:
    """Save the user's profile fields; raises ValidationError for bad values (the page's
    ProfileForm reports the same problems per field first)."""
    if birth_date is not None:
        validate_birth_date(birth_date, today=timezone.localdate())
    MaxLengthValidator(BIO_MAX_LENGTH)(bio.strip())
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.bio = bio.strip()
    user.gender = gender
    user.birth_day = birth_date.day if birth_date else None
    user.birth_month = birth_date.month if birth_date else None
    user.birth_year = birth_date.year if birth_date else None
    user.birth_date_visibility = birth_date_visibility
    user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name not in PROFILE_FIELDS])
    with transaction.atomic():
        user.save(update_fields=PROFILE_FIELDS)
    return user


def avatar_upload(*, user: User, uploaded_file: IO[bytes], crop: Crop | None) -> Avatar:
    """Store a new avatar cut from `uploaded_file` by `crop` (default: the centred square)
    and make it current; its thumbnail is made by the `make_avatar_thumbnail` task after
    commit. Raises ValidationError for anything but a sound, not too big image; then nothing
    is stored."""
    image = open_image(uploaded_file)
    crop = crop or square_crop(image.width, image.height)
    main = render_image(image, max_side=AVATAR_SIDE, crop=crop)
    avatar = Avatar(user=user)
    avatar.image.save(main.name, main, save=False)
    try:
        with transaction.atomic():
            avatar.save()
            _avatar_make_current(user=user, avatar=avatar)
            enqueue_on_commit(tasks.make_avatar_thumbnail, avatar.pk)
    except Exception:
        delete_files([avatar.image.name])
        raise
    return avatar


def avatar_thumbnail_make(*, avatar_id: int) -> bool:
    """Make and store the small rendition of an avatar (the `make_avatar_thumbnail` task) and
    show it wherever the avatar is current. Does nothing for a missing avatar or one that has
    its thumbnail already; returns whether it stored one."""
    avatar = Avatar.objects.filter(pk=avatar_id, thumbnail="").first()
    if avatar is None or not avatar.image.name:
        return False
    with default_storage.open(avatar.image.name, "rb") as stored:
        thumb = thumbnail_of(stored, max_side=AVATAR_THUMB_SIDE, quality=85)
    if thumb is None:
        return False
    folder, _slash, base = avatar.image.name.rpartition("/")
    thumb_name = default_storage.save(f"{folder}/thumb-{base}", thumb)
    with transaction.atomic():
        stored_once = Avatar.objects.filter(pk=avatar_id, thumbnail="").update(thumbnail=thumb_name)
        if stored_once:
            User.objects.filter(current_avatar_id=avatar_id).update(avatar_thumb=thumb_name)
    if not stored_once:  # another run was first, or the avatar went meanwhile
        delete_files([thumb_name])
    return bool(stored_once)


def avatar_set_current(*, user: User, avatar_id: int) -> Avatar:
    """Show one of the user's past avatars again; raises Http404 if it is not theirs."""
    with transaction.atomic():
        avatar = Avatar.objects.filter(user=user, pk=avatar_id).first()
        if avatar is None:
            raise Http404
        _avatar_make_current(user=user, avatar=avatar)
    return avatar


def avatar_delete(*, user: User, avatar_id: int) -> None:
    """Delete one of the user's avatars and its files; the newest remaining one becomes
    current if it was. Raises Http404 if it is not theirs."""
    with transaction.atomic():
        avatar = Avatar.objects.filter(user=user, pk=avatar_id).first()
        if avatar is None:
            raise Http404
        files = [avatar.image.name, avatar.thumbnail.name]
        # Read the current pointer under the row lock: `user` may be a stale instance.
        current_id = (
            User.objects.select_for_update()
            .filter(pk=user.pk)
            .values_list("current_avatar_id", flat=True)
            .get()
        )
        was_current = current_id == avatar.pk
        avatar.delete()
        if was_current:
            _avatar_make_current(user=user, avatar=user.avatars.first())
        delete_files_on_commit(files)


def _avatar_make_current(*, user: User, avatar: Avatar | None) -> None:
    user.current_avatar = avatar
    user.avatar_thumb = avatar.small_name if avatar else ""
    user.save(update_fields=["current_avatar", "avatar_thumb"])


def block_create(*, blocker: User, blocked: User) -> Block:
    """Block `blocked` for `blocker` (idempotent). Their friendship and any friend requests
    between them end in the same transaction. Raises ValidationError when blocking oneself."""
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You cannot block yourself."), code="self")
    with transaction.atomic():
        block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        friend_graph().unlink(blocker.pk, blocked.pk)
        if created:
            hooks.block_created(blocker=blocker, blocked=blocked)
    return block


def block_delete(*, blocker: User, blocked: User) -> None:
    """Remove `blocker`'s block of `blocked` if there is one."""
    with transaction.atomic():
        deleted, _rows = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
        if deleted:
            hooks.block_deleted(blocker=blocker, blocked=blocked)


def _presence_key(user_id: int) -> str:
    return f"presence:sockets:{user_id}"


def presence_connected(*, user_id: int) -> None:
    """Count a newly opened socket of the user (any worker process). The first one makes the
    user online: their friends get a `presence` frame. last_seen is written at most once a
    minute."""
    key = _presence_key(user_id)
    cache.add(key, 0, PRESENCE_TTL_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, PRESENCE_TTL_SECONDS)
        count = 1
    cache.touch(key, PRESENCE_TTL_SECONDS)
    now = timezone.now()
    _last_seen_record(user_id, now)
    if count == 1:
        _presence_publish(user_id, online=True, last_seen=now)


def presence_disconnected(*, user_id: int, sockets_left_here: int) -> None:
    """Count a closed socket of the user. When none is left anywhere the user is offline:
    last_seen is recorded and their friends get a `presence` frame.

    `sockets_left_here` (the user's sockets still open in this process) repairs the count
    after the cache lost it (restart, eviction, TTL).
    """
    key = _presence_key(user_id)
    try:
        count = cache.decr(key)
    except ValueError:
        count = 0
    if count < sockets_left_here:
        cache.set(key, sockets_left_here, PRESENCE_TTL_SECONDS)
        count = sockets_left_here
    elif count < 0:
        # More closes than opens were counted (a lost key was re-created): back to zero,
        # relative to the current value so a concurrent connect is not lost.
        cache.incr(key, -count)
        count = 0
    if count == 0:
        now = timezone.now()
        _last_seen_record(user_id, now)
        _presence_publish(user_id, online=False, last_seen=now)


def presence_online_ids(user_ids: Iterable[int]) -> set[int]:
    """Which of `user_ids` have an open socket in any worker process (one cache round trip)."""
    ids = {int(u) for u in user_ids}
    if not ids:
        return set()
    try:
        counts = cache.get_many([_presence_key(u) for u in ids])
    except Exception:
        # The cache (Redis in production) is down: pages still render, with nobody shown
        # online until it is back (docs/deployment.md, "When Redis is down").
        logger.warning("event=presence_read_failed", exc_info=True)
        return set()
    return {u for u in ids if (counts.get(_presence_key(u)) or 0) > 0}


def _last_seen_record(user_id: int, now: datetime) -> None:
    # Sockets come and go with every page load: write the row at most once a minute per user.
    if cache.add(f"presence:seen-written:{user_id}", 1, PRESENCE_WRITE_INTERVAL_SECONDS):
        User.objects.filter(pk=user_id).update(last_seen=now)


def _presence_publish(user_id: int, *, online: bool, last_seen: datetime) -> None:
    frame = {
        "type": "presence",
        "user": user_id,
        "online": online,
        "last_seen": last_seen.isoformat(),
    }
    publish(frame, friend_graph().friend_ids(user_id))


def _sessions_end(*, user: User, keep_session_key: str | None) -> int:
    """Delete the user's sessions except `keep_session_key` from the session store."""
    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    ended = 0
    for session in sessions:
        session.end()  # deletes the stored session and its UserSession row
        ended += 1
    return ended


def sessions_end_other(
    *, user: User, keep_session_key: str | None, previous_session_key: str | None = None
) -> int:
    """End every session of `user` but `keep_session_key` and close their sockets.

    Called after a password or email change; returns how many sessions ended. A password
    change renews the current session's key (Django cycles it): pass the key it had before as
    `previous_session_key`, and that browser's sockets are asked to reconnect (4002) instead
    of being ended.
    """
    with transaction.atomic():
        ended = _sessions_end(user=user, keep_session_key=keep_session_key)
        socket_key = previous_session_key or keep_session_key
        transaction.on_commit(lambda: close_sockets([user.pk], keep_session=socket_key))
        if previous_session_key and previous_session_key != keep_session_key:
            transaction.on_commit(
                lambda: close_sockets(
                    [user.pk], only_session=previous_session_key, code=CLOSE_SESSION_RENEWED
                )
            )
    return ended


def user_deactivate(*, user: User, by: User) -> None:
    """Deactivate `user` (moderation): they cannot log in, every session ends and every socket
    closes. Raises PermissionDenied unless `by` may change users and is someone else."""
    if not by.has_perm("accounts.change_user") or by.pk == user.pk:
        raise PermissionDenied
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        _sessions_end(user=user, keep_session_key=None)
        transaction.on_commit(lambda: close_sockets([user.pk]))


def user_suspension_set(*, user: User, until: datetime | None) -> None:
    """Suspend `user` until `until` (None lifts a suspension). A suspension ends every session
    (so API tokens too) and closes every socket after commit. Permission and the audit row are
    the caller's (moderation.services); call it inside the caller's transaction."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(suspended_until=until)
        user.suspended_until = until
        if until is not None:
            _sessions_end(user=user, keep_session_key=None)
            # The notice goes first (same ordered hand-over as the close): the open pages say
            # why they stopped instead of going quiet.
            notice = {
                "type": "account.suspended",
                "until": until.isoformat(),
                "banned": user.is_banned,
            }
            publish_on_commit(notice, [user.pk])
            transaction.on_commit(lambda: close_sockets([user.pk]))


def user_notice_flag_set(*, user: User, pending: bool) -> None:
    """Mark that a moderator's notice waits for `user` (or that it was shown)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(has_moderation_notice=pending)
        user.has_moderation_notice = pending


def account_delete(*, user: User) -> None:
    """Delete the user's account at their request: everything personal goes (names, bio,
    email addresses, avatars, friendships, second factors, sessions, sockets); the row stays,
    deactivated and renamed deleted-<id>, so their posts and messages show "Deleted user"."""
    with transaction.atomic():
        avatar_files = [
            name
            for avatar in user.avatars.all()
            for name in (avatar.image.name, avatar.thumbnail.name)
        ]
        user.current_avatar = None
        user.avatar_thumb = ""
        user.save(update_fields=["current_avatar", "avatar_thumb"])
        user.avatars.all().delete()
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        friend_graph().forget(user.pk)
        user.username = deleted_username(user.pk)
        user.email = f"{deleted_username(user.pk)}@deleted.invalid"  # unique, never deliverable
        user.first_name = user.last_name = user.bio = user.gender = ""
        user.birth_day = user.birth_month = user.birth_year = None
        user.birth_date_visibility = User.BirthDateVisibility.NOBODY
        user.last_seen = None
        user.is_active = False
        user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
        _sessions_end(user=user, keep_session_key=None)
        transaction.on_commit(lambda: close_sockets([user.pk]))
        delete_files_on_commit(avatar_files)


def users_purge_unverified(*, older_than: timedelta, dry_run: bool = False) -> int:
    """Delete accounts that joined more than `older_than` ago and never verified an email.

    Staff, superusers and deactivated accounts are never purged. Returns how many were (or,
    with `dry_run`, would be) deleted.
    """
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    stale = User.objects.filter(
        ~Exists(verified),
        is_active=True,
        is_staff=False,
        is_superuser=False,
        date_joined__lt=timezone.now() - older_than,
    )
    with transaction.atomic():
        ids = list(stale.values_list("pk", flat=True))
        if not dry_run and ids:
            User.objects.filter(pk__in=ids).delete()
    return len(ids)
