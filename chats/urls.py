from django.urls import path

from chats import views

app_name = "chats"

urlpatterns = [
    path("", views.chat_list, name="list"),
    path("unread/", views.unread, name="unread"),
    path("new/", views.group_new, name="group_new"),
    path("dialog/<str:username>/", views.dialog_open, name="dialog_open"),
    path("<int:chat_id>/", views.chat_detail, name="detail"),
    path("<int:chat_id>/history/", views.history, name="history"),
    path("<int:chat_id>/hide/", views.chat_hide, name="hide"),
    path("<int:chat_id>/mute/", views.chat_mute, name="mute"),
    path("<int:chat_id>/attachments/", views.attachment_upload, name="upload"),
    path("<int:chat_id>/avatar/", views.chat_avatar, name="avatar"),
    path("<int:chat_id>/settings/", views.group_settings, name="settings"),
    path("<int:chat_id>/settings/rename/", views.group_rename, name="rename"),
    path("<int:chat_id>/settings/photo/", views.group_avatar, name="set_avatar"),
    path("<int:chat_id>/settings/members/", views.group_members_add, name="members_add"),
    path(
        "<int:chat_id>/settings/members/<int:user_id>/remove/",
        views.group_member_remove,
        name="member_remove",
    ),
    path(
        "<int:chat_id>/settings/members/<int:user_id>/role/",
        views.group_member_role,
        name="member_role",
    ),
    path("<int:chat_id>/leave/", views.group_leave, name="leave"),
    path("<int:chat_id>/delete/", views.group_delete, name="delete"),
    path("<int:chat_id>/audit/", views.audit_log, name="audit"),
    path("messages/<int:message_id>/edits/", views.message_edits, name="edits"),
    path("files/<int:attachment_id>/", views.attachment_file, name="file"),
    path("files/<int:attachment_id>/thumb/", views.attachment_thumb, name="thumb"),
    path("stickers/<int:sticker_id>/", views.sticker_image, name="sticker"),
]
