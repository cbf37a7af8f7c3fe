"""Moderation of chats in the Django admin. Changes go through the services (so they are
numbered, audited and published like any other); history rows are read-only here."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chats import services
from chats.models import (
    Attachment,
    AuditLog,
    Chat,
    ChatEvent,
    Membership,
    Message,
    MessageEdit,
    MessageHide,
    Reaction,
    Sticker,
    StickerPack,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "joined_at", "last_read_seq", "hidden")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Chat)
class ChatAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "title", "last_seq", "last_activity_at", "created_at")
    list_filter = ("kind", "created_at")
    date_hierarchy = "created_at"
    search_fields = ("title", "memberships__user__username")
    readonly_fields = ("kind", "title", "created_by", "created_at", "last_seq", "last_activity_at")
    exclude = ("avatar", "last_message")
    inlines = [MembershipInline]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "chat",
        "seq",
        "sender",
        "short_text",
        "created_at",
        "edited_at",
        "deleted",
    )
    list_filter = ("chat__kind", ("deleted_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("text", "sender__username")
    date_hierarchy = "created_at"
    list_select_related = ("chat", "sender")
    readonly_fields = ("chat", "seq", "sender", "text", "reply_to", "created_at", "edited_at")
    exclude = ("client_id", "deleted_at")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Rows stay as tombstones so chat numbering holds; use the action instead.
        return False

    @admin.display(description=_("text"))
    def short_text(self, obj: Message) -> str:
        return obj.text[:80]

    @admin.display(boolean=True, description=_("deleted"))
    def deleted(self, obj: Message) -> bool:
        return obj.is_deleted


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "chat", "actor", "action", "target_user", "reason")
    list_filter = ("action", "created_at")
    date_hierarchy = "created_at"
    search_fields = ("chat__title", "actor__username", "target_user__username", "reason")
    list_select_related = ("chat", "actor", "target_user")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "kind", "size", "chat", "uploader", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "uploader__username")
    list_select_related = ("chat", "uploader")
    exclude = ("file", "thumbnail")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StickerForm(forms.ModelForm):
    """A newly chosen picture is checked and re-encoded (WebP with transparency) before saving."""

    class Meta:
        model = Sticker
        fields = ("pack", "image", "name", "ordering")

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if (
            image
            and image is not getattr(self.instance, "image", None)
            and "image" in self.changed_data
        ):
            try:
                return services.sticker_image(image)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return image


class StickerInline(admin.TabularInline):
    model = Sticker
    form = StickerForm
    extra = 3


@admin.register(StickerPack)
class StickerPackAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "ordering", "is_active")
    list_editable = ("ordering", "is_active")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [StickerInline]


# -- the rest of a chat's history, read-only (written only by chats.services) ----------------
class HistoryAdmin(ReadOnlyAdmin):
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ("chat", "user", "role", "joined_at", "last_read_seq", "hidden")
    list_filter = ("role", "chat__kind", "hidden")
    search_fields = ("chat__title", "user__username")
    list_select_related = ("chat", "user")


@admin.register(MessageEdit)
class MessageEditAdmin(HistoryAdmin):
    list_display = ("message", "edited_at", "text")
    search_fields = ("text", "message__sender__username")
    list_select_related = ("message",)
    date_hierarchy = "edited_at"


@admin.register(Reaction)
class ReactionAdmin(HistoryAdmin):
    list_display = ("message", "user", "emoji", "created_at")
    search_fields = ("user__username",)
    list_select_related = ("message", "user")


@admin.register(MessageHide)
class MessageHideAdmin(HistoryAdmin):
    list_display = ("message", "user")
    search_fields = ("user__username",)
    list_select_related = ("message", "user")


@admin.register(ChatEvent)
class ChatEventAdmin(HistoryAdmin):
    list_display = ("chat", "seq", "type", "actor", "target", "message", "created_at")
    list_filter = ("type", "created_at")
    search_fields = ("chat__title", "actor__username", "target__username")
    list_select_related = ("chat", "actor", "target", "message")
    date_hierarchy = "created_at"


@admin.register(Sticker)
class StickerAdmin(admin.ModelAdmin):
    form = StickerForm
    list_display = ("name", "pack", "ordering")
    list_filter = ("pack",)
    search_fields = ("name", "pack__title")
    list_select_related = ("pack",)
