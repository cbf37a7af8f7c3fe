"""Root URL map. Each app owns its URLs; the API is mounted under /api/v1/."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from messenger import views
from messenger.api import api

urlpatterns = [
    path("", include("social.urls")),
    path("", include("accounts.urls")),
    path("chats/", include("chats.urls")),
    path("", include("exports.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("moderation.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]

if settings.SERVE_MEDIA:
    # Only the public folders (views.public_media checks the resolved path): chat files,
    # exports and post photos go through their apps' permission-checked views.
    urlpatterns += [re_path(r"^media/(?P<path>.+)$", views.public_media)]
