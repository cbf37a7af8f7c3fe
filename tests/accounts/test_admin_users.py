"""Django admin for users: list, search, filters, deactivation that ends sessions/sockets."""

import pytest
from allauth.account.models import EmailAddress
from channels.db import database_sync_to_async
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Avatar, User
from tests.accounts.test_avatars import add_avatar
from tests.accounts.test_sessions import open_socket, signed_in_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")


@pytest.fixture
def admin_client(db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    client.staff = staff
    return client


def usernames(response) -> set[str]:
    return {u.username for u in response.context["cl"].result_list}


def test_search_by_username_email_and_names(admin_client):
    """Search finds users by username, email, first or last name."""
    ada = UserFactory(username="ada", first_name="Augusta", last_name="Byron", email="al@x.org")
    UserFactory(username="bob", first_name="Robert", last_name="Smith")
    for term in ("ada", "al@x.org", "Augusta", "Byron"):
        assert usernames(admin_client.get(CHANGELIST, {"q": term})) == {ada.username}


def test_filters_verified_active_staff(admin_client):
    """The list filters by verified email, active and staff."""
    unverified = UserFactory(username="unv", verified=False)
    EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False)
    inactive = UserFactory(username="gone", is_active=False)
    assert usernames(admin_client.get(CHANGELIST, {"verified": "no"})) == {"unv"}
    assert "unv" not in usernames(admin_client.get(CHANGELIST, {"verified": "yes"}))
    assert usernames(admin_client.get(CHANGELIST, {"is_active__exact": "0"})) == {inactive.username}
    assert usernames(admin_client.get(CHANGELIST, {"is_staff__exact": "1"})) == {
        admin_client.staff.username
    }


@pytest.mark.parametrize("extra", [2, 30])
def test_user_list_query_count_is_flat(admin_client, django_assert_max_num_queries, extra):
    """The user list costs the same queries with few or many users (verified is annotated)."""
    for _ in range(extra):
        UserFactory()
    with django_assert_max_num_queries(12):
        assert admin_client.get(CHANGELIST).status_code == 200


def test_non_staff_cannot_open_the_admin(user_client):
    """A signed-in non-staff user is refused."""
    assert user_client.get(CHANGELIST).status_code in (302, 403)


def test_deactivate_action_ends_sessions(admin_client, user, django_capture_on_commit_callbacks):
    """The action deactivates the users and logs them out everywhere."""
    victim_client = signed_in_client(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST, {"action": "deactivate", "_selected_action": [user.pk]}
        )
    assert response.status_code == 302
    assert not User.objects.get(pk=user.pk).is_active
    assert victim_client.get(reverse("accounts:profile_edit")).status_code == 302


def test_deactivating_oneself_is_refused(admin_client):
    """An admin cannot deactivate their own account with the action."""
    admin_client.post(
        CHANGELIST, {"action": "deactivate", "_selected_action": [admin_client.staff.pk]}
    )
    assert User.objects.get(pk=admin_client.staff.pk).is_active


def test_deactivate_service_needs_permission(user, other_user):
    """Without the change-user permission the service refuses and nothing changes."""
    with pytest.raises(PermissionDenied):
        services.user_deactivate(user=other_user, by=user)
    assert User.objects.get(pk=other_user.pk).is_active
    user.user_permissions.add(Permission.objects.get(codename="change_user"))
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    services.user_deactivate(user=other_user, by=user)
    assert not User.objects.get(pk=other_user.pk).is_active


def test_unticking_active_in_the_change_form_also_ends_sessions(admin_client, user):
    """Deactivating through the edit form goes through the same service."""
    victim_client = signed_in_client(user)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "is_active"}
    data.update(
        {
            "username": user.username,
            "email": user.email,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "birth_date_visibility": "everyone",
            "groups": [],
            "user_permissions": [],
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("current_avatar", None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not User.objects.get(pk=user.pk).is_active
    assert victim_client.get(reverse("accounts:profile_edit")).status_code == 302


def test_avatar_admin_delete_updates_the_owner(
    admin_client, user, django_capture_on_commit_callbacks
):
    """Deleting avatars in the admin removes files and keeps the owner's picture consistent."""
    older = add_avatar(user)
    newer = add_avatar(user)
    keep = add_avatar(user)
    services.avatar_set_current(user=user, avatar_id=older.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_avatar_changelist"),
            {"action": "delete_selected", "_selected_action": [older.pk, newer.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert list(Avatar.objects.all()) == [keep]
    person = User.objects.get(pk=user.pk)
    assert person.current_avatar == keep
    assert person.avatar_url == keep.thumbnail.url


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_deactivate_closes_open_sockets():
    """A deactivated user's open sockets close at once."""
    staff = await database_sync_to_async(UserFactory)(is_staff=True, is_superuser=True)
    user = await database_sync_to_async(UserFactory)()
    socket = await open_socket(await database_sync_to_async(signed_in_client)(user))
    await database_sync_to_async(services.user_deactivate)(user=user, by=staff)
    assert (await socket.receive_output(timeout=2))["type"] == "websocket.close"
