"""Background tasks of accounts (mail itself goes through messenger.mail)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from accounts import services


@task()
def purge_unverified() -> int:
    """Delete accounts never verified within UNVERIFIED_ACCOUNT_DAYS; returns how many."""
    days = settings.UNVERIFIED_ACCOUNT_DAYS
    return services.users_purge_unverified(older_than=timedelta(days=days))
