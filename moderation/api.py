"""REST operations to report things to the moderators (mounted under /api/v1/reports)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from messenger.api_kit import Page, PageParams, Text, integer, page
from moderation import selectors, services
from moderation.models import DETAILS_MAX_LENGTH, Report

router = Router(tags=["reports"])

# Ids of every kind are 64-bit columns.
ObjectId = integer(ge=1, le=2**63 - 1)


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Report.Kind = Field(..., description="What is reported.")
    id: ObjectId = Field(..., description="Its id (a user's id for `user`).")
    reason: Report.Reason
    details: Annotated[Text, Field(max_length=DETAILS_MAX_LENGTH)] = ""


class ReportOut(Schema):
    id: int
    kind: Report.Kind
    object_id: int
    reason: Report.Reason
    details: str
    state: Report.State
    created_at: datetime


@router.post(
    "",
    response={201: ReportOut},
    summary="Report a post, comment, board topic or reply, message or person",
    description=(
        "Freezes a copy of what is reported for the moderators. Reporting the same thing "
        "again while the first report is open returns that report. 404 if you cannot see it."
    ),
)
def report_create(request: HttpRequest, payload: ReportIn):
    report = services.report_create(
        reporter=request.user,
        kind=payload.kind.value,
        object_id=payload.id,
        reason=payload.reason.value,
        details=payload.details,
    )
    return Status(201, report)


@router.get("", response=Page[ReportOut], summary="My reports and what became of them")
def reports_list(request: HttpRequest, paging: Query[PageParams]):
    rows = selectors.reports_of(request.user, limit=paging.limit, after_id=paging.after_id)
    return page(rows, paging)
