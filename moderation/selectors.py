"""Reads of moderation that pages and the API use."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from moderation import snapshots
from moderation.models import Report


def report_preview(reporter: User, kind: str, object_id: int) -> dict[str, Any]:
    """What the report page shows about the thing being reported; Http404 if the reporter
    cannot see it (the same check report_create makes)."""
    target, copy = snapshots.freeze(reporter, kind, object_id)
    text = copy.get("title") or copy.get("text") or copy.get("bio") or ""
    return {"author": target, "text": text[:300], "is_self": target.pk == reporter.pk}


def reports_of(reporter: User, *, limit: int, after_id: int | None = None) -> list[Report]:
    """The reporter's own reports, newest first (the API's list)."""
    rows: QuerySet[Report] = Report.objects.filter(reporter=reporter).order_by("-id")
    if after_id is not None:
        rows = rows.filter(id__lt=after_id)
    return list(rows[: limit + 1])
