"""Django admin for users, blocks and avatars. The admin login goes through allauth.

Moderation adds its actions (warn, suspend, ban, lift) to UserAdmin in moderation/admin.py."""

from allauth.account.decorators import secure_admin_login
from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.models import Avatar, Block, User

# The admin's own login form would bypass allauth's rate limits, verification and MFA.
admin.site.login = secure_admin_login(admin.site.login)


def _verified_email():
    return Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True))


class VerifiedEmailFilter(admin.SimpleListFilter):
    title = _("verified email")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_verified_email=True)
        if self.value() == "no":
            return queryset.filter(has_verified_email=False)
        return queryset


class SuspendedFilter(admin.SimpleListFilter):
    title = _("suspended now")
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(suspended_until__gt=now)
        if self.value() == "no":
            return queryset.exclude(suspended_until__gt=now)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "verified",
        "is_active",
        "suspension",
        "is_staff",
        "date_joined",
        "last_seen",
    )
    list_filter = (
        VerifiedEmailFilter,
        SuspendedFilter,
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
    )
    search_fields = ("username", "email", "first_name", "last_name")
    ordering = ("-date_joined",)
    actions = ["deactivate"]
    raw_id_fields = ("current_avatar",)
    readonly_fields = ("last_seen", "last_login", "date_joined", "suspended_until")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Profile"),
            {
                "fields": (
                    "bio",
                    "gender",
                    ("birth_day", "birth_month", "birth_year"),
                    "birth_date_visibility",
                    "current_avatar",
                    "last_seen",
                )
            },
        ),
        (_("Moderation"), {"fields": ("suspended_until",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(has_verified_email=_verified_email())

    @admin.display(description=_("suspended until"), ordering="suspended_until")
    def suspension(self, user: User) -> str:
        if not user.is_suspended:
            return "—"
        if user.is_banned:
            return _("banned, no end date")
        return date_format(timezone.localtime(user.suspended_until), "DATETIME_FORMAT")

    @admin.display(boolean=True, description=_("verified email"), ordering="has_verified_email")
    def verified(self, user: User) -> bool:
        return user.has_verified_email

    @admin.action(description=_("Deactivate (sign out everywhere)"), permissions=["change"])
    def deactivate(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                services.user_deactivate(user=user, by=request.user)
            except PermissionDenied:
                self.message_user(
                    request,
                    _("%(user)s was not deactivated: you cannot deactivate yourself.")
                    % {"user": user},
                    messages.WARNING,
                )
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", done)
            % {"count": done},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            # Through the service, so their sessions and sockets end as well.
            obj.is_active = True
            super().save_model(request, obj, form, change)
            services.user_deactivate(user=obj, by=request.user)
        else:
            super().save_model(request, obj, form, change)


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    search_fields = ("blocker__username", "blocked__username")
    list_select_related = ("blocker", "blocked")
    date_hierarchy = "created_at"
    autocomplete_fields = ("blocker", "blocked")


@admin.register(Avatar)
class AvatarAdmin(admin.ModelAdmin):
    list_display = ("preview", "user", "created_at")
    search_fields = ("user__username",)
    autocomplete_fields = ("user",)
    list_select_related = ("user",)
    readonly_fields = ("preview", "user", "image", "thumbnail", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False  # avatars come from the upload form, which crops and re-encodes

    @admin.display(description=_("picture"))
    def preview(self, avatar: Avatar) -> str:
        return format_html(
            '<img src="{}" alt="" width="48" height="48" style="border-radius:50%">',
            avatar.small_url,
        )

    def delete_model(self, request, obj) -> None:
        # Through the service: the files go and the owner's current picture is updated.
        services.avatar_delete(user=obj.user, avatar_id=obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        for avatar in queryset.select_related("user"):
            services.avatar_delete(user=avatar.user, avatar_id=avatar.pk)
