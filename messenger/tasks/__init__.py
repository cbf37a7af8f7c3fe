"""Background work on django-tasks: the kit every app's `<app>/tasks.py` uses.

kit.py        enqueue after commit, retry with backoff
schedule.py   periodic jobs apps register, run by the self-renewing `housekeeping` task
admin.py      queued / running / failed tasks in the admin, with "retry" for failed ones
management/commands/tasks_worker.py   one command for a worker of either backend
"""
