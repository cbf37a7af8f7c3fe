"""The API docs page in a real browser: Swagger UI renders offline under our CSP."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_docs_page_renders_from_our_own_host_only(page, live):
    """/api/v1/docs shows the operations; every request stays on our host; no CSP violation."""
    requested, violations, errors = [], [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: violations.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    page.goto(live.url + "/api/v1/docs")
    # Swagger UI parses a 1.5 MB bundle before it draws anything: give a loaded machine time.
    expect(page.get_by_role("heading", name="Beseda API")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("/api/v1/me", exact=True).first).to_be_visible()
    expect(page.get_by_text("/api/v1/blocks/{username}", exact=True).first).to_be_visible()
    page.get_by_text("/api/v1/users/{username}", exact=True).first.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()

    hosts = {urlsplit(url).netloc for url in requested if not url.startswith("data:")}
    assert hosts == {f"{live.host}:{live.port}"}
    assert any(url.endswith("/static/ninja/swagger-ui-bundle.js") for url in requested)
    assert any(url.endswith("/api/v1/openapi.json") for url in requested)
    assert violations == []
    assert errors == []


def test_footer_links_to_the_api_docs(login_page, live):
    """Every page's footer links to the API docs, and the link opens them."""
    page = login_page(UserFactory())
    page.goto(live.url + "/")
    page.get_by_role("contentinfo").get_by_role("link", name="API").click()
    expect(page).to_have_url(live.url + "/api/v1/docs")
    # The same 1.5 MB Swagger bundle as above: a loaded machine needs the same patience.
    expect(page.get_by_role("heading", name="Beseda API")).to_be_visible(timeout=20_000)
