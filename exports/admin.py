"""Operators see who asked for which export and how it went; the archives themselves are
the requester's alone, so the admin neither shows the file nor lets anyone change a row."""

from django.contrib import admin

from exports.models import DataExport


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    list_display = ["id", "requester", "kind", "chat_id", "state", "progress", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["requester__username"]
    exclude = ["file"]
    readonly_fields = [
        "requester",
        "kind",
        "chat",
        "chat_title",
        "state",
        "progress",
        "size",
        "error",
        "language",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
