"""`manage.py purge_unverified` removes stale accounts that never verified an email."""

from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def unverified(*, days_ago: float, **fields) -> User:
    person = UserFactory(verified=False, **fields)
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=False)
    User.objects.filter(pk=person.pk).update(date_joined=timezone.now() - timedelta(days=days_ago))
    return person


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_unverified", *args, stdout=out)
    return out.getvalue()


def test_purges_only_old_unverified_accounts():
    """Old unverified accounts go; fresh ones, verified ones, staff and deactivated stay."""
    stale = [unverified(days_ago=8), unverified(days_ago=30)]
    fresh = unverified(days_ago=2)
    verified_old = UserFactory()
    User.objects.filter(pk=verified_old.pk).update(date_joined=timezone.now() - timedelta(days=90))
    staff = unverified(days_ago=90, is_staff=True)
    deactivated = unverified(days_ago=90, is_active=False)
    no_address = UserFactory(verified=False)
    User.objects.filter(pk=no_address.pk).update(date_joined=timezone.now() - timedelta(days=9))

    output = purge("--older-than", "7d")

    assert "Deleted 3 " in output
    remaining = set(User.objects.values_list("pk", flat=True))
    assert not remaining & {p.pk for p in [*stale, no_address]}
    assert {fresh.pk, verified_old.pk, staff.pk, deactivated.pk} <= remaining
    assert not EmailAddress.objects.filter(user_id__in=[p.pk for p in stale]).exists()


def test_hours_unit():
    """`--older-than 36h` counts hours."""
    old = unverified(days_ago=2)
    young = unverified(days_ago=1)
    assert "Deleted 1 " in purge("--older-than", "36h")
    assert not User.objects.filter(pk=old.pk).exists()
    assert User.objects.filter(pk=young.pk).exists()


def test_dry_run_counts_and_deletes_nothing():
    """`--dry-run` prints the count and leaves every account in place."""
    stale = [unverified(days_ago=10) for _ in range(2)]
    output = purge("--older-than", "7d", "--dry-run")
    assert "2 unverified account(s) would be deleted" in output
    assert User.objects.filter(pk__in=[p.pk for p in stale]).count() == 2


@pytest.mark.parametrize("age", ["7", "7w", "d", "-3d", "0d", "seven days"])
def test_bad_age_is_refused_with_a_clear_error(age):
    """An age without a d/h unit or not positive stops with a message and deletes nothing."""
    stale = unverified(days_ago=30)
    with pytest.raises(CommandError, match="--older-than"):
        purge("--older-than", age)
    assert User.objects.filter(pk=stale.pk).exists()
