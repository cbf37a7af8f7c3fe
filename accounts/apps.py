from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import receivers, services, tasks  # noqa: F401
        from messenger.realtime import lifecycle
        from messenger.tasks import schedule

        lifecycle.connected.connect(services.presence_connected)
        lifecycle.disconnected.connect(services.presence_disconnected)

        if settings.UNVERIFIED_ACCOUNT_DAYS:
            schedule.register("accounts.purge_unverified", tasks.purge_unverified, every=86400)
