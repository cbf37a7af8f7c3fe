"""schemathesis over the whole /api/v1/ schema: every operation, every check, no failures.

Runs in-process through Django's WSGI handler (same thread, same test transaction), as a
signed-in user with a bearer token, with friends, a block each way, a few strangers, posts,
likes, comments, topics and replies, a group and a dialog (with small ids that generated paths
hit) so that lists and lookups have something to find. Bounded: at most MAX_EXAMPLES generated
cases per operation and phase (plus schemathesis's boundary cases), so the whole file stays
near a minute with 40-odd operations.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from accounts.services import block_create
from messenger.api import api
from social.models import Audience, Friendship
from tests.api.conftest import login_tokens
from tests.factories import (
    CommentFactory,
    DialogFactory,
    GroupFactory,
    MessageFactory,
    PostFactory,
    PostLikeFactory,
    PostPhotoFactory,
    ReplyFactory,
    TopicFactory,
    UserFactory,
)

MAX_EXAMPLES = 10


@pytest.fixture
def fuzz_user(db, settings):
    """A user with a little of everything, and the API write limit out of the way."""
    settings.API_WRITE_RATE = "1000000/m"
    user = UserFactory(username="fuzzer", first_name="Фаина", last_name="Zed")
    friend, blocked, blocker = UserFactory(), UserFactory(), UserFactory()
    UserFactory(first_name="Иван"), UserFactory(is_active=False)
    Friendship.objects.bulk_create(
        [Friendship(user=user, friend=friend), Friendship(user=friend, friend=user)]
    )
    block_create(blocker=user, blocked=blocked)
    block_create(blocker=blocker, blocked=user)
    # A group and a dialog with messages, so that small generated ids (1, 2, ...) find them.
    group = GroupFactory(created_by=user, members=[friend], title="Fuzz group")
    MessageFactory(sender=friend, chat=group, text="hello")
    MessageFactory(sender=user, chat=DialogFactory(user=user, other=friend), text="hi")
    # Small ids that generated paths hit: my post, a friend's, a hidden one; likes, comments.
    mine = PostFactory(author=user, audience=Audience.EVERYONE)
    theirs = PostFactory(author=friend, audience=Audience.FRIENDS)
    PostFactory(author=blocker, audience=Audience.EVERYONE)
    PostPhotoFactory(post=mine)
    PostLikeFactory(post=theirs, user=user)
    CommentFactory(post=mine, author=friend)
    CommentFactory(post=theirs, author=user)
    ReplyFactory(topic=TopicFactory(author=user), author=friend)
    ReplyFactory(topic=TopicFactory(author=friend), author=user)
    return user


@pytest.fixture
def fuzz_token(fuzz_user):
    """The fuzz user's access token, then the test connection kept across WSGI requests.

    Django closes "old" connections around each request; inside the test's transaction that
    would drop the transaction. Django's test Client reconnects that handler after each of
    its own requests, so log in first and detach it afterwards.
    """
    token = login_tokens(fuzz_user).access
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield token
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The schema /api/v1/openapi.json serves (built without a request: collection may not use the
# database), exercised through the project's own WSGI handler in the test's thread.
# Operations that take what the schema cannot fully state: an image must be a readable photo,
# a post, comment or reply needs some non-blank text or an image (Python's idea of blank,
# which no JSON Schema pattern matches exactly), and a birth date must be a day of the calendar
# in the past, its day and month given together. Schema-valid input may be refused there with
# a 400 (or a 413 for a huge image); everywhere else schema-valid input must be accepted.
CONTENT_CHECKED = [
    "PATCH /api/v1/me",
    "POST /api/v1/posts",
    "PATCH /api/v1/posts/{post_id}",
    "POST /api/v1/posts/{post_id}/comments",
    "POST /api/v1/board/topics",
    "POST /api/v1/board/topics/{topic_id}/replies",
]
config = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES},
        "operations": [
            {
                "include-name": CONTENT_CHECKED,
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "400", "401", "404", "409", "413", "429"]
                    }
                },
            }
        ],
    }
)
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema())), config=config
)
schema.app = WSGIHandler()
load_all_checks()
ALL_CHECKS = CHECKS.get_all()


def test_every_check_is_enabled():
    """The fuzz test runs every check schemathesis has (none disabled by default config)."""
    names = {check.__name__ for check in ALL_CHECKS}
    assert {"not_a_server_error", "ignored_auth", "unsupported_method"} <= names


@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=timedelta(seconds=5),
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, fuzz_token):
    """Generated requests (valid and invalid) get documented, well-formed answers, never 5xx."""
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_token}"}, checks=ALL_CHECKS)
