"""Credential changes end the user's other sessions and close their sockets at once."""

import re

import pytest
from allauth.usersessions.models import UserSession
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from messenger.asgi import application
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

HOST = (b"host", b"127.0.0.1")
ORIGIN = (b"origin", b"http://127.0.0.1")
NEW_PASSWORD = "another-long-secret-31"


def signed_in_client(user) -> Client:
    """A browser session started through allauth's login form (so allauth tracks it)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


async def open_socket(client: Client) -> WebsocketCommunicator:
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    headers = [HOST, ORIGIN, (b"cookie", cookie)]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    return communicator


async def assert_still_open(communicator: WebsocketCommunicator) -> None:
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}


def session_exists(client: Client) -> bool:
    return Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()


async def two_sessions_with_sockets():
    user = await database_sync_to_async(UserFactory)()
    here = await database_sync_to_async(signed_in_client)(user)
    elsewhere = await database_sync_to_async(signed_in_client)(user)
    return user, here, elsewhere, await open_socket(here), await open_socket(elsewhere)


async def test_password_change_ends_other_sessions_and_closes_their_sockets():
    """After a password change the other browser is logged out and its socket closes (4001);
    the browser that changed it stays signed in, its socket is asked to reconnect (4002) under
    the session's renewed key and can."""
    _user, here, elsewhere, here_ws, elsewhere_ws = await two_sessions_with_sockets()

    response = await database_sync_to_async(here.post)(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302

    assert (await elsewhere_ws.receive_output(timeout=2))["code"] == 4001
    assert (await here_ws.receive_output(timeout=2))["code"] == 4002
    assert not await database_sync_to_async(session_exists)(elsewhere)
    assert await database_sync_to_async(session_exists)(here)
    here_ws = await open_socket(here)
    await assert_still_open(here_ws)
    response = await database_sync_to_async(here.get)(reverse("account_email"))
    assert response.status_code == 200
    response = await database_sync_to_async(elsewhere.get)(reverse("account_email"))
    assert response.status_code == 302
    await here_ws.disconnect()


async def test_failed_password_change_ends_nothing():
    """A password change with a wrong current password leaves every session and socket alone."""
    _user, here, elsewhere, here_ws, elsewhere_ws = await two_sessions_with_sockets()

    response = await database_sync_to_async(here.post)(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert await database_sync_to_async(session_exists)(elsewhere)
    await assert_still_open(elsewhere_ws)
    await assert_still_open(here_ws)
    await here_ws.disconnect()
    await elsewhere_ws.disconnect()


async def test_email_change_ends_other_sessions_once_confirmed():
    """A confirmed email change ends the other sessions and closes their sockets."""
    _user, here, elsewhere, here_ws, elsewhere_ws = await two_sessions_with_sockets()

    await database_sync_to_async(here.post)(
        reverse("account_email"), {"action_add": "", "email": "moved@example.org"}
    )
    await assert_still_open(elsewhere_ws)  # not yet: the new address is unverified
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    await database_sync_to_async(here.post)(link.group(1))

    assert (await elsewhere_ws.receive_output(timeout=2))["code"] == 4001
    assert not await database_sync_to_async(session_exists)(elsewhere)
    await assert_still_open(here_ws)
    await here_ws.disconnect()


async def test_password_reset_ends_every_session():
    """Resetting a forgotten password logs out every browser of that user."""
    user, here, elsewhere, here_ws, elsewhere_ws = await two_sessions_with_sockets()
    stranger = Client()
    await database_sync_to_async(stranger.post)(
        reverse("account_reset_password"), {"email": user.email}
    )
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    response = await database_sync_to_async(stranger.get)(link.group(1))
    await database_sync_to_async(stranger.post)(
        response.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    for ws in (here_ws, elsewhere_ws):
        assert (await ws.receive_output(timeout=2))["code"] == 4001
    assert not await database_sync_to_async(session_exists)(here)
    assert not await database_sync_to_async(session_exists)(elsewhere)


async def test_signing_out_a_session_on_the_sessions_page_closes_its_socket():
    """Signing out other sessions on the sessions page closes those sessions' sockets."""
    user, here, elsewhere, here_ws, elsewhere_ws = await two_sessions_with_sockets()

    response = await database_sync_to_async(here.post)(reverse("usersessions_list"))
    assert response.status_code == 302

    assert (await elsewhere_ws.receive_output(timeout=2))["code"] == 4001
    assert not await database_sync_to_async(session_exists)(elsewhere)
    assert await database_sync_to_async(UserSession.objects.filter(user=user).count)() == 1
    await assert_still_open(here_ws)
    await here_ws.disconnect()
