"""Run a task worker for the configured backend, with the housekeeping chain ensured."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from messenger.tasks.reaper import heartbeat_start, worker_id_new
from messenger.tasks.schedule import housekeeping_ensure


class Command(BaseCommand):
    help = (
        "Run background tasks: the database backend's db_worker or an RQ worker with its "
        "scheduler, as TASKS_BACKEND says; starts the periodic-jobs chain if none is alive."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="RQ only: do not run the scheduler of delayed tasks in this worker",
        )

    def handle(self, *args, no_scheduler: bool, verbosity: int, **options) -> None:
        backend = settings.TASKS_BACKEND
        if backend == "immediate":
            raise CommandError("TASKS_BACKEND=immediate runs tasks in place; no worker needed")
        housekeeping_ensure()
        if backend == "database":
            # No autoreload: the chain's token lives in this process's cache in the embedded
            # mode, so the tasks must run here, not in a reloader's child.
            worker_id = worker_id_new()
            heartbeat_start(worker_id)  # so the reaper can tell this worker's tasks are alive
            call_command(
                "db_worker",
                "--no-reload",
                "--queue-name",
                "default",
                "--worker-id",
                worker_id,
                verbosity=verbosity,
            )
        else:
            rq_args = ["default", "--job-class", "django_tasks_rq.backend.Job"]
            if not no_scheduler:
                rq_args.append("--with-scheduler")
            call_command("rqworker", *rq_args, verbosity=verbosity)
