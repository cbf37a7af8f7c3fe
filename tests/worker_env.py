"""Loaded first (`-p tests.worker_env` in pyproject.toml), before Django reads its settings.

Under pytest-xdist each worker has its own test database (pytest-django adds the worker id to
its name); this gives each its own Redis too, so one worker never sees another's events,
presence counts, rate limits or task queues: its own key and channel prefix (pub/sub channels
are shared by every Redis database), and its own Redis database, since the tests' cache.clear()
empties the whole database it uses. Servers a worker starts inherit the environment.
"""

import os
import re

worker = os.environ.get("PYTEST_XDIST_WORKER")
if worker:
    os.environ["REDIS_PREFIX"] = f"{os.environ.get('REDIS_PREFIX', 'beseda')}-test-{worker}"
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        # redis://host:port[/db]: worker gwN uses database db + 1 + N (of Redis's 16).
        match = re.fullmatch(r"(redis://[^/]+)(?:/(\d+))?", redis_url)
        if match:
            base = int(match.group(2) or 0)
            number = base + 1 + int(re.sub(r"\D", "", worker) or 0)
            os.environ["REDIS_URL"] = f"{match.group(1)}/{number}"
