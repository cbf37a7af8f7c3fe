"""Brute force and account enumeration: logins are rate-limited (429), and sign-up, password
reset and a failed login answer the same for an existing and an unknown email."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"
RESET = "/accounts/password/reset/"
APP_LOGIN = "/_allauth/app/v1/auth/login"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
CSRF_JSON = re.compile(r'"X-CSRFToken": "[^"]+"')


@pytest.fixture
def known(db):
    return UserFactory(email="known@example.org", username="known")


def normalised(response) -> tuple[int, str, str]:
    """What a visitor can compare between two answers (CSRF tokens aside)."""
    body = response.content.decode()
    body = CSRF_JSON.sub("", TOKEN.sub("", body))
    return response.status_code, response.headers.get("Location", ""), body


def test_failed_logins_are_limited_per_account_then_429_per_address(known):
    """After 5 wrong passwords for one account even the right one is refused (allauth's
    "too many attempts" form error); past 30 login posts a minute from one address every
    answer is 429."""
    client = Client()
    for n in range(5):
        assert (
            client.post(LOGIN, {"login": known.email, "password": f"wrong-{n}"}).status_code == 200
        )
    right = client.post(LOGIN, {"login": known.email, "password": PASSWORD})
    assert right.status_code == 200
    assert "_auth_user_id" not in client.session
    statuses = [
        client.post(LOGIN, {"login": f"guess{n}@example.org", "password": "x"}).status_code
        for n in range(30)
    ]
    assert statuses[-1] == 429
    assert statuses.index(429) <= 25, statuses
    assert client.post(LOGIN, {"login": known.email, "password": PASSWORD}).status_code == 429
    assert "_auth_user_id" not in client.session


def test_failed_api_logins_are_limited_with_429(known):
    """The API's token login refuses guesses the same way and ends in 429."""
    statuses = [
        Client()
        .post(
            APP_LOGIN,
            {"email": known.email, "password": f"wrong-{n}"},
            content_type="application/json",
        )
        .status_code
        for n in range(32)
    ]
    assert statuses[0] == 400
    assert statuses[-1] == 429
    right = Client().post(
        APP_LOGIN, {"email": known.email, "password": PASSWORD}, content_type="application/json"
    )
    assert right.status_code == 429


def test_failed_login_says_the_same_for_known_and_unknown_email(known):
    """A wrong password and an unknown email give the same page."""
    known_answer = Client().post(LOGIN, {"login": known.email, "password": "nope-nope-1"})
    unknown_answer = Client().post(LOGIN, {"login": "nobody@example.org", "password": "nope-1"})
    assert normalised(known_answer)[:2] == normalised(unknown_answer)[:2] == (200, "")
    known_page = normalised(known_answer)[2].replace(known.email, "E")
    unknown_page = normalised(unknown_answer)[2].replace("nobody@example.org", "E")
    assert known_page == unknown_page


def test_failed_api_login_says_the_same_for_known_and_unknown_email(known):
    answers = [
        Client().post(
            APP_LOGIN, {"email": email, "password": "nope-nope-1"}, content_type="application/json"
        )
        for email in (known.email, "nobody@example.org")
    ]
    assert answers[0].status_code == answers[1].status_code == 400
    assert answers[0].json() == answers[1].json()


def test_signup_says_the_same_for_known_and_unknown_email(known):
    """Signing up with a taken email looks exactly like a new sign-up (the mail differs)."""
    answers = []
    for n, email in enumerate((known.email, "fresh@example.org")):
        answers.append(
            Client().post(
                SIGNUP,
                {
                    "email": email,
                    "username": f"newcomer{n}",
                    "password1": "a-long-passphrase-91",
                    "password2": "a-long-passphrase-91",
                },
            )
        )
    assert normalised(answers[0]) == normalised(answers[1])
    assert answers[0].status_code == 302


def test_password_reset_says_the_same_for_known_and_unknown_email(known):
    answers = [Client().post(RESET, {"email": e}) for e in (known.email, "nobody@example.org")]
    assert normalised(answers[0]) == normalised(answers[1])
    assert answers[0].status_code == 302
