"""The notification centre's pages, each allowed and denied, and the chat mute toggle."""

import re

import pytest
from django.urls import reverse

from chats.models import Membership
from notifications import selectors, services
from notifications.models import Kind, Notification, NotificationSettings
from social import services as social
from tests.factories import DialogFactory, GroupFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/notifications/"
# Session and allauth bookkeeping, then the page of notifications and the unread count.
LIST_QUERIES = 9


def liked_by(author, *likers):
    """`author`'s new post, liked by each of `likers`; returns their notifications."""
    post = PostFactory(author=author, text="Sunset over the lake")
    for liker in likers:
        social.post_like_toggle(user=liker, post_id=post.pk)
    return list(Notification.objects.filter(recipient=author).order_by("pk"))


def login(client, user):
    client.force_login(user)
    return client


# -- anonymous ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", LIST),
        ("get", "/notifications/count/"),
        ("get", "/notifications/settings/"),
        ("post", "/notifications/settings/"),
        ("post", "/notifications/read-all/"),
        ("post", "/notifications/1/read/"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, user, method, path):
    """Every page of the centre asks an anonymous visitor to log in and changes nothing."""
    liked_by(user, UserFactory())
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert selectors.unread_count(user) == 1


# -- the list ---------------------------------------------------------------------------------
def test_list_shows_why_each_notification_came(client, user):
    """The centre lists my notifications with the reason, an excerpt and a link, under a
    day heading; the bell in the top bar leads there."""
    anna = UserFactory(first_name="Anna", last_name="Petrova")
    liked_by(user, anna)
    other = UserFactory()
    liked_by(other, UserFactory(first_name="Zoe", last_name="Hidden"))
    response = login(client, user).get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Anna Petrova liked your post" in html
    assert "Sunset over the lake" in html
    assert "Today" in html
    assert "Zoe Hidden" not in html
    assert 'id="topbar-badge-notifications"' in html


def test_unread_tab_leaves_out_read_ones(client, user):
    """?show=unread lists only unread notifications."""
    first, second = liked_by(user, UserFactory(first_name="Read"), UserFactory(first_name="New"))
    services.notification_mark_read(user=user, notification_id=first.pk)
    html = login(client, user).get(LIST, {"show": "unread"}).content.decode()
    assert f'id="notification-{second.pk}"' in html
    assert f'id="notification-{first.pk}"' not in html


def test_list_pages_with_older_link(client, user):
    """Past one page an "Older notifications" link continues where the page ended."""
    rows = liked_by(user, *[UserFactory() for _ in range(selectors.PAGE_SIZE + 2)])
    client = login(client, user)
    first = client.get(LIST)
    oldest_shown = rows[-selectors.PAGE_SIZE]
    assert f"before={oldest_shown.pk}" in first.content.decode()
    second = client.get(LIST, {"before": oldest_shown.pk}).content.decode()
    assert f'id="notification-{rows[0].pk}"' in second
    assert f'id="notification-{rows[-1].pk}"' not in second


@pytest.mark.parametrize("before", ["abc", "-1", "9" * 40, ""])
def test_odd_page_marks_show_the_first_page(client, user, before):
    """A malformed `before` is ignored (the first page), never a server error."""
    (notification,) = liked_by(user, UserFactory())
    response = login(client, user).get(LIST, {"before": before})
    assert response.status_code == 200
    assert f'id="notification-{notification.pk}"' in response.content.decode()


@pytest.mark.parametrize("count", [2, 20])
def test_list_query_count_does_not_grow(client, user, count, django_assert_max_num_queries):
    """The centre costs the same queries for few or many notifications of every subject
    (posts, comments, chats, messages)."""
    import uuid

    from chats import services as chats

    for _ in range(count):
        other = UserFactory()
        post = PostFactory(author=user)
        social.post_like_toggle(user=other, post_id=post.pk)
        social.comment_create(author=other, post_id=post.pk, text="nice")
        chat = GroupFactory(created_by=other, members=[user])
        chats.message_send(
            sender=other, chat=chat, text=f"@{user.username} hi", client_id=uuid.uuid4()
        )
    client = login(client, user)
    client.get(LIST)  # the session's first request records it (allauth usersessions)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(LIST).status_code == 200


# -- mark read ----------------------------------------------------------------------------------
def test_mark_read_with_htmx_swaps_the_item(client, user):
    """Mark read answers htmx with the item, now read; the count drops."""
    (notification,) = liked_by(user, UserFactory())
    response = login(client, user).post(
        reverse("notifications:read", args=[notification.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "notification-unread" not in response.content.decode()
    assert selectors.unread_count(user) == 0


def test_mark_read_of_someone_elses_is_404(client, user, other_user):
    """Marking another person's notification read is a 404 and it stays unread."""
    (theirs,) = liked_by(other_user, UserFactory())
    response = login(client, user).post(reverse("notifications:read", args=[theirs.pk]))
    assert response.status_code == 404
    assert selectors.unread_count(other_user) == 1


def test_mark_read_needs_post(client, user):
    """A GET does not mark anything read."""
    (notification,) = liked_by(user, UserFactory())
    response = login(client, user).get(reverse("notifications:read", args=[notification.pk]))
    assert response.status_code == 405
    assert selectors.unread_count(user) == 1


def test_mark_all_read_clears_mine_only(client, user, other_user):
    """Mark all read empties my unread list (redirecting back) and leaves others' alone."""
    liked_by(user, UserFactory(), UserFactory())
    liked_by(other_user, UserFactory())
    response = login(client, user).post("/notifications/read-all/")
    assert response.status_code == 302 and response["Location"] == LIST
    assert selectors.unread_count(user) == 0
    assert selectors.unread_count(other_user) == 1


def test_mark_all_read_with_htmx_returns_the_list(client, user):
    """With htmx, mark all read answers with the list, without the button."""
    liked_by(user, UserFactory())
    response = login(client, user).post("/notifications/read-all/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "notification-unread" not in html and "Mark all read" not in html


def test_count_is_mine(client, user, other_user):
    """The badge's JSON counts my unread notifications only."""
    liked_by(user, UserFactory(), UserFactory())
    liked_by(other_user, UserFactory())
    assert login(client, user).get("/notifications/count/").json() == {"unread": 2}


# -- settings -----------------------------------------------------------------------------------
def test_settings_save_kinds_and_digest(client, user):
    """Unticking a kind switches it off; the digest box is remembered."""
    kinds = [kind for kind in Kind.values if kind != Kind.POST_LIKED]
    response = login(client, user).post(
        "/notifications/settings/", {"kinds": kinds, "email_digest": "on"}
    )
    assert response.status_code == 302
    saved = NotificationSettings.objects.get(user=user)
    assert (saved.email_digest, saved.muted_kinds) == (True, [Kind.POST_LIKED])
    page = client.get("/notifications/settings/").content.decode()
    assert re.search(r'<input type="checkbox" name="email_digest"[^>]* checked', page)
    assert not re.search(r'<input[^>]* value="post_liked"[^>]* checked', page)
    assert re.search(r'<input[^>]* value="post_commented"[^>]* checked', page)


def test_settings_refuse_an_unknown_kind(client, user):
    """An unknown kind is a form error (400) and nothing is saved."""
    response = login(client, user).post("/notifications/settings/", {"kinds": ["bogus"]})
    assert response.status_code == 400
    assert "bogus" in response.content.decode()
    assert not NotificationSettings.objects.exists()


# -- chat mute ----------------------------------------------------------------------------------
def test_member_mutes_and_unmutes_a_chat(client, user, other_user):
    """The chat menu's toggle mutes the chat for me only, and unmutes it."""
    chat = DialogFactory(user=user, other=other_user)
    client = login(client, user)
    page = client.get(f"/chats/{chat.pk}/").content.decode()
    assert "Mute notifications" in page
    response = client.post(f"/chats/{chat.pk}/mute/", {"muted": "1"})
    assert response.status_code == 302
    assert Membership.objects.get(chat=chat, user=user).muted
    assert not Membership.objects.get(chat=chat, user=other_user).muted
    assert "Unmute notifications" in client.get(f"/chats/{chat.pk}/").content.decode()
    client.post(f"/chats/{chat.pk}/mute/", {"muted": "0"})
    assert not Membership.objects.get(chat=chat, user=user).muted


def test_outsider_cannot_mute_a_chat(client, user, other_user):
    """Muting a chat I am not in is a 404 and changes nothing."""
    chat = GroupFactory(created_by=other_user)
    response = login(client, user).post(f"/chats/{chat.pk}/mute/", {"muted": "1"})
    assert response.status_code == 404
    assert not Membership.objects.filter(muted=True).exists()


def test_mute_needs_a_clear_choice(client, user, other_user):
    """A missing or odd `muted` value is a 400 and changes nothing."""
    chat = DialogFactory(user=user, other=other_user)
    response = login(client, user).post(f"/chats/{chat.pk}/mute/", {"muted": "maybe"})
    assert response.status_code == 400
    assert not Membership.objects.filter(muted=True).exists()


def test_friend_request_notification_offers_accept_and_decline(client, user, other_user):
    """A friend request in the notification centre has Accept and Decline; Accept makes the
    two friends (and Decline from a stranger's account changes nothing of theirs)."""
    from social.models import Friendship

    social.friend_request_send(from_user=other_user, to_user=user)
    html = login(client, user).get(reverse("notifications:list")).content.decode()
    accept = reverse("social:friend_action", args=[other_user.username, "accept"])
    decline = reverse("social:friend_action", args=[other_user.username, "decline"])
    assert f'action="{accept}"' in html and f'action="{decline}"' in html
    response = client.post(accept, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Friendship.objects.filter(user=user, friend=other_user).exists()


def test_other_notifications_have_no_friend_buttons(client, user):
    """A like is not a request: no Accept or Decline next to it."""
    liked_by(user, UserFactory())
    html = login(client, user).get(reverse("notifications:list")).content.decode()
    assert "/accept/" not in html and "/decline/" not in html
