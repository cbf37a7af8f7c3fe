from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("settings/export/", views.export_page, name="page"),
    path("settings/export/account/", views.export_account, name="account"),
    path("settings/export/chat/<int:chat_id>/", views.export_chat, name="chat"),
    path("settings/export/<int:export_id>/", views.export_status, name="status"),
    path("settings/export/<int:export_id>/download/", views.export_download, name="download"),
]
