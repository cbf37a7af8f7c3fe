from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = _("Social")

    def ready(self) -> None:
        from accounts.demo import DEMO_STEPS
        from messenger import search
        from social import demo

        DEMO_STEPS.append(demo.seed)
        search.connect_signals()
