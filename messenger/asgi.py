"""ASGI entry point: HTTP through Django; /ws/ through the session cookie and the origin check,
or an API bearer token (messenger/realtime/auth.py)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "messenger.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from messenger.realtime.auth import SocketAuthMiddleware  # noqa: E402
from messenger.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SocketAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)

# Everything loaded so far (Django, the apps, their modules) lives as long as the process:
# moved out of the collector's generations, it is no longer walked by every full collection.
# Under a burst of sends those collections were the worst latencies of a worker (bench/).
gc.freeze()
