"""The moderators' queue: reports with their frozen copies, actions on them, the read-only
moderation log. Every action goes through moderation.services (permission, effect, log).

The apps below register their own admins; this module adds moderation to them (the user
actions, deletion of content through the removal service), since they may not import it."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.admin import UserAdmin
from accounts.models import User
from chats.admin import MessageAdmin
from chats.models import Message
from moderation import services
from moderation.models import REASON_MAX_LENGTH, ModerationAction, Notice, Report
from social.admin import CommentAdmin, PostAdmin, ReplyAdmin, TopicAdmin
from social.models import Comment, Post, Reply, Topic


class ModerationActionForm(helpers.ActionForm):
    """The admin's action bar, with the reason (and days) every moderator action needs."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_MAX_LENGTH)
    days = forms.IntegerField(
        label=_("Days"), required=False, min_value=1, max_value=services.SUSPEND_DAYS_MAX
    )


def _days(request) -> int | None:
    try:
        return int(request.POST.get("days", ""))
    except ValueError:
        return None


def _author(report: Report):
    if report.target_user is None:
        raise ValidationError(_("The author's account no longer exists."))
    return report.target_user


class ModeratorActions:
    """Runs one moderation service per selected row with the action bar's reason (and days),
    and tells the moderator what happened. `user_of(row)` is the person acted on."""

    action_form = ModerationActionForm

    def has_warn_permission(self, request) -> bool:
        return request.user.has_perm("moderation.warn_user")

    def has_suspend_permission(self, request) -> bool:
        return request.user.has_perm("moderation.suspend_user")

    def _run(self, request, rows, act: Callable, done_message: str) -> None:
        reason = request.POST.get("reason", "")
        done = 0
        for row in rows:
            try:
                act(row, reason)
            except (ValidationError, PermissionDenied, Http404) as exc:
                detail = " ".join(getattr(exc, "messages", [])) or str(exc) or _("Not found.")
                self.message_user(request, f"{row}: {detail}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    def warn(self, request, rows, *, user_of: Callable) -> None:
        self._run(
            request,
            rows,
            lambda row, reason: services.user_warn(
                moderator=request.user, user=user_of(row), reason=reason, report_id=_report_id(row)
            ),
            _("Warnings sent: %(count)d."),
        )

    def suspend(self, request, rows, *, user_of: Callable) -> None:
        days = _days(request)
        if days is None:
            self.message_user(request, _("Enter the number of days."), messages.ERROR)
            return
        self._suspend(request, rows, user_of, days, _("Suspended: %(count)d."))

    def ban(self, request, rows, *, user_of: Callable) -> None:
        self._suspend(request, rows, user_of, None, _("Banned: %(count)d."))

    def _suspend(self, request, rows, user_of: Callable, days: int | None, message) -> None:
        self._run(
            request,
            rows,
            lambda row, reason: services.user_suspend(
                moderator=request.user,
                user=user_of(row),
                days=days,
                reason=reason,
                report_id=_report_id(row),
            ),
            message,
        )


def _report_id(row) -> int | None:
    return row.pk if isinstance(row, Report) else None


CONTENT_ADMIN = {
    "post": "social_post",
    "comment": "social_comment",
    "topic": "social_topic",
    "reply": "social_reply",
    "message": "chats_message",
    "user": "accounts_user",
}


def _user_link(user) -> str:
    if user is None:
        return "—"
    url = reverse("admin:accounts_user_change", args=[user.pk])
    return format_html('<a href="{}">{}</a>', url, user.username)


@admin.register(Report)
class ReportAdmin(ModeratorActions, admin.ModelAdmin):
    list_display = (
        "created_at",
        "state",
        "kind",
        "reason",
        "excerpt",
        "author_link",
        "reporter",
        "handled_by",
    )
    list_filter = ("state", "kind", "reason", "created_at")
    search_fields = ("target_user__username", "reporter__username", "details", "snapshot__text")
    list_select_related = ("target_user", "reporter", "handled_by")
    date_hierarchy = "created_at"
    actions = ["dismiss", "remove_content", "warn_author", "suspend_author", "ban_author"]
    fields = (
        "state",
        "kind",
        "object_id",
        "reason",
        "details",
        "reporter",
        "author_link",
        "content_link",
        "frozen_copy",
        "created_at",
        "handled_by",
        "handled_at",
        "action_log",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # reports are the record of what users asked for

    @admin.display(description=_("author"), ordering="target_user__username")
    def author_link(self, report: Report) -> str:
        return _user_link(report.target_user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Everything here is read-only: moderators act through the list's actions.
        extra_context = {**(extra_context or {}), "show_save": False}
        extra_context["show_save_and_continue"] = False
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("now"))
    def content_link(self, report: Report) -> str:
        admin_name = CONTENT_ADMIN.get(report.kind)
        if admin_name is None:
            return "—"
        url = reverse(f"admin:{admin_name}_change", args=[report.object_id])
        return format_html('<a href="{}">{}</a>', url, _("as it is now (if it still exists)"))

    @admin.display(description=_("content"))
    def excerpt(self, report: Report) -> str:
        copy = report.snapshot or {}
        text = copy.get("title") or copy.get("text") or copy.get("bio") or ""
        files = copy.get("photos") or copy.get("attachments") or []
        if not text and files:
            text = ", ".join(name.rsplit("/", 1)[-1] for name in files)
        return text[:80]

    @admin.display(description=_("copy at report time"))
    def frozen_copy(self, report: Report) -> str:
        copy = report.snapshot or {}
        author = (copy.get("author") or {}).get("username", "—")
        parts = [format_html("<p><b>{}</b>: {}</p>", _("author"), author)]
        for key, label in (
            ("title", _("title")),
            ("text", _("text")),
            ("bio", _("about me")),
        ):
            if copy.get(key):
                parts.append(
                    format_html(
                        '<p><b>{}</b>:</p><div style="white-space:pre-wrap">{}</div>',
                        label,
                        copy[key],
                    )
                )
        files = (copy.get("photos") or []) + (copy.get("attachments") or [])
        if files:
            parts.append(
                format_html(
                    "<p><b>{}</b>: {}</p>",
                    _("files"),
                    ", ".join(n.rsplit("/", 1)[-1] for n in files),
                )
            )
        for key, label in (("post", _("under the post")), ("topic", _("in the topic"))):
            if copy.get(key):
                parts.append(
                    format_html(
                        "<p><b>{}</b>: {}</p>",
                        label,
                        copy[key].get("title") or copy[key].get("text", ""),
                    )
                )
        if "chat" in copy:
            rows = [*copy.get("context_before", []), copy, *copy.get("context_after", [])]
            parts.append(format_html("<p><b>{}</b>:</p>", _("the conversation around it")))
            parts.append(
                format_html(
                    "<ol>{}</ol>",
                    format_html_join(
                        "",
                        "<li{}><b>{}</b>: {}{}</li>",
                        (
                            (
                                format_html(' style="background:#fff3cd"')
                                if row.get("id") == copy.get("id")
                                else "",
                                (row.get("sender") or {}).get("username", "—"),
                                _("(deleted)") if row.get("deleted") else row.get("text", ""),
                                " 📎 " + ", ".join(row["attachments"])
                                if row.get("attachments")
                                else "",
                            )
                            for row in rows
                        ),
                    ),
                )
            )
        return format_html("".join(["{}"] * len(parts)), *parts)

    @admin.display(description=_("moderation log"))
    def action_log(self, report: Report) -> str:
        rows = report.actions.select_related("moderator").order_by("created_at")
        return (
            format_html_join(
                "",
                "<p>{} · {} · {} · {}</p>",
                ((a.created_at, a.moderator, a.get_kind_display(), a.reason) for a in rows),
            )
            or "—"
        )

    @admin.action(description=_("Dismiss (no action)"), permissions=["change"])
    def dismiss(self, request, queryset) -> None:
        self._run(
            request,
            queryset,
            lambda r, reason: services.report_dismiss(
                moderator=request.user, report_id=r.pk, reason=reason
            ),
            _("Reports dismissed: %(count)d."),
        )

    @admin.action(description=_("Remove the reported content"), permissions=["change"])
    def remove_content(self, request, queryset) -> None:
        self._run(
            request,
            queryset,
            lambda r, reason: services.content_remove(
                moderator=request.user,
                kind=r.kind,
                object_id=r.object_id,
                reason=reason,
                report_id=r.pk,
            ),
            _("Content removed: %(count)d."),
        )

    @admin.action(description=_("Warn the author"), permissions=["warn"])
    def warn_author(self, request, queryset) -> None:
        self.warn(request, queryset, user_of=_author)

    @admin.action(description=_("Suspend the author for N days"), permissions=["suspend"])
    def suspend_author(self, request, queryset) -> None:
        self.suspend(request, queryset, user_of=_author)

    @admin.action(description=_("Ban the author"), permissions=["suspend"])
    def ban_author(self, request, queryset) -> None:
        self.ban(request, queryset, user_of=_author)


class ReadOnlyLogAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyLogAdmin):
    list_display = ("created_at", "moderator", "kind", "target_user", "reason", "suspended_until")
    list_filter = ("kind", "created_at")
    search_fields = ("moderator__username", "target_user__username", "reason")
    list_select_related = ("moderator", "target_user")
    date_hierarchy = "created_at"


@admin.register(Notice)
class NoticeAdmin(ReadOnlyLogAdmin):
    list_display = ("created_at", "user", "text", "seen_at")
    list_filter = (("seen_at", admin.EmptyFieldListFilter),)
    search_fields = ("user__username", "text")
    list_select_related = ("user",)


# -- moderation on the other apps' admin pages ------------------------------------------------
class ModeratedUserAdmin(ModeratorActions, UserAdmin):
    actions = [*UserAdmin.actions, "warn_users", "suspend_users", "ban_users", "lift_suspension"]

    @admin.action(description=_("Warn (reason is shown to them)"), permissions=["warn"])
    def warn_users(self, request, queryset):
        self.warn(request, queryset, user_of=lambda user: user)

    @admin.action(description=_("Suspend for N days"), permissions=["suspend"])
    def suspend_users(self, request, queryset):
        self.suspend(request, queryset, user_of=lambda user: user)

    @admin.action(description=_("Ban"), permissions=["suspend"])
    def ban_users(self, request, queryset):
        self.ban(request, queryset, user_of=lambda user: user)

    @admin.action(description=_("Lift suspension or ban"), permissions=["suspend"])
    def lift_suspension(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda user, reason: services.user_suspension_lift(
                moderator=request.user, user=user, reason=reason
            ),
            _("Suspensions lifted: %(count)d."),
        )


class RemovedThroughModeration:
    """Admin deletion of content goes through moderation.services.content_remove, as the
    admin's `report_kind` (social.admin.StaffRemovalAdmin)."""

    def delete_model(self, request, obj) -> None:
        services.content_remove(
            moderator=request.user,
            kind=self.report_kind,
            object_id=obj.pk,
            reason=str(_("Deleted in the admin")),
        )

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ModeratedMessageAdmin(MessageAdmin):
    actions = ["delete_for_everyone"]

    @admin.action(description=_("Delete selected messages for everyone"))
    def delete_for_everyone(self, request, queryset) -> None:
        count = 0
        for message_id in queryset.values_list("pk", flat=True):
            # Audited in the chat and in the site's moderation log.
            services.content_remove(
                moderator=request.user,
                kind="message",
                object_id=message_id,
                reason=str(_("Site moderation")),
            )
            count += 1
        self.message_user(request, _("Messages deleted: %(n)s") % {"n": count}, messages.SUCCESS)


admin.site.unregister(User)
admin.site.register(User, ModeratedUserAdmin)
for _model, _admin in (
    (Post, PostAdmin),
    (Comment, CommentAdmin),
    (Topic, TopicAdmin),
    (Reply, ReplyAdmin),
):
    admin.site.unregister(_model)
    admin.site.register(
        _model, type(_admin.__name__, (RemovedThroughModeration, _admin), {"__module__": __name__})
    )
admin.site.unregister(Message)
admin.site.register(Message, ModeratedMessageAdmin)
