"""A user reports a message; a moderator (staff in the moderators group, not a superuser)
suspends its author in the admin; the author's open socket closes at once and their next login
is refused with a clear message."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from moderation.models import ModerationAction, Report
from tests.factories import DialogFactory, MessageFactory, UserFactory
from tests.factories.accounts import PASSWORD
from tests.moderation.conftest import make_moderator

pytestmark = pytest.mark.e2e


def test_report_suspend_in_admin_closes_socket_and_refuses_login(login_page, live):
    author = UserFactory(username="rude", first_name="Rude", last_name="Person")
    reporter = UserFactory(username="victim", first_name="Vera", last_name="Victim")
    moderator = make_moderator(username="mod")
    assert not moderator.is_superuser
    chat = DialogFactory(user=reporter, other=author)
    MessageFactory(sender=reporter, chat=chat, text="Hello there")
    MessageFactory(sender=author, chat=chat, text="I will find you")

    # The author has the dialog open (on a phone): their socket is connected.
    author_page = login_page(author, viewport={"width": 390, "height": 844})
    author_page.goto(f"{live.url}/chats/{chat.pk}/")
    expect(author_page.locator("body")).to_have_attribute("data-socket", "open")

    # The reporter reports the message from its menu.
    victim = login_page(reporter)
    victim.goto(f"{live.url}/chats/{chat.pk}/")
    expect(victim.locator("body")).to_have_attribute("data-chat-ready", "1")
    threat = victim.locator("li.msg").filter(has_text="I will find you")
    threat.get_by_label("Message actions").click()
    expect(threat.get_by_role("button", name="Delete for everyone")).to_have_count(0)
    threat.get_by_role("button", name="Report").click()
    expect(victim.get_by_role("heading", name="Report: Message")).to_be_visible()
    expect(victim.get_by_text("I will find you")).to_be_visible()
    victim.get_by_label("What is wrong?").select_option("violence")
    victim.get_by_role("button", name="Send report").click()
    expect(victim).to_have_url(re.compile(rf"/chats/{chat.pk}/$"))
    expect(victim.get_by_text("The moderators will look at your report.")).to_be_visible()
    report = Report.objects.get()
    assert report.snapshot["context_before"][0]["text"] == "Hello there"

    # The moderator opens the queue, filters open reports and suspends the author for 3 days.
    admin = login_page(moderator)
    admin.goto(f"{live.url}/admin/moderation/report/?state__exact=open")
    row = admin.locator("#result_list tbody tr").filter(has_text="I will find you")
    expect(row).to_have_count(1)
    row.locator("input.action-select").check()
    admin.locator("select[name=action]").select_option("suspend_author")
    admin.get_by_role("spinbutton", name="Days").fill("3")
    admin.get_by_role("textbox", name="Reason").fill("Threats in a private message")
    # The author's page notes when its socket closes (both pages share the machine's clock).
    author_page.evaluate(
        """() => new MutationObserver(() => {
            if (document.body.dataset.socket === "closed") window.__closedAt ??= Date.now();
        }).observe(document.body, {attributes: true, attributeFilter: ["data-socket"]})"""
    )
    submitted_at = admin.evaluate("() => Date.now()")
    admin.get_by_role("button", name="Go").click()

    # The author's socket closes within about a second of the moderator's click.
    expect(author_page.locator("body")).to_have_attribute("data-socket", "closed", timeout=3000)
    closed_after_ms = author_page.evaluate("() => window.__closedAt") - submitted_at
    assert closed_after_ms < 1500, closed_after_ms
    expect(admin.locator(".messagelist")).to_contain_text("Suspended: 1")

    # The open page says why and until when, links to the login page, disables the composer
    # and stays closed (no silent reconnection attempts).
    banner = author_page.get_by_role("alert").filter(has_text="suspended by the moderators until")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(str(User.objects.get(pk=author.pk).suspended_until.year))
    expect(banner.get_by_role("link", name="Go to the login page")).to_have_attribute(
        "href", "/accounts/login/"
    )
    expect(author_page.locator("#composer textarea")).to_be_disabled()
    expect(author_page.locator("body")).to_have_attribute("data-session", "ended")
    expect(author_page.locator("body")).to_have_attribute("data-socket", "closed")

    # Their session is gone; logging in again is refused with a clear message.
    author_page.goto(f"{live.url}/chats/")
    expect(author_page).to_have_url(re.compile(r"/accounts/login/"))
    author_page.locator("input[name=login]").fill("rude")
    author_page.locator("input[name=password]").fill(PASSWORD)
    author_page.get_by_role("button", name="Sign In", exact=True).click()
    expect(
        author_page.get_by_text("This account is suspended by the moderators until")
    ).to_be_visible()
    expect(author_page.get_by_role("navigation", name="Main")).to_have_count(0)

    author.refresh_from_db()
    assert author.is_suspended
    logged = ModerationAction.objects.get(kind="suspend")
    assert (logged.moderator, logged.target_user, logged.reason) == (
        moderator,
        author,
        "Threats in a private message",
    )
    report.refresh_from_db()
    assert report.state == Report.State.ACTIONED
    assert User.objects.get(pk=moderator.pk).is_staff
