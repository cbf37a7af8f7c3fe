"""Deleting one's own account: re-authentication, anonymisation, sessions and sockets end."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from channels.db import database_sync_to_async
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import services
from accounts.models import Avatar, User
from social.models import Friendship
from tests.accounts.test_avatars import add_avatar
from tests.accounts.test_sessions import open_socket, signed_in_client
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DELETE = reverse("accounts:delete")


def reauthenticate(client):
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def test_delete_page_needs_login(client):
    """Anonymous visitors are sent to the login page."""
    response = client.get(DELETE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_delete_page_explains_and_asks_to_confirm(user_client):
    """The page says what happens and has a confirmation checkbox."""
    html = user_client.get(DELETE, **EN).content.decode()
    assert 'type="checkbox"' in html
    assert "Deleted user" in html


def test_delete_asks_for_the_password_first(user, django_capture_on_commit_callbacks):
    """Without a recent re-authentication the POST is held until the password is given,
    then carried out."""
    client = signed_in_client(user)
    response = client.post(DELETE, {"confirm": "on"})
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert User.objects.get(pk=user.pk).is_active

    response = client.post(response.url, {"password": "wrong"}, **EN)
    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).is_active

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_reauthenticate") + "?next=" + DELETE, {"password": PASSWORD}
        )
    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert User.objects.get(pk=user.pk).is_deleted


def test_unconfirmed_delete_changes_nothing(user):
    """Without the checkbox the form shows an error and the account stays."""
    client = signed_in_client(user)
    reauthenticate(client)
    response = client.post(DELETE, {}, **EN)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    person = User.objects.get(pk=user.pk)
    assert person.is_active and person.username == user.username


def test_delete_anonymises_and_keeps_the_row(user, other_user, django_capture_on_commit_callbacks):
    """Names, bio, birth date, emails, avatars, friends and second factors are gone; the row
    stays (content points at it), inactive and shown as "Deleted user"."""
    User.objects.filter(pk=user.pk).update(bio="about me", birth_day=1, birth_month=2, gender="f")
    avatar = add_avatar(user)
    Friendship.objects.create(user=user, friend=other_user)
    Friendship.objects.create(user=other_user, friend=user)
    Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={})
    client = signed_in_client(user)
    reauthenticate(client)
    files = [avatar.image.name, avatar.thumbnail.name]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(DELETE, {"confirm": "on"})

    person = User.objects.get(pk=user.pk)
    assert person.username == f"deleted-{user.pk}"
    assert (person.first_name, person.last_name, person.bio, person.gender) == ("", "", "", "")
    assert person.birth_date is None
    assert person.email.endswith(".invalid")
    assert not person.is_active
    assert not person.has_usable_password()
    assert person.avatar_url is None
    with translation.override("en"):
        assert person.display_name == "Deleted user"
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not Avatar.objects.filter(user=person).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert not Friendship.objects.exists()
    assert not Authenticator.objects.filter(user=person).exists()
    assert not UserSession.objects.filter(user=person).exists()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:profile_edit")).status_code == 302
    other = Client()
    other.force_login(other_user)
    assert other.get(reverse("accounts:profile", args=[person.username])).status_code == 404


def test_deleted_user_cannot_log_in_and_name_is_free_again(client, user):
    """A deleted account cannot log in; its old username and email can be signed up again."""
    username, email = user.username, user.email
    services.account_delete(user=user)
    for login in (username, email, user.username):
        client.post(reverse("account_login"), {"login": login, "password": PASSWORD}, **EN)
        assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("account_signup"),
        {
            "email": email,
            "username": username,
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(username=username, is_active=True).exists()


def test_reserved_usernames_are_refused_at_signup(client):
    """Nobody can sign up as deleted-<something>."""
    response = client.post(
        reverse("account_signup"),
        {
            "email": "x@example.org",
            "username": "Deleted-5",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
        **EN,
    )
    assert response.status_code == 200
    assert "reserved" in response.content.decode()
    assert not User.objects.filter(email="x@example.org").exists()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_delete_closes_every_socket_of_the_user():
    """All the user's sockets (this browser and others) close when the account is deleted."""
    user = await database_sync_to_async(UserFactory)()
    here = await database_sync_to_async(signed_in_client)(user)
    elsewhere = await database_sync_to_async(signed_in_client)(user)
    sockets = [await open_socket(here), await open_socket(elsewhere)]
    await database_sync_to_async(reauthenticate)(here)
    await database_sync_to_async(here.post)(DELETE, {"confirm": "on"})
    for communicator in sockets:
        assert (await communicator.receive_output(timeout=2))["type"] == "websocket.close"
