"""Issue 14, item 6: five wrong passwords for an account (from anyone, anywhere) pause password
logins to it for five minutes, which would lock the real owner out too. The owner gets past
the pause without waiting: by a sign-in code sent to the account's email, or by resetting the
password. Someone without the mailbox cannot."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CODE_REQUEST = "/accounts/login/code/"
CODE_CONFIRM = "/accounts/login/code/confirm/"
APP_LOGIN = "/_allauth/app/v1/auth/login"
APP_CODE_REQUEST = "/_allauth/app/v1/auth/code/request"
APP_CODE_CONFIRM = "/_allauth/app/v1/auth/code/confirm"


@pytest.fixture
def owner(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return UserFactory(email="owner@example.org", username="owner")


def browser(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def lock_out(owner) -> None:
    """An attacker (another address) spends the account's five wrong passwords."""
    attacker = browser("198.51.100.7")
    for n in range(5):
        attacker.post(LOGIN, {"login": owner.email, "password": f"wrong-{n}"})


def emailed_code() -> str:
    body = mail.outbox[-1].body
    found = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4}|[A-Z0-9]{6,8})\s*$", body, re.MULTILINE)
    assert found, body
    return found.group(1)


def test_lockout_still_stops_password_guessing(owner):
    """The denied side: after five wrong passwords the right one is refused for now, and the
    form tells how to get in anyway."""
    lock_out(owner)
    client = browser("203.0.113.5")
    response = client.post(LOGIN, {"login": owner.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "sign-in code" in response.content.decode()


def test_owner_passes_the_lockout_with_an_emailed_code(owner):
    """The owner asks for a code, gets it by email and is signed in."""
    lock_out(owner)
    client = browser("203.0.113.5")
    mail.outbox.clear()
    assert client.post(CODE_REQUEST, {"email": owner.email}).status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [owner.email]
    response = client.post(CODE_CONFIRM, {"code": emailed_code()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_wrong_code_does_not_sign_in(owner):
    """Someone without the mailbox: three wrong codes end the attempt, nobody is signed in."""
    lock_out(owner)
    attacker = browser("198.51.100.7")
    mail.outbox.clear()
    attacker.post(CODE_REQUEST, {"email": owner.email})
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC", emailed_code()):
        attacker.post(CODE_CONFIRM, {"code": guess})
    assert "_auth_user_id" not in attacker.session


def test_owner_passes_the_lockout_over_the_app_api(owner):
    """API clients have the same way in: code request and confirm give tokens."""
    lock_out(owner)
    client = browser("203.0.113.5")
    mail.outbox.clear()
    response = client.post(
        APP_CODE_REQUEST, {"email": owner.email}, content_type="application/json"
    )
    assert response.status_code == 401, response.content  # pending "login_by_code" stage
    token = response.json()["meta"]["session_token"]
    confirmed = client.post(
        APP_CODE_CONFIRM,
        {"code": emailed_code()},
        content_type="application/json",
        headers={"X-Session-Token": token},
    )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["meta"]["access_token"]


def test_password_reset_lifts_the_lockout(owner):
    """After resetting the password by the emailed link, the new password works at once."""
    lock_out(owner)
    client = browser("203.0.113.5")
    mail.outbox.clear()
    client.post("/accounts/password/reset/", {"email": owner.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_url = client.get(link.group(1)).url
    new = "a-brand-new-passphrase-42"
    client.post(form_url, {"password1": new, "password2": new})
    client.post(LOGIN, {"login": owner.email, "password": new})
    assert client.session["_auth_user_id"] == str(owner.pk)
