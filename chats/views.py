"""Chat pages and the few JSON endpoints the chat page uses (history, edit history, uploads,
files). Thin: parse, call one service or selector, render or redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.selectors import online_user_ids, user_get_visible
from chats import emoji, events, selectors, services
from chats.forms import (
    AttachmentForm,
    GroupAvatarForm,
    GroupCreateForm,
    GroupRenameForm,
    MemberRemoveForm,
    MembersAddForm,
)
from chats.models import Attachment, Membership
from chats.system_lines import system_line_strings
from messenger.private_files import serve_private_file, session_or_token

# Served inline (shown in the page); every other type is a download.
INLINE_TYPES = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "audio/mpeg",
    "audio/ogg",
    "audio/wav",
    "audio/webm",
    "audio/mp4",
    "audio/aac",
    "audio/flac",
    "video/mp4",
    "video/webm",
    "video/ogg",
}


def chat_strings() -> dict[str, str]:
    """Texts the chat page's script shows, translated here (no JavaScript catalogue)."""
    return {
        **system_line_strings(),
        "edited": _("edited"),
        "deleted": _("Message deleted"),
        "deleted_user": _("Deleted user"),
        "you": _("You"),
        "file": _("File"),
        "typing": _("%(name)s is typing…"),
        "typing_many": _("Several people are typing…"),
        "queued": _("Waiting to be sent"),
        "sent": _("Sent"),
        "read": _("Read"),
        "read_by": _("Read: %(n)s"),
        "failed": _("Not sent"),
        "retry": _("Retry"),
        "discard": _("Discard"),
        "actions": _("Message actions"),
        "react": _("React"),
        "reply": _("Reply"),
        "edit": _("Edit"),
        "delete_me": _("Delete for me"),
        "delete_all": _("Delete for everyone"),
        "report": _("Report"),
        "replying_to": _("Replying to %(name)s"),
        "editing": _("Editing message"),
        "uploading": _("Uploading…"),
        "upload_failed": _("Could not upload %(name)s."),
        "too_large": _("%(name)s is larger than %(max)s MB."),
        "remove_file": _("Remove"),
        "removed": _("You are no longer a member of this group."),
        "left": _("You left this group."),
        "chat_deleted": _("This group was deleted."),
        "dialog_blocked": _("This dialog is no longer available: one of you blocked the other."),
        "members": _("Members: %(n)s"),
        "online": _("online"),
        "play_voice": _("Play voice message"),
        "play_circle": _("Play video message with sound"),
        "pause": _("Pause"),
        "position": _("Position"),
        "rec_unsupported": _("This browser cannot record here."),
        "rec_starting": _("Starting…"),
        "rec_no_mic": _("No microphone is available, or you did not allow the page to use it."),
        "rec_no_camera": _(
            "No camera or microphone is available, or you did not allow the page to use them."
        ),
        "rec_recording": _("Recording %(time)s"),
        "rec_too_short": _("The recording is too short."),
        "rec_ready": _("Recorded %(time)s. Listen, then send or discard."),
        "rec_preview": _("Recording preview"),
        "rec_failed": _("Could not send the recording."),
        "call_unsupported": _(
            "Calls need a browser with camera access and a secure (https) connection."
        ),
        "call_devices_ok": _("Your camera and microphone are available."),
        "call_no_camera": _("No camera found: the other person will only hear you."),
        "call_no_mic": _("No microphone found: the other person will see but not hear you."),
        "call_no_devices": _("No camera or microphone found: you cannot call from this device."),
        "call_no_access": _(
            "The page may not use your camera or microphone. Allow it and try again."
        ),
        "call_prepare": _("Call %(name)s?"),
        "call_calling": _("Calling %(name)s…"),
        "call_incoming": _("%(name)s is calling you"),
        "call_connecting": _("Connecting…"),
        "call_active": _("In a call with %(name)s"),
        "call_failed": _("The connection failed."),
        "call_no_answer": _("No answer."),
        "call_ended": _("Call ended (%(time)s)."),
        "call_cancelled": _("Call cancelled."),
        "call_finished": _("The call has ended."),
        "call_declined_by": _("%(name)s declined the call."),
        "call_missed_from": _("Missed call from %(name)s."),
        "call_screen_unavailable": _("Screen sharing is not available here."),
        "call_answered": _("Call, %(time)s"),
        "call_missed": _("Missed call"),
        "call_declined": _("Declined call"),
    }


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _json_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"error": detail}, status=status)


# -- list and dialogs -------------------------------------------------------------------------
@login_required
@require_GET
def chat_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    rows = selectors.chat_list_for(request.user, q=q)
    template = "chats/_chat_rows.html" if request.GET.get("partial") else "chats/list.html"
    return render(request, template, {"rows": rows, "q": q})


@login_required
@require_GET
def unread(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"total": selectors.unread_total(request.user)})


@login_required
@require_POST
def dialog_open(request: HttpRequest, username: str) -> HttpResponse:
    other = user_get_visible(request.user, username)
    try:
        chat = services.dialog_get_or_create(user=request.user, other=other)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("accounts:profile", username=username)
    return redirect("chats:detail", chat_id=chat.pk)


@login_required
@require_POST
def chat_hide(request: HttpRequest, chat_id: int) -> HttpResponse:
    chat = selectors.chat_get_for_user(request.user, chat_id)
    services.chat_hide(user=request.user, chat=chat)
    messages.success(request, _("The chat was deleted for you."))
    return redirect("chats:list")


@login_required
@require_POST
def chat_mute(request: HttpRequest, chat_id: int) -> HttpResponse:
    """Mute (`muted=1`) or unmute (`muted=0`) the chat's notifications for me."""
    chat = selectors.chat_get_for_user(request.user, chat_id)
    choice = request.POST.get("muted")
    if choice not in ("0", "1"):
        return HttpResponse(_("Choose whether to mute the chat."), status=400)
    services.chat_mute_set(user=request.user, chat=chat, muted=choice == "1")
    if choice == "1":
        messages.success(
            request, _("The chat is muted: its replies and mentions won't notify you.")
        )
    else:
        messages.success(request, _("The chat is no longer muted."))
    return redirect("chats:detail", chat_id=chat.pk)


# -- groups -----------------------------------------------------------------------------------
@login_required
def group_new(request: HttpRequest) -> HttpResponse:
    friends = selectors.addable_friends(request.user)
    form = GroupCreateForm(request.POST or None, friends=friends)
    if request.method == "POST" and form.is_valid():
        try:
            chat = services.group_create(
                owner=request.user,
                title=form.cleaned_data["title"],
                members=list(form.cleaned_data["members"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("chats:detail", chat_id=chat.pk)
    return render(request, "chats/group_new.html", {"form": form, "has_friends": friends.exists()})


def _group_for(request: HttpRequest, chat_id: int):
    chat = selectors.chat_get_for_user(request.user, chat_id)
    if not chat.is_group:
        raise Http404
    return chat


@login_required
@require_GET
def group_settings(request: HttpRequest, chat_id: int) -> HttpResponse:
    chat = _group_for(request, chat_id)
    return _render_settings(request, chat)


def _render_settings(request: HttpRequest, chat, **forms) -> HttpResponse:
    membership = chat.membership
    context = {
        "chat": chat,
        "membership": membership,
        "members": selectors.members_of(chat),
        "avatar_url": events.chat_avatar_url(chat),
        "rename_form": forms.get("rename_form") or GroupRenameForm(initial={"title": chat.title}),
        "avatar_form": forms.get("avatar_form") or GroupAvatarForm(),
        "add_form": forms.get("add_form")
        or MembersAddForm(friends=selectors.addable_friends(request.user, chat)),
        "remove_form": MemberRemoveForm(),
        "is_owner": membership.role == Membership.Role.OWNER,
    }
    status = 400 if forms else 200
    return render(request, "chats/group_settings.html", context, status=status)


def _apply(request: HttpRequest, chat, action, success: str, **kwargs) -> HttpResponse | None:
    """Run a group service; on a refusal flash the reason. Returns a redirect to settings."""
    try:
        action(actor=request.user, chat=chat, **kwargs)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except services.Forbidden as exc:
        messages.error(request, str(exc))
        return HttpResponse(status=403, content=str(exc))
    else:
        messages.success(request, success)
    return redirect("chats:settings", chat_id=chat.pk)


@login_required
@require_POST
def group_rename(request: HttpRequest, chat_id: int) -> HttpResponse:
    chat = _group_for(request, chat_id)
    form = GroupRenameForm(request.POST)
    if not form.is_valid():
        return _render_settings(request, chat, rename_form=form)
    return _apply(
        request, chat, services.group_rename, _("Group renamed."), title=form.cleaned_data["title"]
    )


@login_required
@require_POST
def group_avatar(request: HttpRequest, chat_id: int) -> HttpResponse:
    chat = _group_for(request, chat_id)
    if request.POST.get("remove"):
        return _apply(
            request, chat, services.group_avatar_set, _("Group photo removed."), upload=None
        )
    form = GroupAvatarForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_settings(request, chat, avatar_form=form)
    return _apply(
        request,
        chat,
        services.group_avatar_set,
        _("Group photo changed."),
        upload=form.cleaned_data["avatar"],
    )


@login_required
@require_POST
def group_members_add(request: HttpRequest, chat_id: int) -> HttpResponse:
    chat = _group_for(request, chat_id)
    form = MembersAddForm(request.POST, friends=selectors.addable_friends(request.user, chat))
    if not form.is_valid():
        return _render_settings(request, chat, add_form=form)
    try:
        return _apply(
            request,
            chat,
            services.chat_members_add,
            _("Members added."),
            users=list(form.cleaned_data["members"]),
        )
    except services.Blocked as exc:
        messages.error(request, str(exc))
        return redirect("chats:settings", chat_id=chat.pk)


def _member_user(chat, user_id: int) -> User:
    return selectors.member_get(chat, user_id=user_id).user


@login_required
@require_POST
def group_member_remove(request: HttpRequest, chat_id: int, user_id: int) -> HttpResponse:
    chat = _group_for(request, chat_id)
    form = MemberRemoveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _apply(
        request,
        chat,
        services.chat_member_remove,
        _("Member removed."),
        user=_member_user(chat, user_id),
        reason=reason,
    )


@login_required
@require_POST
def group_member_role(request: HttpRequest, chat_id: int, user_id: int) -> HttpResponse:
    chat = _group_for(request, chat_id)
    role = request.POST.get("role", "")
    return _apply(
        request,
        chat,
        services.chat_member_set_role,
        _("Role changed."),
        user=_member_user(chat, user_id),
        role=role,
    )


@login_required
@require_POST
def group_leave(request: HttpRequest, chat_id: int) -> HttpResponse:
    chat = _group_for(request, chat_id)
    services.chat_leave(user=request.user, chat=chat)
    messages.success(request, _("You left the group."))
    return redirect("chats:list")


@login_required
@require_POST
def group_delete(request: HttpRequest, chat_id: int) -> HttpResponse:
    chat = _group_for(request, chat_id)
    try:
        services.group_delete(actor=request.user, chat=chat)
    except services.Forbidden as exc:
        return HttpResponse(status=403, content=str(exc))
    messages.success(request, _("The group was deleted."))
    return redirect("chats:list")


@login_required
@require_GET
def audit_log(request: HttpRequest, chat_id: int) -> HttpResponse:
    chat = _group_for(request, chat_id)
    entries = selectors.audit_log_for(request.user, chat)
    return render(request, "chats/audit_log.html", {"chat": chat, "entries": entries})


# -- one chat ---------------------------------------------------------------------------------
@login_required
@require_GET
def chat_detail(request: HttpRequest, chat_id: int) -> HttpResponse:
    chat = selectors.chat_get_for_user(request.user, chat_id)
    page = selectors.history_page(request.user, chat)
    if chat.is_group:
        members = selectors.members_of(chat)
        partner = None
        title, avatar_url = chat.title, events.chat_avatar_url(chat)
    else:
        partner = selectors.dialog_partner(chat, request.user)
        members = list(Membership.objects.filter(chat=chat).select_related("user"))
        title = partner.display_name if partner else str(chat)
        avatar_url = partner.avatar_url if partner else None
    blocked = not chat.is_group and selectors.dialog_blocked(chat, request.user)
    partner_online = partner is not None and partner.pk in online_user_ids([partner.pk])
    state = {
        "chat": {**events.chat_payload(chat), "title": title, "avatar": avatar_url},
        "me": request.user.pk,
        "role": chat.membership.role,
        "last_seq": chat.last_seq,
        "last_read_seq": chat.membership.last_read_seq,
        "read": {str(m.user_id): m.last_read_seq for m in members},
        "members": {str(m.user_id): {**events.user_ref(m.user), "role": m.role} for m in members},
        "messages": [events.message_payload(m, floor=chat.membership.cleared_seq) for m in page],
        "has_more": len(page) == selectors.HISTORY_PAGE and page[0].seq > 1,
        "blocked": blocked,
        "partner": partner.pk if partner else None,
        "partner_online": partner_online,
        "upload_max_bytes": settings.UPLOAD_MAX_BYTES,
        "ice_servers": settings.ICE_SERVERS,
        "urls": {
            "history": reverse("chats:history", args=[chat.pk]),
            "upload": reverse("chats:upload", args=[chat.pk]),
            "edits": reverse("chats:edits", args=[0]),
            "report": reverse("moderation:report", args=["message", 0]),
        },
    }
    return render(
        request,
        "chats/detail.html",
        {
            "chat": chat,
            "title": title,
            "avatar_url": avatar_url,
            "partner": partner,
            "state": state,
            "strings": chat_strings(),
            "blocked": blocked,
            "emoji_categories": emoji.picker(),
            "sticker_packs": selectors.sticker_packs(),
            "member_count": len(members),
        },
    )


@login_required
@require_GET
def history(request: HttpRequest, chat_id: int) -> JsonResponse:
    chat = selectors.chat_get_for_user(request.user, chat_id)
    try:
        before = int(request.GET["before"]) if "before" in request.GET else None
        limit = int(request.GET.get("limit", selectors.HISTORY_PAGE))
    except ValueError:
        return _json_error(_("before and limit must be numbers."), 400)
    page = selectors.history_page(request.user, chat, before=before, limit=limit)
    return JsonResponse(
        {
            "messages": [
                events.message_payload(m, floor=chat.membership.cleared_seq) for m in page
            ],
            "has_more": bool(page)
            and len(page) >= min(limit, selectors.HISTORY_PAGE_MAX)
            and page[0].seq > 1,
        }
    )


@login_required
@require_GET
def message_edits(request: HttpRequest, message_id: int) -> JsonResponse:
    message, edits = selectors.message_edits(request.user, message_id)
    return JsonResponse(
        {
            "message": message.pk,
            "text": message.text,
            "edited_at": message.edited_at.isoformat() if message.edited_at else None,
            "edits": [{"text": e.text, "edited_at": e.edited_at.isoformat()} for e in edits],
        }
    )


# -- files ------------------------------------------------------------------------------------
@login_required
@require_POST
def attachment_upload(request: HttpRequest, chat_id: int) -> JsonResponse:
    chat = selectors.chat_get_for_user(request.user, chat_id)
    limit = settings.UPLOAD_MAX_BYTES
    # Refuse what is announced as too large before reading it (the service checks again).
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        return _json_error(
            _("The file is larger than %(max)s MB.") % {"max": limit // (1024 * 1024)}, 413
        )
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        if "file" in form.errors:
            return _json_error(_("Choose a file to upload."), 400)
        return _json_error(" ".join(e for errors in form.errors.values() for e in errors), 400)
    upload = form.cleaned_data["file"]
    try:
        if form.cleaned_data["kind"]:
            attachment = services.recording_create(
                uploader=request.user,
                chat=chat,
                upload=upload,
                kind=form.cleaned_data["kind"],
                content_type=upload.content_type or "",
                duration=form.cleaned_data["duration"],
                waveform=form.cleaned_data["waveform"],
            )
        else:
            attachment = services.attachment_create(uploader=request.user, chat=chat, upload=upload)
    except services.Blocked as exc:
        return _json_error(str(exc), 403)
    except ValidationError as exc:
        status = 413 if getattr(exc, "code", "") == "too_large" else 400
        return _json_error(_error_text(exc), status)
    return JsonResponse(events.attachment_payload(attachment), status=201)


@session_or_token
@login_required
@require_GET
def attachment_file(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    attachment = selectors.attachment_get_for_user(request.user, attachment_id)
    inline = attachment.content_type in INLINE_TYPES and request.GET.get("download") is None
    return serve_private_file(
        attachment.file.name,
        content_type=attachment.content_type,
        filename=attachment.name,
        inline=inline,
        range_header=request.headers.get("Range", ""),
    )


@session_or_token
@login_required
@require_GET
def attachment_thumb(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    attachment = selectors.attachment_get_for_user(request.user, attachment_id)
    if attachment.kind != Attachment.Kind.IMAGE:
        raise Http404
    if not attachment.thumbnail:  # the thumbnail task has not run yet: the image itself
        return serve_private_file(
            attachment.file.name,
            content_type=attachment.content_type,
            filename=attachment.name,
            inline=True,
        )
    return serve_private_file(
        attachment.thumbnail.name, content_type="image/webp", filename="thumb.webp", inline=True
    )


@login_required
@require_GET
def sticker_image(request: HttpRequest, sticker_id: int) -> HttpResponseBase:
    """A sticker's picture (any signed-in person: stickers are not private)."""
    sticker = selectors.sticker_get(sticker_id)
    response = serve_private_file(
        sticker.image.name, content_type="image/webp", filename="sticker.webp", inline=True
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_GET
def chat_avatar(request: HttpRequest, chat_id: int) -> HttpResponseBase:
    chat = selectors.chat_get_for_user(request.user, chat_id)
    if not chat.avatar:
        raise Http404
    return serve_private_file(
        chat.avatar.name, content_type="image/webp", filename="avatar.webp", inline=True
    )
