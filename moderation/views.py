"""The report page: reachable from the "Report" control on posts, comments, board topics and
replies, messages and profiles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from moderation import selectors, services
from moderation.forms import ReportForm
from moderation.models import Report


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    if kind not in Report.Kind.values:
        raise Http404
    preview = selectors.report_preview(request.user, kind, object_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                reporter=request.user,
                kind=kind,
                object_id=object_id,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except services.SelfReport as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you. The moderators will look at your report."))
            return redirect(_next_url(request))
    return render(
        request,
        "moderation/report.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": Report.Kind(kind).label,
            "preview": preview,
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )
