from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from messenger.tasks import schedule
        from notifications import tasks

        if settings.DIGEST_HOURS:
            schedule.register(
                "notifications.send_digests", tasks.send_digests, every=settings.DIGEST_HOURS * 3600
            )
