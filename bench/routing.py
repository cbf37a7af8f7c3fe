"""Routed delivery across 8 worker processes on Redis: envelopes received per worker.

Target (issue #19): 8 workers, 10,000 events addressed to users on one worker: the other 7
receive 0 envelopes; broker messages per event equal the number of shards with recipients,
not the number of workers. Same-run reference: the same 10,000 events addressed to one user
on each of the 8 workers (what every event cost every worker before routing). Counters come
from each worker's hub through the staff-only `realtime.stats` frame. Needs PostgreSQL (or
SQLite) + Redis: `bin/with-services .venv/bin/python -m bench routing`.
"""

from __future__ import annotations

import asyncio
import json
import os
import time

from bench import common

WORKERS = 8
EVENTS = 10_000
RECIPIENTS = 4  # users on worker 0, in 4 different shards
SHARDS = 64


async def _open(server, session_key: str):
    import websockets

    ws = await websockets.connect(
        server.ws_url,
        origin=server.url,
        additional_headers={"Cookie": f"sessionid={session_key}"},
        max_queue=None,
        open_timeout=30,
    )
    while json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] != "hello":
        pass
    return ws


async def _stats(ws) -> dict:
    await ws.send('{"type":"realtime.stats"}')
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if frame["type"] == "realtime.stats":
            return frame


async def _count(ws, expected: int) -> int:
    got = 0
    while got < expected:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
        got += frame["type"] == "notification"
    return got


async def _scenario(servers, watchers, recipients, events: int) -> dict:
    """Publish `events` events to `recipients` [(worker, user id, session)]; per worker the
    envelopes its hub received from the broker, and the wall time until all arrived."""
    from messenger.realtime import apublish

    sockets = [await _open(servers[w], key) for w, _, key in recipients]
    before = [await _stats(ws) for ws in watchers]
    cpu_before = [s.cpu_seconds() for s in servers]
    ids = [uid for _, uid, _ in recipients]
    started = time.perf_counter()
    counting = [asyncio.create_task(_count(ws, events)) for ws in sockets]
    for n in range(events):
        await apublish({"type": "notification", "n": n}, ids)
    delivered = sum(await asyncio.gather(*counting))
    seconds = time.perf_counter() - started
    after = [await _stats(ws) for ws in watchers]
    cpu = [s.cpu_seconds() - c for s, c in zip(servers, cpu_before, strict=True)]
    for ws in sockets:
        await ws.close()
    return {
        "envelopes": [a["envelopes"] - b["envelopes"] for a, b in zip(after, before, strict=True)],
        "cpu": cpu,
        "delivered": delivered,
        "expected": events * len(recipients),
        "seconds": seconds,
        "shards": len({uid % SHARDS for uid in ids}),
    }


def _pick(users, count: int, taken: set[int]) -> list[tuple[int, str]]:
    chosen = []
    for uid, key in users:
        if uid % SHARDS not in taken:
            taken.add(uid % SHARDS)
            chosen.append((uid, key))
            if len(chosen) == count:
                return chosen
    raise RuntimeError("not enough users in distinct shards")


def main() -> None:
    if not os.environ.get("REDIS_URL"):
        # `make bench` runs every benchmark; this one means nothing on the in-memory layer.
        print(
            "bench routing skipped: needs Redis "
            "(bin/with-services .venv/bin/python -m bench routing)"
        )
        return
    common.setup_django(fresh=True)
    from accounts.models import User

    users = common.create_users(40, "route")
    taken: set[int] = set()
    watchers = _pick(users, WORKERS, taken)
    User.objects.filter(pk__in=[uid for uid, _ in watchers]).update(is_staff=True)
    on_one = _pick(users, RECIPIENTS, taken)
    one_each = _pick(users, WORKERS, taken)
    servers = [common.start_server("uvicorn", core=i % 2) for i in range(WORKERS)]
    try:
        load = os.getloadavg()

        async def run():
            watch = [await _open(s, key) for s, (_, key) in zip(servers, watchers, strict=True)]
            routed = await _scenario(servers, watch, [(0, uid, key) for uid, key in on_one], EVENTS)
            spread = await _scenario(
                servers, watch, [(w, uid, key) for w, (uid, key) in enumerate(one_each)], EVENTS
            )
            for ws in watch:
                await ws.close()
            return routed, spread

        routed, spread = asyncio.run(run())
        load_after = os.getloadavg()
    finally:
        for server in servers:
            server.stop()

    def row(name: str, result: dict) -> str:
        env = result["envelopes"]
        idle_cpu = sum(result["cpu"][1:]) / (WORKERS - 1)
        return (
            f"| {name} | {result['shards']} | {env[0]:,} | {', '.join(f'{e:,}' for e in env[1:])} "
            f"| {env[0] / EVENTS:.2f} | {result['delivered']:,}/{result['expected']:,} "
            f"| {result['seconds']:.1f} s | {result['cpu'][0]:.2f} s / {idle_cpu:.2f} s |"
        )

    common.record(
        f"Routed delivery: {WORKERS} uvicorn workers on Redis, {EVENTS:,} events",
        [
            f"Load average {load[0]:.1f} before, {load_after[0]:.1f} after (2 cores, shared).",
            "Envelopes each worker's hub received from Redis (`realtime.stats`); CPU of worker 0",
            "and the mean of workers 1-7 over the scenario. Reference (same run): the same events",
            "addressed to one user on each worker.",
            "",
            "| events addressed to | shards with recipients | worker 0 envelopes "
            "| workers 1-7 envelopes | worker 0 envelopes per event | delivered | wall "
            "| CPU worker 0 / mean of 1-7 |",
            "|---|---|---|---|---|---|---|---|",
            row(f"{RECIPIENTS} users on worker 0", routed),
            row("one user on each worker (reference)", spread),
        ],
    )
