"""REST operations of notifications (mounted under /api/v1/): list, unread count, mark read,
mark all read, settings. They call the same services and selectors as the centre's pages.
Someone else's notification is a 404, like a missing one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from pydantic import ConfigDict, StrictBool

from accounts.payloads import UserRef
from messenger.api_kit import Page, PageParams, page
from notifications import events, selectors, services
from notifications.models import Kind, Notification

router = Router(tags=["notifications"])

NotificationId = Annotated[int, Path(..., ge=1, le=2**63 - 1, description="A notification id.")]
KindName = Literal[tuple(Kind.values)]  # type: ignore[valid-type]


class NotificationOut(Schema):
    id: int
    kind: KindName = Field(..., description="What happened; see the settings for every kind.")
    text: str = Field(..., description='Why it came, e.g. "Anna liked your post".')
    excerpt: str = Field(..., description="A short quote of the comment, message or post.")
    actor: UserRef
    post: int | None
    comment: int | None
    chat: int | None
    message: int | None
    url: str = Field(..., description="The page it is about.")
    created_at: datetime
    read: bool


class ListParams(PageParams):
    unread: bool = Field(False, description="Only unread notifications.")


class CountOut(Schema):
    unread: int


class ReadAllOut(Schema):
    marked: int = Field(..., description="How many were unread.")
    unread: int


class SettingsOut(Schema):
    email_digest: bool
    muted_kinds: list[KindName] = Field(..., description="Kinds that notify me not at all.")


class SettingsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    email_digest: StrictBool
    muted_kinds: list[KindName] = Field(default_factory=list, max_length=len(Kind.values))


def _out(notification: Notification) -> dict:
    return {
        **events.notification_payload(notification),
        "text": events.describe(notification),
        "excerpt": events.excerpt(notification),
        "created_at": notification.created_at,
    }


@router.get("/notifications", response=Page[NotificationOut], summary="My notifications")
def notifications_list(request: HttpRequest, paging: Query[ListParams]):
    rows = selectors.notifications_for(
        request.user,
        limit=paging.limit + 1,
        after_id=paging.after_id,
        unread_only=paging.unread,
    )
    result = page(rows, paging)
    result["items"] = [_out(row) for row in result["items"]]
    return result


@router.get("/notifications/count", response=CountOut, summary="How many are unread")
def notifications_count(request: HttpRequest):
    return {"unread": selectors.unread_count(request.user)}


@router.post("/notifications/read-all", response=ReadAllOut, summary="Mark all read")
def notifications_read_all(request: HttpRequest):
    marked = services.notifications_mark_all_read(user=request.user)
    return {"marked": marked, "unread": selectors.unread_count(request.user)}


@router.post(
    "/notifications/{notification_id}/read", response=NotificationOut, summary="Mark one read"
)
def notification_read(request: HttpRequest, notification_id: NotificationId):
    notification = services.notification_mark_read(
        user=request.user, notification_id=notification_id
    )
    return _out(notification)


@router.get("/notifications/settings", response=SettingsOut, summary="My notification settings")
def notification_settings_get(request: HttpRequest):
    found = selectors.settings_for(request.user)
    return {"email_digest": found.email_digest, "muted_kinds": found.muted_kinds or []}


@router.put("/notifications/settings", response=SettingsOut, summary="Change my settings")
def notification_settings_put(request: HttpRequest, payload: SettingsIn):
    found = services.notification_settings_update(
        user=request.user, email_digest=payload.email_digest, muted_kinds=payload.muted_kinds
    )
    return {"email_digest": found.email_digest, "muted_kinds": found.muted_kinds}
