from django.urls import path

from social import views

app_name = "social"

urlpatterns = [
    path("", views.feed, name="feed"),
    path("friends/", views.friends, name="friends"),
    path("friends/requests/count/", views.friend_request_count, name="friend_request_count"),
    path(
        "friends/<str:username>/<slug:action>/",
        views.friend_action,
        name="friend_action",
    ),
    path("search/", views.search, name="search"),
    path("u/<str:username>/wall/", views.wall, name="wall"),
    path("board/", views.board, name="board"),
]
