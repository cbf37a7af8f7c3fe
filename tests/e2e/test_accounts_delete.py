"""Deleting an account in a real browser, including the slip of pressing Delete before ticking
the confirmation box (the re-authenticated page must still post to the deletion view)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.e2e


def test_delete_after_forgetting_the_checkbox(login_page, live):
    """Password, Delete without the box (an error), tick, Delete again: the account is gone."""
    user = UserFactory(first_name="Dora")
    page = login_page(user, viewport={"width": 390, "height": 844})
    page.goto(live.url + "/settings/delete/")
    delete = page.get_by_role("button", name="Delete my account")

    # The slip: Delete before ticking. allauth asks for the password first, then replays the
    # POST, which fails on the box; that page is rendered at the re-authentication address.
    delete.click()
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page.get_by_text("Tick the box to confirm that you want to delete it.")).to_be_visible()
    assert User.objects.get(pk=user.pk).is_active

    page.get_by_label(re.compile("I understand that my account is deleted")).check()
    delete.click()
    expect(page.get_by_text("Your account is deleted. Goodbye!")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert User.objects.get(pk=user.pk).is_deleted
