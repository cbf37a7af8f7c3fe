from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = _("Chats")

    def ready(self) -> None:
        # calls and consumers register the chat frame handlers on the realtime consumer.
        from accounts import hooks as account_hooks
        from accounts.demo import DEMO_STEPS
        from chats import blocks, calls, consumers, demo, tasks  # noqa: F401
        from messenger.tasks import schedule

        DEMO_STEPS.append(demo.seed)
        account_hooks.block_created.connect(blocks.dialog_end_on_block)
        if settings.STALE_UPLOAD_HOURS:
            schedule.register(
                "chats.discard_stale_uploads", tasks.discard_stale_uploads, every=3600
            )
