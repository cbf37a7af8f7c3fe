"""Every refusal of /api/v1/ has the shape {code, detail, fields?} and the right status."""

import pytest
from django.test import Client

from accounts.models import Block, User
from accounts.services import block_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].split(";")[0] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"code", "detail", "fields"}
    return body


def test_400_lists_messages_per_field(api_as, user):
    """Invalid fields come back as 400 with one list of messages per field; nothing changes."""
    body = assert_error(
        api_as(user).patch("/api/v1/me", {"bio": "x" * 2001, "birth_day": 40, "nickname": "x"}),
        400,
        "invalid",
    )
    assert set(body["fields"]) == {"bio", "birth_day", "nickname"}
    assert all(isinstance(messages, list) and messages for messages in body["fields"].values())
    assert User.objects.get(pk=user.pk).bio == ""


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[]", "application/json"),
        ("null", "application/json"),
        ("", "application/json"),
        (b"\xff\xfe", "application/json"),
        ("bio=x", "application/x-www-form-urlencoded"),
        ('{"bio": "\\ud800"}', "application/json"),
        ('{"bio": "a\\u0000b"}', "application/json"),
        ('{"birth_year": 1e400}', "application/json"),
        ('{"birth_year": 123456789012345678901234567890}', "application/json"),
    ],
    ids=repr,
)
def test_malformed_bodies_are_400_not_500(api_as, user, body, content_type):
    """Bodies that are not a JSON object of valid values are refused with 400."""
    api = api_as(user)
    response = api.client.patch(
        "/api/v1/me",
        body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert_error(response, 400, "invalid")
    assert User.objects.get(pk=user.pk).bio == ""


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=",
        "q=%00",
        "q=a&limit=0",
        "q=a&limit=101",
        "q=a&limit=x",
        "q=a&cursor=abc",
        "q=a&cursor=9999999999999999999999",
    ],
)
def test_bad_query_parameters_are_400(api_as, user, query):
    """Missing or out-of-range query parameters are a 400 naming the parameter."""
    api = api_as(user)
    response = api.client.get(
        f"/api/v1/users?{query}", headers={"Authorization": f"Bearer {api.token}"}
    )
    body = assert_error(response, 400, "invalid")
    assert set(body["fields"]) <= {"q", "limit", "cursor"}


def test_401_without_credentials(anon_api):
    """No credentials: 401 not_authenticated."""
    assert_error(anon_api.get("/api/v1/me"), 401, "not_authenticated")


def test_401_with_a_bad_token():
    """A token that is not ours: 401 invalid_token."""
    response = Client().get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert_error(response, 401, "invalid_token")


def test_403_on_a_session_write_without_csrf(user):
    """A cookie-authenticated write without the CSRF header: 403 csrf_failed."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post("/api/v1/blocks", {"username": "x"}, content_type="application/json")
    assert_error(response, 403, "csrf_failed")


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing-here", "/api/v1/users/a/b"])
def test_404_for_unknown_paths_is_json(api_as, user, path):
    """Paths the API does not have answer 404 in the JSON shape, not an HTML page."""
    assert_error(api_as(user).get(path), 404, "not_found")


def test_404_for_a_hidden_user(api_as, user):
    """A user who blocked the viewer looks exactly like a missing one."""
    blocker = UserFactory()
    block_create(blocker=blocker, blocked=user)
    api = api_as(user)
    hidden = api.get(f"/api/v1/users/{blocker.username}")
    missing = api.get("/api/v1/users/no-such-person")
    assert_error(hidden, 404, "not_found")
    assert hidden.json() == missing.json()


def test_405_names_the_allowed_methods(api_as, user):
    """An unsupported method is 405 with an Allow header, and changes nothing."""
    response = api_as(user).request("PUT", "/api/v1/me", {"bio": "put"})
    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}
    assert User.objects.get(pk=user.pk).bio == ""


def test_409_when_blocking_twice(api_as, user, other_user):
    """Blocking someone already blocked is a 409 conflict; there is still one block."""
    api = api_as(user)
    assert api.post("/api/v1/blocks", {"username": other_user.username}).status_code == 201
    assert_error(
        api.post("/api/v1/blocks", {"username": other_user.username}), 409, "already_blocked"
    )
    assert Block.objects.filter(blocker=user).count() == 1


def test_413_for_a_body_over_the_limit(api_as, user, settings):
    """A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is 413 too_large, and nothing changes."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = api_as(user).patch("/api/v1/me", {"bio": "x" * 1500, "last_name": "y" * 1500})
    assert_error(response, 413, "too_large")
    assert User.objects.get(pk=user.pk).bio == ""


def test_429_after_the_write_rate(api_as, user, settings):
    """Writes over API_WRITE_RATE are 429 with Retry-After; reads and other users still work."""
    settings.API_WRITE_RATE = "3/m"
    api = api_as(user)
    for n in range(3):
        assert api.patch("/api/v1/me", {"bio": f"edit {n}"}).status_code == 200
    response = api.patch("/api/v1/me", {"bio": "one too many"})
    assert_error(response, 429, "rate_limited")
    assert 0 < int(response["Retry-After"]) <= 60
    assert User.objects.get(pk=user.pk).bio == "edit 2"
    assert api.get("/api/v1/me").status_code == 200
    other = UserFactory()
    assert api_as(other).patch("/api/v1/me", {"bio": "mine"}).status_code == 200
