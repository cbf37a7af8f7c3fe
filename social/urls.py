from django.urls import path

from social import views

app_name = "social"

urlpatterns = [
    path("", views.feed, name="feed"),
    path("friends/", views.friends, name="friends"),
    path("search/", views.search, name="search"),
    path("board/", views.board, name="board"),
]
