"""Fixtures of the realtime tests."""

from __future__ import annotations

import pytest

from tests.realtime.faults import OwnRedis


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test alone, to stop and start (tests/realtime/faults.py: OwnRedis);
    shut down at the end."""
    redis = OwnRedis(tmp_path / "redis")
    yield redis
    redis.stop()
