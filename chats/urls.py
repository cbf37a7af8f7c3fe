from django.urls import path

from chats import views

app_name = "chats"

urlpatterns = [
    path("", views.chat_list, name="list"),
]
