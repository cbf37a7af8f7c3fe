from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Data exports")

    def ready(self) -> None:
        from exports import tasks
        from messenger.tasks import schedule

        schedule.register(
            "exports.recover", tasks.recover_exports, every=settings.EXPORT_LEASE_SECONDS / 2
        )
        schedule.register("exports.purge", tasks.purge_exports, every=3600)
