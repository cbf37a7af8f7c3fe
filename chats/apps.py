from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = _("Chats")

    def ready(self) -> None:
        # calls and consumers register the chat frame handlers on the realtime consumer.
        from accounts.demo import DEMO_STEPS
        from chats import calls, consumers, demo  # noqa: F401

        DEMO_STEPS.append(demo.seed)
