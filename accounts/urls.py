from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("u/<str:username>/", views.profile, name="profile"),
    path("u/<str:username>/block/", views.block, name="block"),
    path("u/<str:username>/unblock/", views.unblock, name="unblock"),
    path("settings/profile/", views.profile_edit, name="profile_edit"),
    path("settings/avatar/", views.avatar_upload, name="avatar_upload"),
    path("settings/avatar/<int:avatar_id>/use/", views.avatar_use, name="avatar_use"),
    path("settings/avatar/<int:avatar_id>/delete/", views.avatar_delete, name="avatar_delete"),
    path("settings/blocked/", views.blocked, name="blocked"),
    path("settings/delete/", views.delete_account, name="delete"),
]
