"""The Django admin: login through allauth, user management, deactivation."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_admin_login_redirects_to_allauth_login(client):
    """The admin's login page sends visitors to allauth's login (rate limits, MFA apply)."""
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_admin_login_form_post_does_not_log_in(client, staff):
    """Posting credentials to the admin's own login form does not sign anyone in."""
    response = client.post(
        reverse("admin:login"), {"username": staff.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_staff_reaches_admin_after_allauth_login(client, staff):
    """A staff member who logs in through allauth opens the admin index."""
    client.post(reverse("account_login"), {"login": staff.username, "password": PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 200


def test_non_staff_user_is_refused_by_admin_login(client, user):
    """A signed-in non-staff user asking for the admin login gets 403, not a login form."""
    client.force_login(user)
    assert client.get(reverse("admin:login")).status_code == 403
