"""Who the API believes: allauth JWTs (login, refresh, revocation) and the browser session."""

import re

import pytest
from allauth.headless.tokens.strategies.jwt import internal as jwt_internal
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.api.conftest import REFRESH_URL, SESSION_URL, JsonApi, login_tokens
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_returns_tokens_that_open_the_api(user):
    """Logging in over allauth's app API gives an access token that /api/v1/me accepts."""
    tokens = login_tokens(user)
    response = JsonApi(tokens.access).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["email"] == user.email


def test_no_credentials_is_401(anon_api):
    """Without a token or a session the API answers 401 in the error shape."""
    response = anon_api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "Bearer" in response["WWW-Authenticate"]


@pytest.mark.parametrize(
    "token", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", ""], ids=repr
)
def test_bad_token_is_401(user, token):
    """A malformed, unsigned or empty bearer token is refused with 401 invalid_token."""
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["code"] in {"invalid_token", "not_authenticated"}


def test_refresh_token_is_not_an_access_token(user):
    """The refresh token cannot be used as a bearer token."""
    tokens = login_tokens(user)
    assert JsonApi(tokens.refresh).get("/api/v1/me").status_code == 401


def test_expired_access_token_is_refused(user, settings):
    """An access token past its lifetime is refused (allauth checks `exp`)."""
    settings.HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = -60
    tokens = login_tokens(user)
    assert JsonApi(tokens.access).get("/api/v1/me").status_code == 401


def test_forged_signature_is_refused(user):
    """A token whose payload was changed (another user id) fails the signature check."""
    other = UserFactory()
    tokens = login_tokens(user)
    header, _payload, signature = tokens.access.split(".")
    claims = jwt_internal.jwt.decode(tokens.access, options={"verify_signature": False})
    claims["sub"] = str(other.pk)
    forged = jwt_internal.jwt.encode(
        claims, "not-our-key-but-long-enough-for-hs256-0123456789", algorithm="HS256"
    )
    assert JsonApi(forged).get("/api/v1/me").status_code == 401
    assert (
        JsonApi(f"{header}.{forged.split('.')[1]}.{signature}").get("/api/v1/me").status_code == 401
    )


def test_refresh_gives_a_new_working_access_token(user):
    """POST /_allauth/app/v1/tokens/refresh returns a new access token that the API accepts."""
    tokens = login_tokens(user)
    response = Client().post(
        REFRESH_URL, {"refresh_token": tokens.refresh}, content_type="application/json"
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["access_token"] != tokens.access
    assert JsonApi(data["access_token"]).get("/api/v1/me").json()["id"] == user.pk


def test_logout_ends_the_access_token(user):
    """After DELETE /_allauth/app/v1/auth/session with the token, the token gets 401."""
    tokens = login_tokens(user)
    api = JsonApi(tokens.access)
    assert api.get("/api/v1/me").status_code == 200
    api.delete(SESSION_URL)
    assert api.get("/api/v1/me").status_code == 401
    refreshed = Client().post(
        REFRESH_URL, {"refresh_token": tokens.refresh}, content_type="application/json"
    )
    assert refreshed.status_code != 200


def test_logout_of_one_token_leaves_other_logins_working(user):
    """Logging out one app session does not end another device's token."""
    phone, laptop = login_tokens(user), login_tokens(user)
    JsonApi(phone.access).delete(SESSION_URL)
    assert JsonApi(phone.access).get("/api/v1/me").status_code == 401
    assert JsonApi(laptop.access).get("/api/v1/me").status_code == 200


def test_password_change_elsewhere_ends_the_token(user):
    """Changing the password in the browser makes older API tokens (access and refresh) fail."""
    tokens = login_tokens(user)
    browser = Client()
    browser.force_login(user)
    response = browser.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "new-Secret-9917", "password2": "new-Secret-9917"},
    )
    assert response.status_code == 302
    assert JsonApi(tokens.access).get("/api/v1/me").status_code == 401
    refreshed = Client().post(
        REFRESH_URL, {"refresh_token": tokens.refresh}, content_type="application/json"
    )
    assert refreshed.status_code != 200


def test_email_change_ends_the_token(user):
    """Confirming a new email address in the browser makes older API tokens fail."""
    tokens = login_tokens(user)
    browser = Client()
    browser.force_login(user)
    browser.post("/accounts/email/", {"action_add": "", "email": "renamed@example.org"})
    key = re.search(r"/accounts/confirm-email/([-:\w]+)/", mail.outbox[-1].body).group(1)
    browser.post(f"/accounts/confirm-email/{key}/")
    assert User.objects.get(pk=user.pk).email == "renamed@example.org"
    assert JsonApi(tokens.access).get("/api/v1/me").status_code == 401
    refreshed = Client().post(
        REFRESH_URL, {"refresh_token": tokens.refresh}, content_type="application/json"
    )
    assert refreshed.status_code != 200
    assert JsonApi(login_tokens(user).access).get("/api/v1/me").status_code == 200


def test_deactivated_user_token_is_refused(user):
    """A deactivated account's token stops working."""
    tokens = login_tokens(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert JsonApi(tokens.access).get("/api/v1/me").status_code == 401


def test_session_cookie_reads_without_csrf(user_client, user):
    """A logged-in browser reads the API with its session cookie."""
    response = user_client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["id"] == user.pk


def test_session_write_without_csrf_token_is_403(user):
    """A session-cookie write without the CSRF token is refused and changes nothing."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.patch("/api/v1/me", {"bio": "hijacked"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert User.objects.get(pk=user.pk).bio == ""


def test_session_write_with_csrf_token_works(user):
    """A session-cookie write with the X-CSRFToken header is accepted."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get("/api/v1/docs")  # sets the csrftoken cookie, as any page does
    token = browser.cookies["csrftoken"].value
    response = browser.patch(
        "/api/v1/me",
        {"bio": "hello"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).bio == "hello"


def test_bearer_write_needs_no_csrf(user):
    """Bearer-token writes are not subject to CSRF (no cookie is involved)."""
    api = JsonApi(login_tokens(user).access, client=Client(enforce_csrf_checks=True))
    assert api.patch("/api/v1/me", {"bio": "from the app"}).status_code == 200
    assert User.objects.get(pk=user.pk).bio == "from the app"


def test_bad_bearer_does_not_fall_back_to_the_session(user):
    """A browser session plus an invalid token is refused: the token is what the client meant."""
    browser = Client()
    browser.force_login(user)
    response = browser.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
