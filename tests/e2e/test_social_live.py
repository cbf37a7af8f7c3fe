"""Two people in two browsers: friend request, a photo post, a like and a comment, live."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def png(color: str) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), color).save(out, "PNG")
    return {"name": f"{color}.png", "mimeType": "image/png", "buffer": out.getvalue()}


def socket_open(page):
    expect(page.locator("body")).to_have_attribute("data-socket", "open")


def test_friends_post_like_and_comment_update_live(login_page, live):
    """A befriends B, posts two photos to friends; B likes and comments; A's open page shows
    both without a reload, and B saw the request arrive as a live badge."""
    alice = UserFactory(first_name="Алиса", last_name="Смирнова", username="alice")
    bob = UserFactory(first_name="Bob", last_name="Stone", username="bob")
    page_a, page_b = login_page(alice), login_page(bob)

    # B waits on the feed; A finds B from the top bar and asks.
    page_b.goto(live.url + "/")
    socket_open(page_b)
    badge = page_b.locator("#nav-badge-friends")
    expect(badge).to_be_hidden()

    page_a.goto(live.url + "/")
    page_a.get_by_role("searchbox", name="Search", exact=True).fill("bob")
    page_a.keyboard.press("Enter")
    expect(page_a).to_have_url(re.compile(r"/search/\?q=bob"))
    socket_open(page_a)
    row = page_a.locator(".person-row", has_text="Bob Stone")
    row.get_by_role("button", name="Add friend").click()
    expect(row.get_by_text("Request sent")).to_be_visible()

    expect(badge).to_have_text("1")
    expect(badge).to_be_visible()

    # B accepts from the incoming list.
    page_b.get_by_role("link", name=re.compile("^Friends")).click()
    page_b.get_by_role("link", name=re.compile("Incoming requests")).click()
    expect(page_b).to_have_url(re.compile(r"tab=incoming"))
    socket_open(page_b)  # htmx is ready, so Accept swaps the button in place
    request_row = page_b.locator(".person-row", has_text="Алиса Смирнова")
    request_row.get_by_role("button", name="Accept").click()
    expect(request_row.get_by_role("button", name="Remove from friends")).to_be_visible()
    expect(badge).to_be_hidden()

    # A posts two photos to friends and keeps the page open.
    page_a.goto(live.url + "/")
    socket_open(page_a)
    page_a.get_by_label("What's new?").fill("Горы сегодня https://example.org/trip")
    page_a.get_by_label("Photos").set_input_files([png("teal"), png("orange")])
    page_a.get_by_label("Who can see it").select_option("friends")
    page_a.get_by_role("button", name="Publish").click()
    post_a = page_a.locator("article.post", has_text="Горы сегодня")
    expect(post_a.locator(".post-photos img")).to_have_count(2)
    expect(post_a.get_by_text("Friends only")).to_be_visible()
    socket_open(page_a)  # the page after publishing listens before B acts
    expect(post_a.get_by_role("link", name="https://example.org/trip")).to_have_attribute(
        "rel", "nofollow noopener noreferrer"
    )
    page_a.evaluate("window.__stillTheSamePage = true")

    # B sees it in the feed, likes it and comments.
    page_b.goto(live.url + "/")
    post_b = page_b.locator("article.post", has_text="Горы сегодня")
    expect(post_b.locator(".post-photos img")).to_have_count(2)
    post_b.get_by_role("button", name=re.compile("Like")).click()
    expect(post_b.get_by_role("button", name=re.compile("Like"))).to_have_attribute(
        "aria-pressed", "true"
    )
    post_b.get_by_label("Write a comment").fill("Красота! <b>wow</b>")
    post_b.get_by_role("button", name="Send").click()
    expect(post_b.locator(".comment", has_text="Красота! <b>wow</b>")).to_have_count(1)
    expect(post_b.get_by_label("Write a comment")).to_have_value("")

    # A's open page updated live.
    expect(post_a.locator("[data-like-count]")).to_have_text("1")
    expect(post_a.locator("[data-comment-count]")).to_have_text("1")
    comment = post_a.locator(".comment", has_text="Красота!")
    expect(comment).to_be_visible()
    expect(comment.locator(".comment-author")).to_have_text("Bob Stone")
    expect(comment.locator("b")).to_have_count(0)
    # The post's author may delete comments under it, and sees the button on live comments too.
    expect(comment.get_by_role("button", name="Delete")).to_be_visible()
    # Someone else's live comment can be reported; one's own cannot.
    expect(comment.get_by_role("link", name="Report")).to_have_attribute(
        "href", re.compile(r"^/report/comment/\d+/\?next=%2F")
    )
    expect(post_b.locator(".comment", has_text="Красота!").locator(".report-link")).to_have_count(0)
    assert page_a.evaluate("window.__stillTheSamePage") is True

    # A deletes the comment; it disappears from B's page live.
    comment.get_by_role("button", name="Delete").click()
    page_a.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(comment).to_have_count(0)
    expect(post_b.locator(".comment", has_text="Красота!")).to_have_count(0)
    expect(post_b.locator("[data-comment-count]")).to_have_text("0")


def test_refused_comment_shows_the_reason(login_page, live):
    """An empty comment is answered with the reason next to the form, nothing is added."""
    alice = UserFactory()
    page = login_page(alice)
    page.goto(live.url + "/")
    page.get_by_label("What's new?").fill("Just text")
    page.get_by_role("button", name="Publish").click()
    post = page.locator("article.post", has_text="Just text")
    socket_open(page)  # scripts have run: the form now submits through htmx
    post.get_by_role("button", name="Send").click()
    expect(post.get_by_role("alert")).to_have_text("Write a comment or add a photo.")
    expect(post.locator(".comment")).to_have_count(0)


def test_older_posts_load_in_place(login_page, live):
    """The "Older posts" button appends the next page without leaving the feed."""
    from tests.factories import PostFactory

    alice = UserFactory()
    for n in range(23):
        PostFactory(author=alice, text=f"Post number {n:02d}")
    page = login_page(alice)
    page.goto(live.url + "/")
    expect(page.locator("article.post")).to_have_count(20)
    page.get_by_role("link", name="Older posts").click()
    expect(page.locator("article.post")).to_have_count(23)
    expect(page.get_by_text("Post number 00")).to_be_visible()
    expect(page.get_by_role("link", name="Older posts")).to_have_count(0)
    assert page.url == live.url + "/"
