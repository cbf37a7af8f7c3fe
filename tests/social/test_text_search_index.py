"""On PostgreSQL post and board search are served by trigram indexes, not scans of every row."""

import pytest
from django.db import connection

from social.selectors import search_board, search_posts
from tests.factories import PostFactory, ReplyFactory, TopicFactory, UserFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
    ),
    pytest.mark.django_db,
]


def plan_of(queryset) -> str:
    """EXPLAIN of `queryset`. With a handful of rows the planner prefers any scan, so
    sequential and plain index scans are switched off: what remains for the LIKE is a bitmap
    scan, which only a trigram index can serve."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_post_search_uses_the_trigram_index():
    """The post search query reads the post text index."""
    viewer = UserFactory()
    post = PostFactory(text="Вечером идём в ТЕАТР")
    PostFactory(text="Утром в парк")
    query = search_posts(viewer, "театр")
    plan = plan_of(query)
    assert "post_search_trgm" in plan, plan
    assert [p.pk for p in query] == [post.pk]


def test_board_search_uses_the_topic_and_reply_indexes():
    """The board search query reads both the topic text and the reply text indexes."""
    viewer = UserFactory()
    by_title = TopicFactory(title="Ёлка во дворе", body="Когда ставим?")
    by_reply = TopicFactory(title="Праздник", body="Планы")
    ReplyFactory(topic=by_reply, text="Нарядим ЕЛКУ вместе")
    TopicFactory(title="Другое", body="Совсем другое")
    query = search_board(viewer, "елк")
    plan = plan_of(query)
    assert "topic_search_trgm" in plan, plan
    assert "reply_search_trgm" in plan, plan
    assert {t.pk for t in query} == {by_title.pk, by_reply.pk}
