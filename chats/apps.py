from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = _("Chats")

    def ready(self) -> None:
        # Registers the chat frame handlers on the realtime consumer.
        from chats import calls, consumers, tasks  # noqa: F401
        from messenger.tasks import schedule

        if settings.STALE_UPLOAD_HOURS:
            schedule.register(
                "chats.discard_stale_uploads", tasks.discard_stale_uploads, every=3600
            )
