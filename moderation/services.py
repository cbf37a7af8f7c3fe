"""Every write of moderation: reports, and what moderators do about them.

Each moderator action checks the moderator's permission, does its effect through the owning
app's service (removal, suspension), writes its `ModerationAction` row and closes the report,
all in one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SUSPENDED_FOREVER, User
from accounts.services import user_notice_flag_set, user_suspension_set
from chats.services import message_remove_by_staff
from moderation import snapshots
from moderation.models import (
    DETAILS_MAX_LENGTH,
    REASON_MAX_LENGTH,
    ModerationAction,
    Notice,
    Report,
)
from moderation.notify import send_warning_email
from social import services as social

SUSPEND_DAYS_MAX = 3650


class SelfReport(PermissionDenied):
    """Reporting one's own content or oneself (the API answers 403 with this code)."""

    code = "self_report"


def report_create(
    *, reporter: User, kind: str, object_id: int, reason: str, details: str = ""
) -> Report:
    """Report something `reporter` can see, freezing a copy of it; repeating an open report
    returns it unchanged. Http404 if they cannot see it, ValidationError for a bad reason or
    too long details, SelfReport for reporting oneself or one's own content."""
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": [_("Choose a reason.")]}, code="reason")
    details = (details or "").strip()
    if len(details) > DETAILS_MAX_LENGTH:
        raise ValidationError(
            {"details": [_("Keep it under %(n)s characters.") % {"n": DETAILS_MAX_LENGTH}]},
            code="too_long",
        )
    if kind not in Report.Kind.values or not isinstance(object_id, int) or object_id < 1:
        raise Http404
    target, snapshot = snapshots.freeze(reporter, kind, object_id)
    if target.pk == reporter.pk:
        raise SelfReport(_("You cannot report yourself or what you wrote."))
    existing = Report.objects.filter(
        reporter=reporter, kind=kind, object_id=object_id, state=Report.State.OPEN
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=reporter,
                kind=kind,
                object_id=object_id,
                target_user=target,
                reason=reason,
                details=details,
                snapshot=snapshot,
            )
    except IntegrityError:  # the same report sent twice at once
        return Report.objects.get(
            reporter=reporter, kind=kind, object_id=object_id, state=Report.State.OPEN
        )


# -- moderator actions ------------------------------------------------------------------------
def _require(moderator: User, perm: str) -> None:
    if not (moderator.is_active and moderator.is_staff and moderator.has_perm(perm)):
        raise PermissionDenied(_("Only site moderators can do this."))


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason: it is logged and may be shown to the user."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX_LENGTH}
        )
    return reason


def _close(report: Report | None, moderator: User, state: str) -> None:
    if report is not None and report.state == Report.State.OPEN:
        report.state, report.handled_by, report.handled_at = state, moderator, timezone.now()
        report.save(update_fields=["state", "handled_by", "handled_at"])


def _log(
    moderator: User,
    kind: str,
    *,
    target: User | None,
    report: Report | None,
    reason: str,
    suspended_until: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> ModerationAction:
    return ModerationAction.objects.create(
        moderator=moderator,
        kind=kind,
        target_user=target,
        report=report,
        reason=reason,
        suspended_until=suspended_until,
        details=details or {},
    )


def _locked_report(report_id: int) -> Report:
    report = Report.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


def report_dismiss(*, moderator: User, report_id: int, reason: str = "") -> Report:
    """Close a report with no action (logged). PermissionDenied for non-moderators."""
    _require(moderator, "moderation.change_report")
    with transaction.atomic():
        report = _locked_report(report_id)
        if report.state == Report.State.OPEN:
            _log(
                moderator,
                ModerationAction.Kind.DISMISS,
                target=report.target_user,
                report=report,
                reason=(reason or "").strip()[:REASON_MAX_LENGTH],
            )
            _close(report, moderator, Report.State.DISMISSED)
    return report


def _remove_content(moderator: User, kind: str, object_id: int, reason: str) -> None:
    removers = {
        "post": lambda: social.post_remove_by_staff(moderator=moderator, post_id=object_id),
        "comment": lambda: social.comment_remove_by_staff(
            moderator=moderator, comment_id=object_id
        ),
        "topic": lambda: social.topic_remove_by_staff(moderator=moderator, topic_id=object_id),
        "reply": lambda: social.reply_remove_by_staff(moderator=moderator, reply_id=object_id),
        "message": lambda: message_remove_by_staff(
            moderator=moderator, message_id=object_id, reason=reason
        ),
    }
    if kind not in removers:
        raise ValidationError(_("A person cannot be removed as content; suspend or ban them."))
    removers[kind]()


def content_remove(
    *, moderator: User, kind: str, object_id: int, reason: str, report_id: int | None = None
) -> ModerationAction:
    """Remove a post, comment, topic, reply or message for everyone through its app's service,
    logged, closing the report if given. Content already gone still closes the report.
    PermissionDenied without the app's delete permission, ValidationError for no reason."""
    # The removal services check their own permission (social.delete_post, staff for chats);
    # closing a report needs the moderation one too.
    if report_id is not None:
        _require(moderator, "moderation.change_report")
    reason = _clean_reason(reason)
    with transaction.atomic():
        report = _locked_report(report_id) if report_id is not None else None
        try:
            _remove_content(moderator, kind, object_id, reason)
            gone = False
        except Http404:
            gone = True
        action = _log(
            moderator,
            ModerationAction.Kind.REMOVE,
            target=report.target_user if report else None,
            report=report,
            reason=reason,
            details={"kind": kind, "id": object_id, **({"already_gone": True} if gone else {})},
        )
        _close(report, moderator, Report.State.ACTIONED)
    return action


def _check_target(moderator: User, user: User) -> None:
    if user.pk == moderator.pk:
        raise ValidationError(_("You cannot do this to your own account."), code="self")
    if (user.is_staff or user.is_superuser) and not moderator.is_superuser:
        raise PermissionDenied(_("Only a superuser can do this to staff."))


def user_warn(
    *, moderator: User, user: User, reason: str, report_id: int | None = None
) -> ModerationAction:
    """Warn `user`: logged, emailed, and shown on their next page. PermissionDenied without
    moderation.warn_user, ValidationError for no reason or oneself."""

    _require(moderator, "moderation.warn_user")
    reason = _clean_reason(reason)
    _check_target(moderator, user)
    with transaction.atomic():
        report = _locked_report(report_id) if report_id is not None else None
        action = _log(
            moderator, ModerationAction.Kind.WARN, target=user, report=report, reason=reason
        )
        Notice.objects.create(user=user, action=action, text=reason)
        user_notice_flag_set(user=user, pending=True)
        _close(report, moderator, Report.State.ACTIONED)
        transaction.on_commit(lambda: send_warning_email(user, reason))
    return action


def user_suspend(
    *,
    moderator: User,
    user: User,
    days: int | None,
    reason: str,
    report_id: int | None = None,
) -> ModerationAction:
    """Suspend `user` for `days` days, or ban them (`days=None`): they cannot log in, their
    sessions and API tokens end, their sockets close. Logged, closing the report.
    PermissionDenied without moderation.suspend_user, ValidationError for bad days, no reason
    or oneself."""
    _require(moderator, "moderation.suspend_user")
    reason = _clean_reason(reason)
    if days is not None and not (1 <= days <= SUSPEND_DAYS_MAX):
        raise ValidationError(
            _("Suspend for 1 to %(max)s days.") % {"max": SUSPEND_DAYS_MAX}, code="days"
        )
    _check_target(moderator, user)
    until = SUSPENDED_FOREVER if days is None else timezone.now() + timedelta(days=days)
    kind = ModerationAction.Kind.BAN if days is None else ModerationAction.Kind.SUSPEND
    with transaction.atomic():
        report = _locked_report(report_id) if report_id is not None else None
        user_suspension_set(user=user, until=until)
        action = _log(
            moderator,
            kind,
            target=user,
            report=report,
            reason=reason,
            suspended_until=until,
            details={"days": days} if days else {},
        )
        _close(report, moderator, Report.State.ACTIONED)
    return action


def user_suspension_lift(*, moderator: User, user: User, reason: str) -> ModerationAction:
    """End `user`'s suspension or ban now (logged). PermissionDenied, ValidationError."""
    _require(moderator, "moderation.suspend_user")
    reason = _clean_reason(reason)
    _check_target(moderator, user)
    with transaction.atomic():
        user_suspension_set(user=user, until=None)
        return _log(moderator, ModerationAction.Kind.LIFT, target=user, report=None, reason=reason)


def notices_take(*, user: User) -> list[Notice]:
    """The user's unseen warnings, marked seen now (shown once, on their next page)."""
    with transaction.atomic():
        notices = list(Notice.objects.filter(user=user, seen_at__isnull=True))
        Notice.objects.filter(pk__in=[n.pk for n in notices]).update(seen_at=timezone.now())
        user_notice_flag_set(user=user, pending=False)
    return notices
