"""/api/v1/notifications…: every operation allowed and denied; the chat mute operation."""

import pytest

from chats.models import Membership
from notifications import selectors
from notifications.models import Kind, Notification, NotificationSettings
from social import services as social
from tests.factories import DialogFactory, GroupFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications"


def likes_for(author, count=1) -> list[Notification]:
    post = PostFactory(author=author, text="Morning run")
    for _ in range(count):
        social.post_like_toggle(user=UserFactory(), post_id=post.pk)
    return list(Notification.objects.filter(recipient=author).order_by("pk"))


def state() -> list[tuple]:
    """Every notification's read mark and every person's settings."""
    return sorted(Notification.objects.values_list("pk", "read_at")) + sorted(
        NotificationSettings.objects.values_list("user_id", "email_digest", "muted_kinds")
    )


OPERATIONS = [
    ("get", API, None),
    ("get", f"{API}/count", None),
    ("post", f"{API}/read-all", {}),
    ("post", f"{API}/{{id}}/read", {}),
    ("get", f"{API}/settings", None),
    ("put", f"{API}/settings", {"email_digest": True, "muted_kinds": []}),
]


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
def test_anonymous_gets_401_and_nothing_changes(anon_api, user, method, path, body):
    """Without a token or session every operation is 401 and changes nothing."""
    (notification,) = likes_for(user)
    before = state()
    path = path.format(id=notification.pk)
    response = anon_api.get(path) if method == "get" else getattr(anon_api, method)(path, body)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert state() == before


def test_list_shows_mine_with_why_and_subject(api_as, user, other_user):
    """GET lists my notifications newest first, each with its kind, reason and subject."""
    rows = likes_for(user, 2)
    likes_for(other_user)
    body = api_as(user).get(API).json()
    assert [item["id"] for item in body["items"]] == [rows[1].pk, rows[0].pk]
    item = body["items"][0]
    assert item["kind"] == Kind.POST_LIKED
    assert item["text"] == f"{rows[1].actor.display_name} liked your post"
    assert item["excerpt"] == "Morning run"
    assert item["url"] == f"/posts/{rows[1].post_id}/"
    assert item["read"] is False
    assert set(item) == {
        "id", "kind", "text", "excerpt", "actor", "post", "comment", "chat", "message",
        "url", "created_at", "read",
    }  # fmt: skip


def test_list_pages_and_filters_unread(api_as, user):
    """`next` walks every notification once; unread=true leaves read ones out."""
    rows = likes_for(user, 3)
    api = api_as(user)
    first = api.get(API, limit=2).json()
    second = api.get(API, limit=2, cursor=first["next"]).json()
    assert [i["id"] for i in first["items"] + second["items"]] == [r.pk for r in rows[::-1]]
    assert second["next"] is None
    api.post(f"{API}/{rows[2].pk}/read")
    unread = api.get(API, unread="true").json()["items"]
    assert [i["id"] for i in unread] == [rows[1].pk, rows[0].pk]


def test_count_is_mine(api_as, user, other_user):
    likes_for(user, 2)
    likes_for(other_user, 1)
    assert api_as(user).get(f"{API}/count").json() == {"unread": 2}


def test_mark_read_marks_mine(api_as, user):
    """POST …/{id}/read marks my notification read and answers it."""
    (notification,) = likes_for(user)
    response = api_as(user).post(f"{API}/{notification.pk}/read")
    assert response.status_code == 200
    assert response.json()["read"] is True
    assert selectors.unread_count(user) == 0


def test_mark_read_of_someone_elses_is_404(api_as, user, other_user):
    """Someone else's notification is not found and stays unread."""
    (theirs,) = likes_for(other_user)
    before = state()
    response = api_as(user).post(f"{API}/{theirs.pk}/read")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert state() == before


def test_read_all_marks_mine_only(api_as, user, other_user):
    """POST read-all marks all of mine read and says how many; others' stay unread."""
    likes_for(user, 3)
    likes_for(other_user, 1)
    assert api_as(user).post(f"{API}/read-all").json() == {"marked": 3, "unread": 0}
    assert selectors.unread_count(other_user) == 1


def test_settings_round_trip(api_as, user):
    """PUT settings stores mine; GET answers them; the defaults are digest off, all kinds on."""
    api = api_as(user)
    assert api.get(f"{API}/settings").json() == {"email_digest": False, "muted_kinds": []}
    body = {"email_digest": True, "muted_kinds": ["post_liked", "friend_request"]}
    response = api.put(f"{API}/settings", body)
    assert response.status_code == 200
    assert response.json() == {
        "email_digest": True,
        "muted_kinds": ["friend_request", "post_liked"],
    }
    assert api.get(f"{API}/settings").json()["muted_kinds"] == ["friend_request", "post_liked"]


@pytest.mark.parametrize(
    "body",
    [
        {"email_digest": True, "muted_kinds": ["bogus"]},
        {"email_digest": "yes", "muted_kinds": []},
        {"muted_kinds": []},
        {"email_digest": True, "muted_kinds": [], "extra": 1},
    ],
    ids=["unknown kind", "not a boolean", "missing digest", "unknown field"],
)
def test_settings_refuse_bad_input(api_as, user, body):
    """Bad settings are a 400 naming the field, and nothing is saved."""
    response = api_as(user).put(f"{API}/settings", body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not NotificationSettings.objects.exists()


# -- PUT /chats/{id}/mute ---------------------------------------------------------------------
def test_member_mutes_a_chat(api_as, user, other_user):
    """A member mutes and unmutes a chat for themselves only."""
    chat = DialogFactory(user=user, other=other_user)
    api = api_as(user)
    assert api.put(f"/api/v1/chats/{chat.pk}/mute", {"muted": True}).json() == {"muted": True}
    assert Membership.objects.get(chat=chat, user=user).muted
    assert api.get(f"/api/v1/chats/{chat.pk}").json()["muted"] is True
    assert not Membership.objects.get(chat=chat, user=other_user).muted
    assert api.put(f"/api/v1/chats/{chat.pk}/mute", {"muted": False}).json() == {"muted": False}
    assert not Membership.objects.filter(muted=True).exists()


def test_outsider_cannot_mute_a_chat(api_as, user, other_user):
    """Muting a chat one is not in is a 404 and changes nothing."""
    chat = GroupFactory(created_by=other_user)
    response = api_as(user).put(f"/api/v1/chats/{chat.pk}/mute", {"muted": True})
    assert response.status_code == 404
    assert not Membership.objects.filter(muted=True).exists()
