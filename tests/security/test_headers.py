"""Response headers that protect every page: a Content-Security-Policy on every HTML response
(product pages, allauth pages, the admin, error pages), no inline script allowed, nosniff and
no framing; and the admin is for staff only, whatever its URL."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.security.http_cases import fill
from tests.security.matrix import HTTP

ALLAUTH_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/confirm-email/",
]


def assert_protected(response, url: str) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    assert policy, f"{url} has no Content-Security-Policy"
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    assert directives.get("script-src") == "'self'", f"{url}: {policy}"
    assert directives.get("object-src") == "'none'", f"{url}: {policy}"
    assert directives.get("frame-ancestors") == "'none'", f"{url}: {policy}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    assert response.headers.get("X-Frame-Options") == "DENY", url


def html_pages_of_the_matrix(world) -> list[str]:
    return [fill(row.path, world.ids) for row in HTTP.values() if row.method == "GET"]


def test_every_html_page_has_the_policy(world, clients):
    """Every GET page of the matrix, as the owner, and allauth's pages, carry the CSP."""
    checked = 0
    for url in html_pages_of_the_matrix(world):
        response = clients["owner"].get(url)
        if response.headers.get("Content-Type", "").startswith("text/html"):
            assert response.status_code == 200, url
            assert_protected(response, url)
            checked += 1
    for url in ALLAUTH_PAGES:
        response = Client().get(url)
        assert response.status_code < 500, url
        assert_protected(response, url)
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("url", ["/no-such-page/", "/posts/999999/", "/chats/999999/"])
def test_error_pages_have_the_policy(user_client, url):
    """404 pages are HTML too and carry the same headers."""
    response = user_client.get(url)
    assert response.status_code == 404
    assert_protected(response, url)


def admin_urls() -> list[str]:
    """The admin's index and every registered model's list and add pages."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
    return urls


def test_admin_needs_staff(db, client):
    """Anonymous and ordinary users are sent to the admin login on every admin page; staff get
    the pages with the same protective headers."""
    member = UserFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(member)
    urls = admin_urls()
    assert len(urls) > 10
    for url in urls:
        for who in (Client(), client):
            response = who.get(url)
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/admin/login/"), url
    client.force_login(staff)
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), url  # 403: an add page the admin disables
        assert_protected(response, url)
