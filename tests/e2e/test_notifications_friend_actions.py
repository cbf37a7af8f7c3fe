"""The Accept and Decline buttons of a friend-request notification work from the
notifications page: the request is answered and the other person sees the result."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from social.models import FriendRequest
from social.selectors.friends import are_friends
from social.services.friends import friend_request_send
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_accept_and_decline_from_the_notifications_page(login_page, live):
    """Anna and Carl ask Boris; on his notifications page Boris accepts Anna and declines
    Carl: Anna's view of his profile offers "Remove from friends", Carl's "Add friend"."""
    anna = UserFactory(first_name="Anna", last_name="Petrova", username="anna")
    boris = UserFactory(first_name="Boris", last_name="Orlov", username="boris")
    carl = UserFactory(first_name="Carl", last_name="Berg", username="carl")
    friend_request_send(from_user=anna, to_user=boris)
    friend_request_send(from_user=carl, to_user=boris)
    page_b = login_page(boris)
    page_b.goto(f"{live.url}/notifications/")
    expect(page_b.locator("body")).to_have_attribute("data-socket", "open")

    from_anna = page_b.locator(f"#friend-button-{anna.pk}")
    from_anna.get_by_role("button", name="Accept").click()
    expect(
        page_b.locator(f"#friend-button-{anna.pk}").get_by_role("button", name="Accept")
    ).to_have_count(0)
    from_carl = page_b.locator(f"#friend-button-{carl.pk}")
    from_carl.get_by_role("button", name="Decline").click()
    expect(
        page_b.locator(f"#friend-button-{carl.pk}").get_by_role("button", name="Decline")
    ).to_have_count(0)

    assert are_friends(anna.pk, boris.pk)
    assert not are_friends(carl.pk, boris.pk)
    assert not FriendRequest.objects.filter(to_user=boris).exists()

    page_a, page_c = login_page(anna), login_page(carl)
    page_a.goto(f"{live.url}/u/boris/")
    expect(page_a.get_by_role("button", name="Remove from friends")).to_be_visible()
    page_c.goto(f"{live.url}/u/boris/")
    expect(page_c.get_by_role("button", name="Add friend")).to_be_visible()
