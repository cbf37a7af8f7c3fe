"""POST /api/v1/reports and GET /api/v1/reports: allowed and denied."""

import pytest

from moderation.models import Report
from social.models import Audience
from tests.api.conftest import JsonApi, login_tokens
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(reporter) -> JsonApi:
    return JsonApi(login_tokens(reporter).access)


@pytest.fixture
def public_post(author):
    return PostFactory(author=author, text="spam spam", audience=Audience.EVERYONE)


def test_report_a_post_over_the_api(api, public_post, reporter):
    response = api.post("/api/v1/reports", {"kind": "post", "id": public_post.pk, "reason": "spam"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["object_id"], body["state"]) == ("post", public_post.pk, "open")
    made = Report.objects.get(pk=body["id"])
    assert made.reporter == reporter
    assert made.snapshot["text"] == "spam spam"


def test_reporting_what_one_cannot_see_is_404(api, author):
    hidden = PostFactory(author=author, audience=Audience.FRIENDS)
    response = api.post("/api/v1/reports", {"kind": "post", "id": hidden.pk, "reason": "spam"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Report.objects.exists()


def test_reporting_needs_a_login(public_post):
    response = JsonApi().post(
        "/api/v1/reports", {"kind": "post", "id": public_post.pk, "reason": "spam"}
    )
    assert response.status_code == 401
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "post", "id": 1, "reason": "boredom"},
        {"kind": "planet", "id": 1, "reason": "spam"},
        {"kind": "post", "id": 0, "reason": "spam"},
        {"kind": "post", "id": "1", "reason": "spam"},
        {"kind": "post", "id": 1, "reason": "spam", "details": "x" * 1001},
        {"kind": "post", "id": 1, "reason": "spam", "extra": True},
    ],
    ids=["reason", "kind", "id", "id-type", "details", "extra"],
)
def test_bad_input_is_400(api, public_post, body):
    response = api.post("/api/v1/reports", body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Report.objects.exists()


def test_reporting_oneself_is_403(api, reporter):
    response = api.post("/api/v1/reports", {"kind": "user", "id": reporter.pk, "reason": "spam"})
    assert response.status_code == 403
    assert response.json()["code"] == "self_report"
    assert not Report.objects.exists()


def test_my_reports_lists_only_mine(api, public_post, author):
    api.post("/api/v1/reports", {"kind": "post", "id": public_post.pk, "reason": "spam"})
    theirs = JsonApi(login_tokens(author).access)
    assert theirs.get("/api/v1/reports").json()["items"] == []
    mine = api.get("/api/v1/reports").json()["items"]
    assert [(r["kind"], r["object_id"]) for r in mine] == [("post", public_post.pk)]
