"""allauth's pages render inside Beseda's layout and their flows work end to end."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def login(client, user, password=PASSWORD):
    """Log in through allauth's form (records the authentication for reauth checks)."""
    response = client.post(
        reverse("account_login"), {"login": user.username, "password": password}, **EN
    )
    assert response.status_code == 302, response.content[:2000]
    return response


def assert_in_layout(response):
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="topbar"' in html
    assert "auth-page" in html
    assert "/static/css/accounts.css" in html
    return html


@pytest.mark.parametrize(
    "name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_entrance_pages_render_in_layout(client, name):
    """Login, signup, reset and verification pages show the Beseda top bar and styles."""
    assert_in_layout(client.get(reverse(name), **EN))


@pytest.mark.parametrize(
    "name",
    ["account_email", "account_change_password", "mfa_index", "usersessions_list"],
)
def test_manage_pages_render_in_layout(client, user, name):
    """Email, password, two-factor and sessions pages render inside the signed-in layout."""
    login(client, user)
    html = assert_in_layout(client.get(reverse(name), **EN))
    assert 'class="sidenav"' in html
    assert 'class="settings-nav"' in html
    assert f'href="{reverse(name)}" aria-current="page"' in html


@pytest.mark.parametrize(
    "name", ["account_email", "account_change_password", "mfa_index", "usersessions_list"]
)
def test_manage_pages_send_anonymous_visitors_to_login(client, name):
    """The account management pages are not shown to anonymous visitors."""
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_mfa_setup_pages_render_in_layout(client, user):
    """TOTP activation (with its QR code) and passkey setup render inside the layout."""
    login(client, user)
    response = client.get(reverse("mfa_activate_totp"), **EN)
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert_in_layout(client.get(response.url, **EN))
    response = client.post(response.url, {"password": PASSWORD}, **EN)
    assert response.url == reverse("mfa_activate_totp")
    html = assert_in_layout(client.get(reverse("mfa_activate_totp"), **EN))
    assert "auth-qr" in html
    html = assert_in_layout(client.get(reverse("mfa_add_webauthn"), **EN))
    assert "mfa_webauthn_add" in html


def test_signup_verification_and_login(client):
    """Signing up sends a verification link; login works only after confirming it."""
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "username": "newbie",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
        **EN,
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "newbie", "password": "a-long-pass-phrase-9"}, **EN
    )
    assert response.url == reverse("account_email_verification_sent")  # not yet verified

    html = assert_in_layout(client.get(path, **EN))
    assert "new@example.org" in html
    client.post(path, **EN)
    assert EmailAddress.objects.get(email="new@example.org").verified

    response = client.post(
        reverse("account_login"), {"login": "new@example.org", "password": "a-long-pass-phrase-9"}
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_confirming_in_the_signup_browser_logs_in_and_mail_names_the_site(client, settings):
    """The mail greets from SITE_NAME at SITE_URL's host; confirming logs the newcomer in."""
    settings.SITE_NAME = "Our Club"
    settings.SITE_URL = "https://club.example.org"
    client.post(
        reverse("account_signup"),
        {
            "email": "fresh@example.org",
            "username": "fresh",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
        **EN,
    )
    message = mail.outbox[0]
    assert "example.com" not in message.body
    assert "Hello from Our Club!" in message.body
    assert "register an account on club.example.org" in message.body
    path = re.search(r"/accounts/confirm-email/\S+/", message.body).group(0)

    response = client.post(path, **EN)
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get(reverse("accounts:profile_edit")).status_code == 200


def test_wrong_password_shows_form_error(client, user):
    """A wrong password keeps the visitor on the login page with an error in the layout."""
    response = client.post(
        reverse("account_login"), {"login": user.username, "password": "nope"}, **EN
    )
    html = assert_in_layout(response)
    assert "auth-alert-error" in html
    assert "_auth_user_id" not in client.session


def test_password_reset_from_mailed_key(client, user):
    """The reset mail's link opens a form in the layout that sets a new password."""
    client.post(reverse("account_reset_password"), {"email": user.email}, **EN)
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1), **EN)
    assert response.status_code == 302  # allauth stashes the key in the session first
    form_url = response.url
    assert_in_layout(client.get(form_url, **EN))
    response = client.post(
        form_url, {"password1": "brand-new-secret-77", "password2": "brand-new-secret-77"}, **EN
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-secret-77")


def test_email_change_needs_verification_of_the_new_address(client, user):
    """Changing the email adds the new address unverified; it replaces the old once confirmed."""
    login(client, user)
    old = user.email
    client.post(reverse("account_email"), {"action_add": "", "email": "moved@example.org"}, **EN)
    new = EmailAddress.objects.get(email="moved@example.org")
    assert not new.verified
    user.refresh_from_db()
    assert user.email == old
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    client.post(link.group(1), **EN)
    user.refresh_from_db()
    assert user.email == "moved@example.org"
    assert not EmailAddress.objects.filter(email=old).exists()


def test_admin_created_user_without_verified_email_cannot_log_in(client):
    """Mandatory verification: a user without a verified address is held at the notice page."""
    person = UserFactory(verified=False)
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=False)
    response = client.post(
        reverse("account_login"), {"login": person.username, "password": PASSWORD}, **EN
    )
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_sites_row_names_this_site_not_example_com(settings):
    """After migrating, the Sites row (TOTP issuer, passkey relying party) is SITE_NAME at the
    host of SITE_URL."""
    from urllib.parse import urlsplit

    from allauth.mfa.adapter import get_adapter as mfa_adapter
    from django.contrib.sites.models import Site

    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.name, site.domain) == (settings.SITE_NAME, urlsplit(settings.SITE_URL).netloc)
    Site.objects.clear_cache()
    assert mfa_adapter().get_totp_issuer() == settings.SITE_NAME
