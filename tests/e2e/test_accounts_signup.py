"""Signing up in a real browser: verification mail, login, profile, avatar with Cropper."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "a-fresh-long-passphrase-7"


def mail_text(message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "".join(
        part.get_payload(decode=True).decode()
        for part in parts
        if part.get_content_type() == "text/plain"
    )


def test_signup_verify_login_profile_and_avatar(page, live, smtp_sink, tmp_path):
    """A visitor signs up, confirms the emailed link (which logs them in), sets a DD.MM
    birthday and a
    cropped avatar that then shows in the top bar."""
    page.set_default_timeout(10_000)
    page.goto(live.url + "/accounts/signup/")
    page.locator("input[name=email]").fill("newcomer@example.org")
    page.locator("input[name=username]").fill("newcomer")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    text = mail_text(smtp_sink.wait_for("newcomer@example.org"))
    # The mail names the site from settings (SITE_NAME, SITE_URL), never Django's example.com.
    assert "example.com" not in text
    assert "Hello from Beseda!" in text
    assert f"register an account on {live.host}:{live.port}" in text
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", text)
    assert link, "the verification mail has no confirmation link"
    page.goto(link.group(0))
    expect(page.get_by_text("newcomer@example.org")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()

    # Confirming the address in the browser that signed up logs the newcomer in.
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    page.goto(live.url + "/settings/profile/")
    page.get_by_label("First name").fill("Nova")
    page.get_by_label("Birth date").fill("07.04")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    page.goto(live.url + "/u/newcomer/")
    expect(page.get_by_text("7 April")).to_be_visible()
    expect(page.get_by_text("years old")).to_have_count(0)

    picture = tmp_path / "me.png"
    image = Image.new("RGB", (640, 400), (20, 110, 200))
    image.paste((250, 200, 0), (320, 0, 640, 400))
    image.save(picture)
    page.goto(live.url + "/settings/profile/")
    page.get_by_label("New picture").set_input_files(picture)
    expect(page.locator("form[data-cropper-ready]")).to_have_count(1)  # default crop box
    expect(page.locator("input[name=crop_width]")).not_to_have_value("")
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_text("Your new picture is on your profile.")).to_be_visible()

    top_bar_avatar = page.locator("header .user-menu img.avatar")
    expect(top_bar_avatar).to_be_visible()
    expect(top_bar_avatar).to_have_attribute("src", re.compile(r"^/media/avatars/\d+/thumb-"))
    page.wait_for_function(  # the picture really loads (served from MEDIA_ROOT, 256 px)
        "img => img.complete && img.naturalWidth === 256", arg=top_bar_avatar.element_handle()
    )
