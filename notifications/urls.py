from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("count/", views.notification_count, name="count"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("settings/", views.notification_settings, name="settings"),
    path("<int:notification_id>/read/", views.notification_read, name="read"),
]
