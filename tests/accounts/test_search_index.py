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
    """EXPLAIN of the search query names the trigram index (with sequential scans off)."""
    viewer = UserFactory()
    UserFactory(first_name="Анна", last_name="Петрова")
    query = search_people(viewer, "анна")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "user_search_trgm" in plan, plan
    assert [p.first_name for p in query] == ["Анна"]
