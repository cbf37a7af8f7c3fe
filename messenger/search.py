"""Case-insensitive text matching that works for every script on SQLite and PostgreSQL: people's
names, post text, board topics and replies.

SQLite's LOWER() and LIKE fold ASCII only, so "анна" would never find "Анна" there. On SQLite
we register a Python function (`beseda_fold`) on every new connection; on PostgreSQL LOWER()
folds every script already. Both sides also read "ё" as "е", as Russian speakers type it.

Why trigrams, not full-text search: a query matches when every word occurs somewhere in the
folded text, as a substring (`LIKE '%word%'`). On PostgreSQL a GIN trigram index
(pg_trgm, `gin_trgm_ops`) on exactly that folded expression serves the LIKE, so both databases
run the same query and give the same results, which the tests check on both. Full-text search
(tsvector) would need a language: 'russian' stems Russian words but mangles English and names,
'simple' matches whole words only, so "ёлк" would not find "Ёлкина" and "Москв" not "Москве";
and SQLite has no equivalent, so its results would differ. Trigrams cost a larger index and give
no relevance ranking; results are listed newest first instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import router
from django.db.backends.signals import connection_created
from django.db.migrations.operations.base import Operation
from django.db.models import CharField, Func, QuerySet, Value
from django.db.models.functions import Concat
from django.db.models.sql import Query

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.state import ProjectState
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

SQLITE_FOLD = "beseda_fold"


def normalise(text: str) -> str:
    """The folded form of `text` that search compares (lower case, ё → е)."""
    # NUL cannot travel in a PostgreSQL text parameter; nobody's name contains it.
    return (text or "").replace("\x00", "").lower().replace("ё", "е")


def _sqlite_fold(value: str | None) -> str | None:
    return None if value is None else normalise(value)


def register_sqlite_fold(sender: object, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Give each new SQLite connection the folding function (connected in SocialConfig.ready)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FOLD, 1, _sqlite_fold, deterministic=True)


def connect_signals() -> None:
    connection_created.connect(register_sqlite_fold, dispatch_uid="messenger.search.sqlite_fold")


class Fold(Func):
    """normalise() in SQL."""

    output_field = CharField()
    template = "REPLACE(LOWER(%(expressions)s), 'ё', 'е')"

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> _AsSqlType:
        return super().as_sql(
            compiler,
            connection,
            function=SQLITE_FOLD,
            template="%(function)s(%(expressions)s)",
            **extra_context,
        )


def search_text(*fields: str) -> Fold:
    """The folded, space-joined `fields` of a row, to match folded words against."""
    if len(fields) == 1:
        return Fold(fields[0])
    parts: list[str | Value] = []
    for name in fields:
        parts += [name, Value(" ")]
    return Fold(Concat(*parts[:-1], output_field=CharField()))


def matching(rows: QuerySet[Any], words: list[str], *fields: str) -> QuerySet[Any]:
    """`rows` whose folded `fields` contain every one of the folded `words` (LIKE '%word%',
    which the trigram index of the same expression serves on PostgreSQL)."""
    rows = rows.alias(search_text=search_text(*fields))
    for word in words:
        rows = rows.filter(search_text__contains=word)
    return rows


# -- trigram indexes ------------------------------------------------------------------------------
class TrigramSearchIndex(Operation):
    """A GIN trigram index on search_text(*fields) of a model, on PostgreSQL only (SQLite has no
    trigram indexes and keeps its plain scan). The expression is compiled from search_text
    itself, so it is exactly what `matching` filters on and the planner can use it."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, fields: list[str], name: str) -> None:
        self.model_name = model_name
        self.fields = list(fields)
        self.name = name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            self.__class__.__qualname__,
            [],
            {
                "model_name": self.model_name,
                "fields": self.fields,
                "name": self.name,
            },
        )

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def _applies(self, schema_editor: BaseDatabaseSchemaEditor, app_label: str) -> bool:
        return schema_editor.connection.vendor == "postgresql" and router.allow_migrate(
            schema_editor.connection.alias, app_label
        )

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if not self._applies(schema_editor, app_label):
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        query = Query(model, alias_cols=False)
        expression = search_text(*self.fields).resolve_expression(query)
        sql, params = expression.as_sql(
            query.get_compiler(connection=schema_editor.connection), schema_editor.connection
        )
        expression_sql = sql % tuple(schema_editor.quote_value(p) for p in params)
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(self.name)} ON "
            f"{schema_editor.quote_name(model._meta.db_table)} "
            f"USING gin (({expression_sql}) gin_trgm_ops)"
        )

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if self._applies(schema_editor, app_label):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self) -> str:
        return f"Trigram search index {self.name} on {self.model_name} ({', '.join(self.fields)})"

    @property
    def migration_name_fragment(self) -> str:
        return self.name.lower()
