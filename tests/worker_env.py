"""Loaded first (`-p tests.worker_env` in pyproject.toml), before Django reads its settings.

Under pytest-xdist each worker has its own test database (pytest-django adds the worker id to
its name); this gives each its own Redis prefix too, so one worker's events, presence and
rate limits never reach another's sockets. Servers a worker starts inherit the environment.
"""

import os

worker = os.environ.get("PYTEST_XDIST_WORKER")
if worker:
    os.environ["REDIS_PREFIX"] = f"{os.environ.get('REDIS_PREFIX', 'beseda')}-test-{worker}"
