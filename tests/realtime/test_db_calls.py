"""Socket code's database calls (messenger/realtime/db.py): context, and broken connections."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection
from django.utils import translation

from messenger.realtime import db as realtime_db
from messenger.realtime.db import db


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


async def _terminate_elsewhere(pid: int) -> None:
    def terminate() -> None:
        try:
            _terminate(pid)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as other:
        await asyncio.get_running_loop().run_in_executor(other, terminate)


pytestmark = pytest.mark.asyncio


@pytest.mark.django_db(transaction=True)
async def test_call_runs_in_the_callers_language():
    """A socket call sees the language active where it was made (its context is copied)."""
    with translation.override("ru"):
        assert await db(translation.get_language)() == "ru"
    with translation.override("en"):
        assert await db(translation.get_language)() == "en"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a PostgreSQL backend")
@pytest.mark.django_db(transaction=True)
async def test_a_broken_connection_fails_one_call_and_is_replaced(monkeypatch):
    """The database dropping a socket thread's connection costs at most the call that finds
    out; the next call gets a new connection. After an idle spell the check comes first and
    no call fails."""
    # One pool thread, so every call meets the same connection.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(1))
    monkeypatch.setattr(realtime_db, "TIDY_SECONDS", 3600.0)
    first = await db(_backend_pid)()
    # From a connection of another thread (not the pool's one), as a database restart would;
    # the ORM stays off the event loop (Django's async-safety check).
    await _terminate_elsewhere(first)
    with pytest.raises(OperationalError):
        await db(_backend_pid)()
    second = await db(_backend_pid)()
    assert second != first

    monkeypatch.setattr(realtime_db, "TIDY_SECONDS", 0.05)
    await asyncio.sleep(0.1)
    await db(_backend_pid)()  # tidies: the next use is health-checked
    await _terminate_elsewhere(second)
    await asyncio.sleep(0.1)
    third = await db(_backend_pid)()
    assert third not in (first, second)
