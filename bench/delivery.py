"""Chat delivery through a real worker: fan-out latency and throughput, small-chat latency,
and durable send (ack) throughput.

Targets (issue: benchmarks):
- fan-out latency: 500 sockets in one group, 20 messages/s for 10 s (10,000 deliveries/s):
  all delivered, p99 send→receive ≤ 30 ms;
- fan-out throughput: highest delivery rate into a 500-member chat with p99 < 250 ms on one
  worker: ≥ 25,000 deliveries/s;
- small chat: 20 members at 5 messages/s: p50 ≤ 5 ms;
- durable sends: 50 senders in 50 dialogs, ack p99 ≤ 50 ms at ≥ 1,000 messages/s.
The sender stamps each message with time.time(); receivers on the same machine subtract.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from bench import common


def _make_group(user_ids: list[int], title: str) -> int:
    from chats.models import Chat, Membership

    chat = Chat.objects.create(kind=Chat.Kind.GROUP, title=title)
    Membership.objects.bulk_create(
        [
            Membership(chat=chat, user_id=uid, role="owner" if i == 0 else "member")
            for i, uid in enumerate(user_ids)
        ]
    )
    return chat.pk


def _make_dialogs(pairs: list[tuple[int, int]]) -> list[int]:
    from chats.models import Chat, Membership

    ids = []
    for a, b in pairs:
        chat = Chat.objects.create(kind=Chat.Kind.DIALOG, dialog_key=f"{min(a, b)}:{max(a, b)}")
        Membership.objects.bulk_create(
            [Membership(chat=chat, user_id=a), Membership(chat=chat, user_id=b)]
        )
        ids.append(chat.pk)
    return ids


async def _connect(server, session_key: str):
    import websockets

    ws = await websockets.connect(
        server.ws_url,
        origin=server.url,
        additional_headers={"Cookie": f"sessionid={session_key}"},
        max_queue=None,
        open_timeout=30,
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), 30))
    assert hello["type"] == "hello", hello
    return ws


class Receiver:
    """Reads one socket and records send→receive latency of every message.new."""

    def __init__(self, ws, latencies: list[float]):
        self.ws = ws
        self.latencies = latencies
        self.count = 0
        self.task = asyncio.get_running_loop().create_task(self.run())

    async def run(self):
        async for text in self.ws:
            now = time.time()
            if '"message.new"' not in text:
                continue
            frame = json.loads(text)
            sent = float(frame["message"]["text"].split()[1])
            self.latencies.append((now - sent) * 1000)
            self.count += 1


async def _stream(sender_ws, chat_id: int, rate: float, seconds: float) -> int:
    """Send `rate` messages/s for `seconds` on one socket; return how many were sent."""
    interval = 1 / rate
    start = time.perf_counter()
    sent = 0
    while (elapsed := time.perf_counter() - start) < seconds:
        due = start + sent * interval
        if due > time.perf_counter():
            await asyncio.sleep(due - time.perf_counter())
        await sender_ws.send(
            json.dumps(
                {
                    "type": "message.send",
                    "chat": chat_id,
                    "client_id": str(uuid.uuid4()),
                    "text": f"t {time.time():.6f}",
                }
            )
        )
        sent += 1
    del elapsed
    return sent


async def _drain(sender_ws):
    async for _ in sender_ws:
        pass


async def fanout(server, sessions, chat_id: int, *, rate: float, seconds: float) -> dict:
    """One sender, every member socket receiving; returns latency summary and delivery ratio."""
    sockets = []
    for i in range(0, len(sessions), 100):
        sockets += await asyncio.gather(*(_connect(server, k) for _, k in sessions[i : i + 100]))
    sender = await _connect(server, sessions[0][1])
    drain = asyncio.get_running_loop().create_task(_drain(sender))
    latencies: list[float] = []
    receivers = [Receiver(ws, latencies) for ws in sockets]
    await asyncio.sleep(0.5)
    sent = await _stream(sender, chat_id, rate, seconds)
    expected = sent * len(receivers)
    deadline = time.monotonic() + 15
    while sum(r.count for r in receivers) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    delivered = sum(r.count for r in receivers)
    for r in receivers:
        r.task.cancel()
    drain.cancel()
    await asyncio.gather(*(ws.close() for ws in [*sockets, sender]), return_exceptions=True)
    return {
        "rate": rate,
        "sent": sent,
        "expected": expected,
        "delivered": delivered,
        "deliveries_per_s": delivered / seconds,
        **common.summary(latencies),
    }


async def durable(server, pairs_sessions, chat_ids, *, rate_each: float, seconds: float) -> dict:
    """50 senders in 50 dialogs, each `rate_each` messages/s; ack latency per message."""
    senders = [await _connect(server, a[1]) for a, _ in pairs_sessions]
    acks: list[float] = []
    pending: dict[str, float] = {}

    async def read(ws):
        async for text in ws:
            if '"message.ack"' in text:
                frame = json.loads(text)
                started = pending.pop(frame["client_id"], None)
                if started is not None:
                    acks.append((time.perf_counter() - started) * 1000)

    readers = [asyncio.get_running_loop().create_task(read(ws)) for ws in senders]

    async def send_loop(ws, chat_id):
        interval = 1 / rate_each
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < seconds:
            due = start + n * interval
            if due > time.perf_counter():
                await asyncio.sleep(due - time.perf_counter())
            client_id = str(uuid.uuid4())
            pending[client_id] = time.perf_counter()
            await ws.send(
                json.dumps(
                    {"type": "message.send", "chat": chat_id, "client_id": client_id, "text": "x"}
                )
            )
            n += 1
        return n

    started = time.perf_counter()
    counts = await asyncio.gather(
        *(send_loop(ws, c) for ws, c in zip(senders, chat_ids, strict=True))
    )
    deadline = time.monotonic() + 15
    while pending and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in senders), return_exceptions=True)
    sent = sum(counts)
    return {
        "sent": sent,
        "acked": len(acks),
        "acks_per_s": len(acks) / elapsed,
        **common.summary(acks),
    }


def main(kinds=("daphne",)) -> None:
    common.setup_django(fresh=True)
    big = common.create_users(500, "fan")
    small = common.create_users(20, "small")
    duo = common.create_users(100, "duo")
    big_chat = _make_group([uid for uid, _ in big], "fan-out")
    small_chat = _make_group([uid for uid, _ in small], "small")
    pairs = [(duo[i], duo[i + 50]) for i in range(50)]
    dialogs = _make_dialogs([(a[0], b[0]) for a, b in pairs])
    common.use_core(1)
    rows = []
    for kind in kinds:
        server = common.start_server(kind)
        try:
            latency = asyncio.run(fanout(server, big, big_chat, rate=20, seconds=10))
            steps = []
            for rate in (40, 60, 80, 100):
                step = asyncio.run(fanout(server, big, big_chat, rate=rate, seconds=5))
                steps.append(step)
                if step["p99"] >= 250 or step["delivered"] < step["expected"]:
                    break
            ok = [s for s in steps if s["p99"] < 250 and s["delivered"] == s["expected"]]
            best = max(ok, key=lambda s: s["deliveries_per_s"]) if ok else None
            smallrun = asyncio.run(fanout(server, small, small_chat, rate=5, seconds=10))
            sends = asyncio.run(durable(server, pairs, dialogs, rate_each=20, seconds=10))
        finally:
            server.stop()
        rows.append((kind, latency, steps, best, smallrun, sends))

    lines = [
        "| server | scenario | target | sent | delivered | rate | p50 | p95 | p99 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, latency, steps, best, smallrun, sends in rows:
        lines.append(_row(kind, "fan-out 500 × 20 msg/s, 10 s", "p99 ≤ 30 ms", latency))
        for step in steps:
            lines.append(
                _row(kind, f"fan-out 500 × {step['rate']:.0f} msg/s, 5 s", "p99 < 250 ms", step)
            )
        lines.append(_row(kind, "small chat 20 × 5 msg/s, 10 s", "p50 ≤ 5 ms", smallrun))
        lines.append(
            f"| {kind} | durable sends, 50 dialogs × 20 msg/s | ack p99 ≤ 50 ms at ≥ 1,000/s | "
            f"{sends['sent']} | {sends['acked']} acked | {sends['acks_per_s']:,.0f} acks/s | "
            f"{sends['p50']:.1f} ms | {sends['p95']:.1f} ms | {sends['p99']:.1f} ms |"
        )
        best_rate = f"{best['deliveries_per_s']:,.0f} deliveries/s" if best else "no step met it"
        lines.append(
            f"| {kind} | fan-out throughput: best step with p99 < 250 ms, all delivered | "
            f"≥ 25,000/s | | | {best_rate} | | | |"
        )
    common.record("Chat delivery through one worker", lines)
    _chart(rows)


def _row(kind: str, scenario: str, target: str, r: dict) -> str:
    return (
        f"| {kind} | {scenario} | {target} | {r['sent']} | {r['delivered']}/{r['expected']} | "
        f"{r['deliveries_per_s']:,.0f} deliveries/s | {r['p50']:.1f} ms | {r['p95']:.1f} ms | "
        f"{r['p99']:.1f} ms |"
    )


def _chart(rows) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for kind, latency, steps, *_ in rows:
        points = [latency, *steps]
        ax.plot(
            [p["deliveries_per_s"] for p in points],
            [p["p99"] for p in points],
            marker="o",
            label=f"{kind} p99",
        )
        ax.plot(
            [p["deliveries_per_s"] for p in points],
            [p["p50"] for p in points],
            marker=".",
            linestyle="--",
            label=f"{kind} p50",
        )
    ax.axhline(250, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel("deliveries per second (500-member chat)")
    ax.set_ylabel("send → receive latency, ms")
    ax.set_yscale("log")
    ax.set_title("Fan-out latency against load, one worker")
    ax.legend()
    fig.tight_layout()
    fig.savefig(common.ROOT / "bench" / "fanout.png", dpi=110)


if __name__ == "__main__":
    main()
