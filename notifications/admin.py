"""Notifications in the Django admin: read-only, for looking into a person's complaint."""

from django.contrib import admin

from notifications.models import Notification, NotificationSettings


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "recipient", "kind", "actor", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("recipient__username", "actor__username")
    raw_id_fields = ("recipient", "actor", "post", "comment", "chat", "message")
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "email_digest")
    raw_id_fields = ("user",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False
