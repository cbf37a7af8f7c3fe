"""WebSocket URL map: one socket per tab at /ws/."""

from django.urls import path

from messenger.realtime.consumer import RealtimeConsumer

websocket_urlpatterns = [
    path("ws/", RealtimeConsumer.as_asgi()),
]
