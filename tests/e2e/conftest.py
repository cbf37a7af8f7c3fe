"""Browser tests only: Django's async-safety check is relaxed here and nowhere else.

Playwright's sync API runs an event loop in the test thread for the rest of the session; the
ORM calls these tests make from that thread (factories, assertions, the database flush) are
still synchronous and safe, but Django's check cannot tell. tests/conftest.py orders browser
tests last, so this session fixture is first set up by the first browser test and relaxes the
check for browser tests (and the session teardown after them) only: every socket and consumer
test before them runs with the check on.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright_loop():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
