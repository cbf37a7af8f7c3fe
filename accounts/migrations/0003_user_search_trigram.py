"""On PostgreSQL, a trigram index on the folded name text that people search matches against.

The index is built from the same expression the search selector uses
(messenger.search.search_text), so the planner can use it for `LIKE '%word%'`. SQLite has no
trigram indexes and keeps its plain scan.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from messenger.search import search_text

INDEX_NAME = "user_search_trgm"


def _search_expression_sql(apps, schema_editor) -> str:
    """The SQL of messenger.search.search_text over the name fields, with literals inlined."""
    from django.db.models.sql import Query

    user = apps.get_model("accounts", "User")
    query = Query(user, alias_cols=False)
    expression = search_text("first_name", "last_name", "username").resolve_expression(query)
    compiler = query.get_compiler(connection=schema_editor.connection)
    sql, params = expression.as_sql(compiler, schema_editor.connection)
    return sql % tuple(schema_editor.quote_value(p) for p in params)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        expression = _search_expression_sql(apps, schema_editor)
        schema_editor.execute(
            f'CREATE INDEX "{INDEX_NAME}" ON "accounts_user" USING gin (({expression}) gin_trgm_ops)'
        )


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX_NAME}"')


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_avatars")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(add_index, remove_index),
    ]
