"""The notification centre: list grouped by day, mark read, mark all read, settings, count."""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications import events, selectors, services
from notifications.forms import NotificationSettingsForm
from notifications.models import Kind, Notification


def _day_label(day) -> str:
    today = timezone.localdate()
    if day == today:
        return _("Today")
    if day == today - timedelta(days=1):
        return _("Yesterday")
    return date_format(day, "j F Y" if day.year != today.year else "j F")


def _items(rows: list[Notification]) -> list[dict]:
    return [
        {
            "notification": row,
            "text": events.describe(row),
            "excerpt": events.excerpt(row),
            "url": events.notification_url(row),
        }
        for row in rows
    ]


def _grouped(rows: list[Notification]) -> list[tuple[str, list[dict]]]:
    """Notifications under a heading per day ("Today", "Yesterday", "3 November")."""
    days = groupby(rows, key=lambda row: timezone.localdate(row.created_at))
    return [(_day_label(day), _items(list(group))) for day, group in days]


def _after_id(request: HttpRequest) -> int | None:
    value = request.GET.get("before", "")
    return int(value) if value.isdigit() and len(value) <= 18 else None


def _list_context(request: HttpRequest, *, unread_only: bool, after_id: int | None) -> dict:
    rows = selectors.notifications_for(
        request.user, limit=selectors.PAGE_SIZE + 1, after_id=after_id, unread_only=unread_only
    )
    more = len(rows) > selectors.PAGE_SIZE
    rows = rows[: selectors.PAGE_SIZE]
    return {
        "groups": _grouped(rows),
        "unread_only": unread_only,
        "next_before": rows[-1].pk if more and rows else None,
        "unread": selectors.unread_count(request.user),
    }


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(
        request, unread_only=request.GET.get("show") == "unread", after_id=_after_id(request)
    )
    template = "notifications/_list.html" if request.htmx else "notifications/list.html"
    return render(request, template, context)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = services.notification_mark_read(
        user=request.user, notification_id=notification_id
    )
    if request.htmx:
        return render(request, "notifications/_item.html", {"item": _items([notification])[0]})
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    if request.htmx:
        context = _list_context(request, unread_only=False, after_id=None)
        return render(request, "notifications/_list.html", context)
    messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:list")


@login_required
@require_GET
def notification_count(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"unread": selectors.unread_count(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.settings_for(request.user)
    muted = set(current.muted_kinds or [])
    initial = {
        "kinds": [kind for kind in Kind.values if kind not in muted],
        "email_digest": current.email_digest,
    }
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            services.notification_settings_update(
                user=request.user,
                email_digest=form.cleaned_data["email_digest"],
                muted_kinds=form.muted_kinds(),
            )
            messages.success(request, _("Notification settings saved."))
            return redirect("notifications:settings")
        return render(request, "notifications/settings.html", {"form": form}, status=400)
    return render(request, "notifications/settings.html", {"form": form})
