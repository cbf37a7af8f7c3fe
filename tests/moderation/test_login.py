"""Suspended and banned accounts are refused at every door: the login form (with a clear
message), the API's token login, tokens and sessions issued before; the end of a suspension
opens them again."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.models import SUSPENDED_FOREVER, User
from moderation import services
from tests.api.conftest import LOGIN_URL, JsonApi, login_tokens
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def suspend(user, *, until) -> None:
    User.objects.filter(pk=user.pk).update(suspended_until=until)


def form_login(user, **headers):
    return Client().post(
        "/accounts/login/",
        {"login": user.username, "password": PASSWORD},
        headers={"Accept-Language": "en", **headers},
    )


def test_active_user_logs_in_with_the_form(author):
    response = form_login(author)
    assert response.status_code == 302
    assert "_auth_user_id" in response.client.session


def test_suspended_user_is_told_until_when_and_not_logged_in(author):
    suspend(author, until=timezone.now() + timedelta(days=2))
    response = form_login(author)
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session
    errors = response.context["form"].non_field_errors()
    with override("en"):
        expected = gettext("This account is suspended by the moderators until %(until)s.")
    assert expected.split("%(until)s")[0] in errors[0]


def test_banned_user_is_told_the_account_is_blocked(author):
    suspend(author, until=SUSPENDED_FOREVER)
    response = form_login(author)
    with override("en"):
        expected = gettext("This account has been blocked by the moderators.")
    assert response.context["form"].non_field_errors() == [expected]
    assert "_auth_user_id" not in response.client.session


def test_wrong_password_of_a_suspended_user_reveals_nothing(author):
    """Only the right password earns the suspension notice."""
    suspend(author, until=SUSPENDED_FOREVER)
    response = Client().post(
        "/accounts/login/",
        {"login": author.username, "password": "not-it"},
        headers={"Accept-Language": "en"},
    )
    with override("en"):
        banned = gettext("This account has been blocked by the moderators.")
    assert banned not in response.content.decode()


def test_login_works_again_when_the_suspension_ran_out(author):
    suspend(author, until=timezone.now() - timedelta(minutes=1))
    assert form_login(author).status_code == 302


def test_api_token_login_is_refused_with_the_reason(author):
    login_tokens(author)  # allowed while not suspended
    suspend(author, until=SUSPENDED_FOREVER)
    response = Client().post(
        LOGIN_URL,
        {"username": author.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "suspended"


def test_tokens_and_sessions_from_before_the_suspension_stop_working(moderator, author):
    tokens = login_tokens(author)
    browser = Client()
    browser.force_login(author)
    assert JsonApi(tokens.access).get("/api/v1/me").status_code == 200
    assert browser.get("/api/v1/me").status_code == 200

    services.user_suspend(moderator=moderator, user=author, days=1, reason="spam")

    assert JsonApi(tokens.access).get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    refreshed = Client().post(
        "/_allauth/app/v1/tokens/refresh",
        {"refresh_token": tokens.refresh},
        content_type="application/json",
    )
    assert refreshed.status_code != 200
    # The sessions themselves ended: lifting the suspension does not bring them back.
    services.user_suspension_lift(moderator=moderator, user=author, reason="appeal")
    assert JsonApi(tokens.access).get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    assert login_tokens(author).access  # a new login works again


def test_a_session_that_escaped_the_sweep_is_anonymous_while_suspended(author):
    """The backends refuse the user behind a session during a suspension."""
    browser = Client()
    browser.force_login(author)
    suspend(author, until=timezone.now() + timedelta(hours=1))
    assert browser.get("/api/v1/me").status_code == 401
    suspend(author, until=None)
    assert browser.get("/api/v1/me").status_code == 200


def test_logins_without_a_password_are_stopped_before_the_session_starts(rf, author):
    """Passkey and emailed-code logins reach allauth's pre_login, which refuses them too."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.adapter import AccountAdapter

    def pre_login(user):
        request = rf.get("/accounts/login/")
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        return AccountAdapter(request).pre_login(
            request,
            user,
            email_verification="none",
            signal_kwargs=None,
            email=None,
            signup=False,
            redirect_url=None,
        )

    assert pre_login(author) is None
    suspend(author, until=SUSPENDED_FOREVER)
    author.refresh_from_db()
    refused = pre_login(author)
    assert refused.status_code == 302
    assert refused["Location"] == "/accounts/login/"
