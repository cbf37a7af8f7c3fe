"""Every page a person uses (the Django admin excluded), with the data that fills it, for the
whole-site browser checks: the phone tour (test_phone.py) and axe-core (test_axe.py)."""

from __future__ import annotations

from dataclasses import dataclass

from notifications import services as notifications
from tests.factories import (
    CommentFactory,
    DialogFactory,
    FriendRequestFactory,
    GroupFactory,
    MessageFactory,
    PostFactory,
    ReplyFactory,
    TopicFactory,
    UserFactory,
    befriend,
)


@dataclass
class Site:
    user: object
    signed_in: list[str]
    anonymous: list[str]


def site_with_data() -> Site:
    """Anna with a friend, a pending request, a post, a topic, a dialog and a group she owns."""
    anna = UserFactory(first_name="Anna", last_name="Petrova", username="anna")
    boris = UserFactory(first_name="Boris", last_name="Ivanov", username="boris")
    carl = UserFactory(first_name="Carl", last_name="Smirnov", username="carl")
    befriend(anna, boris)
    FriendRequestFactory(from_user=carl, to_user=anna)
    notifications.notify_friend_request(from_user=carl, to_user=anna)
    post = PostFactory(author=anna, text="Our first post, with a long enough text to wrap " * 3)
    CommentFactory(post=post, author=boris, text="A comment on it")
    topic = TopicFactory(author=boris, title="Where do we meet on Saturday?")
    ReplyFactory(topic=topic, author=anna, text="At the station, at ten.")
    dialog = DialogFactory(user=anna, other=boris)
    MessageFactory(
        sender=boris, chat=dialog, text="Hello Anna, see https://example.org/a/long/path"
    )
    MessageFactory(sender=anna, chat=dialog, text="Hi!")
    group = GroupFactory(created_by=anna, members=[boris, carl], title="Weekend trip")
    message = MessageFactory(sender=boris, chat=group, text="Who takes the tent?")
    signed_in = [
        "/",
        "/u/anna/",
        "/u/boris/",
        "/u/anna/wall/",
        "/settings/profile/",
        "/friends/",
        "/search/?q=bo",
        f"/posts/{post.pk}/",
        f"/posts/{post.pk}/edit/",
        "/board/",
        f"/board/{topic.pk}/",
        "/board/new/",
        "/chats/",
        f"/chats/{dialog.pk}/",
        f"/chats/{group.pk}/",
        f"/chats/{group.pk}/settings/",
        f"/chats/{group.pk}/audit/",
        "/chats/new/",
        f"/report/message/{message.pk}/",
        "/notifications/",
        "/notifications/settings/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/sessions/",
        "/settings/export/",
        "/settings/blocked/",
        "/settings/delete/",
    ]
    anonymous = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
    return Site(user=anna, signed_in=signed_in, anonymous=anonymous)
