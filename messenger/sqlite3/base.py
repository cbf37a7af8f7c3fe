"""Django's SQLite backend with one writer at a time per process, queued on a Python lock.

SQLite allows one write transaction at a time. A thread that finds it taken waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10 ... up to 100 ms between retries: under a
burst of sends from the socket thread pool most of the latency was those sleeps, not work.
Threads of this process now queue on a lock that wakes the next one the moment the writer
commits. Other processes (a second worker, manage.py) still meet SQLite's own busy timeout,
and a thread that waited the whole timeout on the lock falls back to it too.
"""

from __future__ import annotations

import threading

from django.db.backends.sqlite3 import base

_writer = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    holds_writer = False

    def _start_transaction_under_autocommit(self) -> None:
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        self.holds_writer = _writer.acquire(timeout=timeout)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self.holds_writer:
            self.holds_writer = False
            _writer.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
