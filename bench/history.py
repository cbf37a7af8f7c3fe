"""History at scale: the first page of a chat with 1,000,000 messages against 1,000.

Target (issue: benchmarks): ratio ≤ 1.5 and ≤ 50 ms p95 for the first history page, measured
through the same selector the chat page and the API use.
"""

from __future__ import annotations

import time

from bench import common

BIG = 1_000_000
SMALL = 1_000
RUNS = 200


def _fill(chat_id: int, sender_id: int, count: int) -> None:
    """Insert `count` messages quickly (raw executemany; the app path is not what is measured)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from chats.models import Chat, Message

    table = Message._meta.db_table
    now = timezone.now()
    sql = (
        f"INSERT INTO {table} (chat_id, seq, sender_id, text, created_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s)"
    )
    batch = 20_000
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(1, count + 1, batch):
            rows = [
                (chat_id, seq, sender_id, f"message {seq}", now)
                for seq in range(start, min(start + batch, count + 1))
            ]
            cursor.executemany(sql, rows)
        Chat.objects.filter(pk=chat_id).update(last_seq=count)


def _timed_pages(user, chat) -> list[float]:
    from chats.selectors import history_page

    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        page = history_page(user, chat)
        times.append((time.perf_counter() - started) * 1000)
        assert page, "empty history page"
    return times


def main() -> None:
    common.setup_django(fresh=True)
    from accounts.models import User
    from bench.delivery import _make_group
    from chats.models import Chat

    (uid, _), (other, _) = common.create_users(2, "hist")
    small_chat = _make_group([uid, other], "small")
    big_chat = _make_group([uid, other], "big")
    started = time.perf_counter()
    _fill(small_chat, other, SMALL)
    _fill(big_chat, other, BIG)
    fill_seconds = time.perf_counter() - started
    user = User.objects.get(pk=uid)
    small = common.summary(_timed_pages(user, Chat.objects.get(pk=small_chat)))
    big = common.summary(_timed_pages(user, Chat.objects.get(pk=big_chat)))
    ratio = big["p95"] / small["p95"]
    lines = [
        f"First history page through chats.selectors.history_page, {RUNS} runs each "
        f"(data load {fill_seconds:.0f} s).",
        "",
        "| chat | p50 | p95 | p99 |",
        "|---|---|---|---|",
        f"| {SMALL:,} messages | {small['p50']:.2f} ms | {small['p95']:.2f} ms | "
        f"{small['p99']:.2f} ms |",
        f"| {BIG:,} messages | {big['p50']:.2f} ms | {big['p95']:.2f} ms | {big['p99']:.2f} ms |",
        "",
        f"p95 ratio 1M / 1k: **{ratio:.2f}** (target ≤ 1.5); 1M p95 {big['p95']:.2f} ms "
        "(target ≤ 50 ms).",
    ]
    common.record("History at scale", lines)


if __name__ == "__main__":
    main()
