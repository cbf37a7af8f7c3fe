from django.urls import path

from social import views

app_name = "social"

urlpatterns = [
    path("", views.feed, name="feed"),
    path("friends/", views.friends, name="friends"),
    path("friends/requests/count/", views.friend_request_count, name="friend_request_count"),
    path("friends/<str:username>/<slug:action>/", views.friend_action, name="friend_action"),
    path("search/", views.search, name="search"),
    path("u/<str:username>/wall/", views.wall, name="wall"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:post_id>/", views.post_detail, name="post"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:post_id>/like/", views.post_like, name="post_like"),
    path("posts/<int:post_id>/likes/", views.post_likes, name="post_likes"),
    path("posts/<int:post_id>/comments/", views.comment_create, name="comment_create"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("posts/<int:post_id>/photos/<int:photo_id>/", views.post_photo, name="post_photo"),
    path(
        "posts/<int:post_id>/photos/<int:photo_id>/thumb/",
        views.post_photo_thumb,
        name="post_photo_thumb",
    ),
    path("comments/<int:comment_id>/photo/", views.comment_photo, name="comment_photo"),
    path(
        "comments/<int:comment_id>/photo/thumb/",
        views.comment_photo_thumb,
        name="comment_photo_thumb",
    ),
    path("board/", views.board, name="board"),
]

urlpatterns += [
    path("board/new/", views.topic_create, name="topic_create"),
    path("board/<int:topic_id>/", views.topic_detail, name="topic"),
    path("board/<int:topic_id>/reply/", views.reply_create, name="reply_create"),
    path("board/<int:topic_id>/delete/", views.topic_delete, name="topic_delete"),
    path("board/replies/<int:reply_id>/delete/", views.reply_delete, name="reply_delete"),
]
