"""The report page behind every "Report" control, and the warning shown on the next page."""

import pytest
from django.utils.translation import gettext, override

from chats.models import Chat
from moderation import services
from moderation.models import Report
from social.models import Audience
from tests.factories import (
    CommentFactory,
    DialogFactory,
    MessageFactory,
    PostFactory,
    ReplyFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_reporter(client, reporter):
    client.force_login(reporter)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def public_post(author):
    return PostFactory(author=author, text="cheap pills", audience=Audience.EVERYONE)


def test_report_page_shows_what_is_reported(as_reporter, public_post):
    response = as_reporter.get(f"/report/post/{public_post.pk}/?next=/posts/{public_post.pk}/")
    assert response.status_code == 200
    assert "cheap pills" in response.content.decode()
    assert response.context["next"] == f"/posts/{public_post.pk}/"


def test_sending_the_form_files_a_report_and_goes_back(as_reporter, public_post, reporter):
    response = as_reporter.post(
        f"/report/post/{public_post.pk}/",
        {"reason": "spam", "details": "every day", "next": "/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    made = Report.objects.get()
    assert (made.reporter, made.kind, made.object_id) == (reporter, "post", public_post.pk)
    assert made.snapshot["text"] == "cheap pills"


def test_report_page_of_something_hidden_is_404_and_files_nothing(as_reporter, author):
    private = PostFactory(author=author, audience=Audience.FRIENDS)
    assert as_reporter.get(f"/report/post/{private.pk}/").status_code == 404
    assert as_reporter.post(f"/report/post/{private.pk}/", {"reason": "spam"}).status_code == 404
    assert as_reporter.get("/report/nonsense/1/").status_code == 404
    assert not Report.objects.exists()


def test_report_page_needs_a_login(client, public_post):
    response = client.post(f"/report/post/{public_post.pk}/", {"reason": "spam"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Report.objects.exists()


def test_bad_reason_is_a_form_error(as_reporter, public_post):
    response = as_reporter.post(f"/report/post/{public_post.pk}/", {"reason": "boredom"})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert not Report.objects.exists()


def test_next_pointing_elsewhere_is_ignored(as_reporter, public_post):
    response = as_reporter.post(
        f"/report/post/{public_post.pk}/", {"reason": "spam", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_report_controls_are_on_others_content_only(as_reporter, reporter, author, public_post):
    """Posts, comments, topics, replies and profiles of others have a Report link."""
    CommentFactory(post=public_post, author=author, text="c")
    mine = PostFactory(author=reporter, audience=Audience.EVERYONE)
    page = as_reporter.get(f"/posts/{public_post.pk}/").content.decode()
    assert f"/report/post/{public_post.pk}/" in page
    assert "/report/comment/" in page
    own = as_reporter.get(f"/posts/{mine.pk}/").content.decode()
    assert f"/report/post/{mine.pk}/" not in own

    topic = TopicFactory(author=author)
    reply = ReplyFactory(topic=topic, author=author)
    board = as_reporter.get(f"/board/{topic.pk}/").content.decode()
    assert f"/report/topic/{topic.pk}/" in board
    assert f"/report/reply/{reply.pk}/" in board
    profile = as_reporter.get(f"/u/{author.username}/").content.decode()
    assert f"/report/user/{author.pk}/" in profile


def test_chat_page_knows_where_to_report_a_message(as_reporter, reporter, author):
    chat: Chat = DialogFactory(user=reporter, other=author)
    message = MessageFactory(sender=author, chat=chat, text="threat")
    response = as_reporter.get(f"/chats/{chat.pk}/")
    assert response.context["state"]["urls"]["report"] == "/report/message/0/"
    form = as_reporter.post(f"/report/message/{message.pk}/", {"reason": "violence"})
    assert form.status_code == 302
    assert Report.objects.get().snapshot["text"] == "threat"


def test_warning_is_shown_once_on_the_next_page(client, moderator, author):
    services.user_warn(moderator=moderator, user=author, reason="Be kind")
    client.force_login(author)
    headers = {"Accept": "text/html", "Accept-Language": "en"}
    first = client.get("/", headers=headers).content.decode()
    with override("en"):
        shown = gettext("Warning from the moderators: %(text)s") % {"text": "Be kind"}
    assert shown in first
    assert shown not in client.get("/", headers=headers).content.decode()


def test_pages_of_unwarned_users_show_no_warning(client, author):
    client.force_login(author)
    page = client.get("/", headers={"Accept": "text/html", "Accept-Language": "en"})
    with override("en"):
        assert gettext("Warning from the moderators: %(text)s")[:20] not in page.content.decode()
