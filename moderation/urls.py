from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("report/<slug:kind>/<int:object_id>/", views.report, name="report"),
]
