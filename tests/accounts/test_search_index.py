"""On PostgreSQL people search is served by the trigram index, not a scan of every user."""

import pytest
from django.db import connection

from social.selectors import search_people
from tests.factories import UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
)


@pytest.mark.django_db
def test_people_search_uses_the_trigram_index(django_user_model):
    """EXPLAIN of the search query names the trigram index. A handful of rows lets the planner
    prefer any scan, so sequential and plain index scans are switched off: what remains for
    the LIKE is a bitmap scan, which only the trigram index can serve."""
    viewer = UserFactory()
    UserFactory(first_name="Анна", last_name="Петрова")
    query = search_people(viewer, "анна")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "user_search_trgm" in plan, plan
    assert [p.first_name for p in query] == ["Анна"]
