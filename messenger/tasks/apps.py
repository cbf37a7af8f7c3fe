from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class BackgroundTasksConfig(AppConfig):
    name = "messenger.tasks"
    label = "background"
    verbose_name = _("Background tasks")

    def ready(self) -> None:
        from messenger.tasks import reaper, schedule

        # Rows of the database backend only (RQ fails a dead worker's jobs itself); one
        # query when there are none.
        every = min(settings.TASKS_LOST_AFTER_SECONDS, 300)
        schedule.register("tasks.reap_lost", reaper.reap_lost_tasks, every=every)
