from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackgroundTasksConfig(AppConfig):
    name = "messenger.tasks"
    label = "background"
    verbose_name = _("Background tasks")
