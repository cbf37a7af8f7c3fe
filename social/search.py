"""Case-insensitive name matching that works for every script on SQLite and PostgreSQL.

SQLite's LOWER() and LIKE fold ASCII only, so "анна" would never find "Анна" there. On SQLite
we register a Python function (`beseda_fold`) on every new connection; on PostgreSQL LOWER()
folds every script already. Both sides also read "ё" as "е", as Russian speakers type it.
"""

from __future__ import annotations

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func, Value
from django.db.models.functions import Concat

SQLITE_FOLD = "beseda_fold"


def normalise(text: str) -> str:
    """The folded form of `text` that search compares (lower case, ё → е)."""
    # NUL cannot travel in a PostgreSQL text parameter; nobody's name contains it.
    return (text or "").replace("\x00", "").lower().replace("ё", "е")


def _sqlite_fold(value):
    return None if value is None else normalise(value)


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    """Give each new SQLite connection the folding function (hooked in SocialConfig.ready)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FOLD, 1, _sqlite_fold, deterministic=True)


def connect_signals() -> None:
    connection_created.connect(register_sqlite_fold, dispatch_uid="social.search.sqlite_fold")


class Fold(Func):
    """normalise() in SQL."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function=SQLITE_FOLD, **extra)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="REPLACE(LOWER(%(expressions)s), 'ё', 'е')", **extra
        )


def search_text(*fields: str) -> Fold:
    """The folded, space-joined `fields` of a row, to match folded words against."""
    parts = []
    for name in fields:
        parts += [name, Value(" ")]
    return Fold(Concat(*parts[:-1], output_field=CharField()))
