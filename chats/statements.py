"""Hand-written SQL for the message send path, the hottest write of the messenger.

`services.message_send` runs for every message typed. Through the ORM its statements cost
~3.5 ms of Python per send (building and compiling the queries: each statement itself takes
microseconds), which capped one worker at ~250 sends/s (bench/RESULTS.md). Here each
statement is written once, with table and column names from the models' metadata, and runs on
Django's cursor: the same connection, transaction, query log and error wrapping as the ORM.
Rows become model instances with the converters the ORM would apply. The rarer writes of
chats keep the ORM, which reads better.

Both backends support every statement (SQLite ≥ 3.35 and PostgreSQL have UPDATE … RETURNING).
Table and column names come from the models, every value is a query parameter.
"""

# ruff: noqa: S608 (names from model metadata, quoted; values are always parameters)

from __future__ import annotations

import weakref
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql import base

from accounts.models import Block
from chats.models import Chat, Membership, Message

M = TypeVar("M", bound="Model")

if TYPE_CHECKING:
    from django.db.models import Model

    from accounts.models import User


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, field_name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field_name).column)


MESSAGE_COLUMNS = (
    "chat_id",
    "seq",
    "sender_id",
    "client_id",
    "text",
    "reply_to_id",
    "sticker_id",
    "call",
    "created_at",
    "edited_at",
    "deleted_at",
)


@cache
def _message_fields() -> dict[str, Any]:
    return {f.attname: f for f in Message._meta.concrete_fields}


class ChatHead(NamedTuple):
    seq: int
    kind: str
    dialog_key: str | None


class Member(NamedTuple):
    membership_id: int
    user_id: int
    floor: int  # Membership.cleared_seq: the member sees nothing at or below it


@cache
def _sql() -> dict[str, str]:
    """The statements, built once per process from the models (quote_name is the same for
    every connection of the backend)."""
    chat, membership, message = _table(Chat), _table(Membership), _table(Message)
    block = _table(Block)
    user_model = get_user_model()
    user = connection.ops.quote_name(user_model._meta.db_table)
    user_id = connection.ops.quote_name(user_model._meta.pk.column)
    user_active = connection.ops.quote_name(user_model._meta.get_field("is_active").column)
    c, m, g, b = (
        lambda f: _column(Chat, f),
        lambda f: _column(Membership, f),
        lambda attname: connection.ops.quote_name(_message_fields()[attname].column),
        lambda f: _column(Block, f),
    )
    insert_message = (
        f"INSERT INTO {message} ({', '.join(g(f) for f in MESSAGE_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(MESSAGE_COLUMNS))})"
    )
    last_message = f"{c('last_message')} = %s, {c('last_activity_at')} = %s WHERE {c('id')} = %s"
    # A new message brings a hidden chat back for everyone; the sender has read it all.
    mark_sent = (
        f"UPDATE {membership} SET {m('hidden')} = %s, {m('last_read_seq')} = "
        f"CASE WHEN {m('id')} = %s THEN %s ELSE {m('last_read_seq')} END "
        f"WHERE {m('chat')} = %s AND ({m('hidden')} OR {m('id')} = %s)"
    )
    return {
        "take_seq": (
            f"UPDATE {chat} SET {c('last_seq')} = {c('last_seq')} + 1 WHERE {c('id')} = %s "
            f"RETURNING {c('last_seq')}, {c('kind')}, {c('dialog_key')}"
        ),
        # Also true when the other person's account is deleted or deactivated: nobody reads
        # a dialog with them any more, so it takes no new messages either.
        "blocked": (
            f"(EXISTS(SELECT 1 FROM {block} WHERE ({b('blocker')} = %s AND {b('blocked')} = %s) "
            f"OR ({b('blocker')} = %s AND {b('blocked')} = %s)) "
            f"OR EXISTS(SELECT 1 FROM {user} WHERE {user_id} = %s AND NOT {user_active}))"
        ),
        "insert_message": f"{insert_message} RETURNING {g('id')}",
        "set_last_message": f"UPDATE {chat} SET {last_message}",
        "mark_sent": mark_sent,
        # PostgreSQL: the three in one statement. Django declares foreign keys deferrable
        # there, so the chat may point at the message inserted beside it.
        "write_message": (
            f"WITH new AS ({insert_message} RETURNING {g('id')}), "
            f"touched AS (UPDATE {chat} SET "
            f"{last_message.replace('%s', '(SELECT id FROM new)', 1)}), "
            f"marked AS ({mark_sent}) SELECT id FROM new"
        ),
    }


def _cursor():
    """Django's cursor; on PostgreSQL one that binds the parameters on the server (Django binds
    them into the SQL text by default), so psycopg prepares each of these statements once per
    connection after a few runs and PostgreSQL stops parsing and planning them per message.
    (Prepared statements need a session of their own: not for pgbouncer's transaction mode.)"""
    conn = connections[DEFAULT_DB_ALIAS]
    binding = getattr(_postgresql_base(), "ServerBindingCursor", None)
    if conn.vendor != "postgresql" or binding is None:
        return conn.cursor()
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    with conn.wrap_database_errors:
        return conn._prepare_cursor(binding(conn.connection))


@cache
def _postgresql_base():
    if connection.vendor != "postgresql":
        return None

    return base


def take_seq(chat_id: int) -> ChatHead | None:
    """Take the chat's next change number (on PostgreSQL this locks the chat's row until the
    transaction ends); None if there is no such chat."""
    with _cursor() as cursor:
        cursor.execute(_sql()["take_seq"], [chat_id])
        row = cursor.fetchone()
    return ChatHead(*row) if row else None


@cache
def _message_preparers() -> list[tuple[str, Any]]:
    """Per column, the field's get_db_prep_save where the backend needs the value adapted
    (UUIDs, dates, JSON); integers, text and NULLs go as they are."""
    fields = _message_fields()
    plain = {"BigAutoField", "BigIntegerField", "PositiveBigIntegerField", "TextField"}
    preparers = []
    for name in MESSAGE_COLUMNS:
        field = fields[name]
        stored_as = getattr(field, "target_field", field)  # a foreign key stores its target's
        preparers.append(
            (name, None if stored_as.get_internal_type() in plain else field.get_db_prep_save)
        )
    return preparers


def write_message(row: dict[str, Any], membership_id: int) -> int:
    """Store a new message and what it changes; return the message's id.

    `row` has a value for each of MESSAGE_COLUMNS. The chat's last message and activity time
    follow it; the sender has read up to it; members who hid the chat see it again. A repeated
    client_id raises IntegrityError. One statement on PostgreSQL (a network round trip each),
    three on SQLite."""
    values = [
        row[name] if prep is None else prep(row[name], connection)
        for name, prep in _message_preparers()
    ]
    at = values[MESSAGE_COLUMNS.index("created_at")]
    chat_id, seq = row["chat_id"], row["seq"]
    touch = [at, chat_id]
    mark = [False, membership_id, seq, chat_id, membership_id]
    statements = _sql()
    with _cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(statements["write_message"], [*values, *touch, *mark])
            return cursor.fetchone()[0]
        cursor.execute(statements["insert_message"], values)
        message_id = cursor.fetchone()[0]
        cursor.execute(statements["set_last_message"], [message_id, *touch])
        cursor.execute(statements["mark_sent"], mark)
        return message_id


def instance(model: type[M], **values: Any) -> M:
    """A model instance of a row whose values are in hand, as the ORM would load it: fields
    not given are deferred (as with `.only()`)."""
    attnames = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, attnames, [values[name] for name in attnames])


# -- the members, with the sender's row ----------------------------------------------------------
# What a message payload shows of its sender (events.user_ref): the rest of the row is
# deferred and loads on first use, as with `.only()`.
SENDER_FIELDS = ("id", "username", "first_name", "last_name", "is_active", "avatar_thumb")


class Roster(NamedTuple):
    members: list[Member]
    sender: User | None  # None: the sender is not a member
    blocked: bool  # the sender and `partner` blocked one another


_roster_statements: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _roster_statement():
    """(SELECT, sender attnames, converters per sender column) on this thread's connection.

    One row per member with its history floor; the sender's row also carries SENDER_FIELDS of
    the user (NULL on the others), and every row whether the sender and a given partner
    blocked one another. The
    converters are those the ORM's compiler applies (the backend's, then the field's own)."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    found = _roster_statements.get(wrapper)
    if found is None:
        quote = wrapper.ops.quote_name
        user_model = get_user_model()
        user_table = user_model._meta.db_table
        # In model order, as `from_db` expects the values of a partial row.
        fields = [f for f in user_model._meta.concrete_fields if f.name in SENDER_FIELDS]
        converters = []
        for field in fields:
            column = field.get_col(user_table)
            backend = wrapper.ops.get_db_converters(column)
            converters.append((column, [*backend, *column.get_db_converters(wrapper)]))
        m = lambda f: "m." + _column(Membership, f)  # noqa: E731
        u = lambda f: "u." + quote(user_model._meta.get_field(f).column)  # noqa: E731
        sql = (
            f"SELECT {m('id')}, {m('user')}, {m('cleared_seq')}, {_sql()['blocked']}, "
            f"{', '.join(u(f.name) for f in fields)} "
            f"FROM {_table(Membership)} m LEFT JOIN {quote(user_table)} u "
            f"ON {u('id')} = {m('user')} AND {m('user')} = %s WHERE {m('chat')} = %s"
        )
        found = (sql, [f.attname for f in fields], converters)
        _roster_statements[wrapper] = found
    return wrapper, found


def roster(chat_id: int, sender_id: int, partner_id: int | None) -> Roster:
    """The chat's members with their history floors, the sender's current row if they are
    one, and (in a dialog, with `partner_id`) whether the two blocked one another or the
    partner's account is deleted or deactivated: what a
    send checks and whom its frames go to, in one query."""
    wrapper, (sql, attnames, converters) = _roster_statement()
    other = partner_id if partner_id is not None else sender_id  # nobody blocks themselves
    with _cursor() as cursor:
        cursor.execute(sql, [sender_id, other, other, sender_id, other, sender_id, chat_id])
        rows = cursor.fetchall()
    members, author, blocked = [], None, False
    for membership_id, user_id, floor, is_blocked, *user_values in rows:
        members.append(Member(membership_id, user_id, floor))
        blocked = blocked or bool(is_blocked)
        if user_id == sender_id and user_values[0] is not None:
            values = []
            for value, (column, found) in zip(user_values, converters, strict=True):
                for converter in found:
                    value = converter(value, column, wrapper)
                values.append(value)
            author = get_user_model().from_db(wrapper.alias, attnames, values)
    return Roster(members, author, blocked)
