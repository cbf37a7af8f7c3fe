from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = _("Social")

    def ready(self) -> None:
        from accounts.demo import DEMO_STEPS
        from social import demo, search

        DEMO_STEPS.append(demo.seed)
        search.connect_signals()
