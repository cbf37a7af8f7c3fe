"""Demo data for `manage.py seed_demo`."""

from __future__ import annotations


def seed(users: list) -> None:
    """Nothing yet."""
