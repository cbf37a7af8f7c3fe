"""Queued, running and failed tasks of the database backend in the admin, with "retry".

django-tasks-db registers a read-only list of its task results; this replaces it with one that
also lets moderators and operators (with `django_tasks_database.change_dbtaskresult`) enqueue a
failed task again. With RQ, the same people use django-rq's dashboard in the admin
(/admin/django_rq/dashboard/), whose failed-jobs page has "Requeue".
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from messenger.tasks.kit import enqueue

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    actions = ["retry"]
    list_display = (*DBTaskResultAdmin.list_display, "run_after")

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("django_tasks_database.change_dbtaskresult")

    @admin.action(description=_("Retry the selected failed tasks"), permissions=["retry"])
    def retry(self, request, queryset) -> None:
        retried = 0
        for result in queryset.filter(status=TaskResultStatus.FAILED):
            task = import_string(result.task_path)
            kwargs = dict(result.args_kwargs["kwargs"])
            if "attempt" in kwargs:
                kwargs["attempt"] = 1  # a fresh set of retries with backoff
            enqueue(task.using(backend=result.backend_name), *result.args_kwargs["args"], **kwargs)
            retried += 1
        self.message_user(
            request,
            ngettext("%(count)d task enqueued again.", "%(count)d tasks enqueued again.", retried)
            % {"count": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )
