"""Idle memory per logged-in socket and the time to connect 500 logged-in sockets.

Targets (issue: benchmarks): ≤ 40 KiB RSS per idle socket at 2,000 sockets; 500 sockets
connected (each greeted with `hello`) in ≤ 5 s.
"""

from __future__ import annotations

import asyncio
import json
import time

from bench import common

SOCKETS = 2000
BURST = 500


async def _open(server, session_key: str):
    import websockets

    ws = await websockets.connect(
        server.ws_url,
        origin=server.url,
        additional_headers={"Cookie": f"sessionid={session_key}"},
        max_queue=64,
        open_timeout=30,
    )
    frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
    assert frame["type"] == "hello", frame
    return ws


async def _run(server, sessions) -> dict:
    base = server.rss_kib()
    started = time.perf_counter()
    first = await asyncio.gather(*(_open(server, key) for _, key in sessions[:BURST]))
    burst_seconds = time.perf_counter() - started
    rest = []
    for i in range(BURST, len(sessions), 250):
        rest += await asyncio.gather(*(_open(server, key) for _, key in sessions[i : i + 250]))
    await asyncio.sleep(3)  # let presence writes and buffers settle
    loaded = server.rss_kib()
    sockets = first + rest
    await asyncio.gather(*(ws.close() for ws in sockets))
    return {
        "base_kib": base,
        "loaded_kib": loaded,
        "per_socket_kib": (loaded - base) / len(sockets),
        "burst_seconds": burst_seconds,
        "sockets": len(sockets),
    }


def main(kinds=("daphne", "uvicorn")) -> list[dict]:
    common.setup_django(fresh=True)
    sessions = common.create_users(SOCKETS, "idle")
    common.use_core(1)
    results = []
    for kind in kinds:
        server = common.start_server(kind)
        try:
            # Warm up imports and the first database connection before measuring.
            asyncio.run(_warm(server, sessions[0][1]))
            results.append({"server": kind, **asyncio.run(_run(server, sessions))})
        finally:
            server.stop()
    lines = [
        "| server | sockets | RSS before | RSS with sockets | per socket (≤ 40 KiB) | "
        f"connect {BURST} (≤ 5 s) |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['server']} | {r['sockets']} | {r['base_kib'] / 1024:.1f} MiB | "
            f"{r['loaded_kib'] / 1024:.1f} MiB | {r['per_socket_kib']:.1f} KiB | "
            f"{r['burst_seconds']:.2f} s |"
        )
    common.record("Idle sockets: memory and connect time", lines)
    return results


async def _warm(server, key):
    ws = await _open(server, key)
    await ws.close()


if __name__ == "__main__":
    main()
