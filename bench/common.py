"""Shared benchmark plumbing: a bench database, users with sessions, server processes, stats.

The server runs pinned to core 0 and the load client to core 1 where the machine allows, both
on loopback; every run is bounded in time and count.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BENCH_DB = ROOT / "var" / "bench.sqlite3"


def use_core(core: int) -> None:
    """Pin this (client) process to one core when there are at least two."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {core})


def bench_env() -> dict[str, str]:
    """Environment for the bench database and a production-like server (DEBUG off)."""
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DB}")
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": env.get("BENCH_SECRET_KEY") or _stable_secret(),
            "JWT_PRIVATE_KEY": _jwt_key(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SERVE_MEDIA": "true",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "messenger.settings",
            # The load client sends far more frames than a person would.
            "REALTIME_RATE_PER_SECOND": "1000",
            "REALTIME_RATE_BURST": "1000",
            # Presence of closed sockets is settled at once, not 5 s later during the next run.
            "REALTIME_PRESENCE_GRACE_SECONDS": "0",
        }
    )
    return env


def _stable_secret() -> str:
    path = ROOT / "var" / "bench-secret"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _jwt_key() -> str:
    path = ROOT / "var" / "dev-jwt-private.pem"
    if not path.exists():
        subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, "DEBUG": "true"},
        )
    return path.read_text()


def setup_django(*, fresh: bool) -> None:
    """Configure Django in this process against the bench database (migrated)."""
    os.environ.update(bench_env())
    import django
    from django.apps import apps

    if apps.ready:
        # An earlier benchmark of this run set Django up: its connections must not outlive
        # the file they point at (SQLite would answer "no such table" from a deleted file).
        from django.db import connections

        connections.close_all()
    if fresh and os.environ["DATABASE_URL"].startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{BENCH_DB}{suffix}").unlink(missing_ok=True)
    if not apps.ready:
        django.setup()
    from django.core.management import call_command

    if fresh and not os.environ["DATABASE_URL"].startswith("sqlite"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    # DEBUG is off, as in production: pages need the hashed static manifest.
    call_command("collectstatic", interactive=False, verbosity=0)


def create_users(n: int, prefix: str) -> list[tuple[int, str]]:
    """Create `n` active users with a logged-in session each; return (user_id, session_key)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    users = User.objects.bulk_create(
        [
            User(username=f"{prefix}{i}", email=f"{prefix}{i}@bench.local", password="!")
            for i in range(n)
        ]
    )
    if not users[0].pk:  # backends without RETURNING
        users = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    pairs = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        pairs.append((user.pk, store.session_key))
    return pairs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    kind: str
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def rss_kib(self) -> int:
        import psutil

        return psutil.Process(self.process.pid).memory_info().rss // 1024

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process (all its threads) has used so far."""
        import psutil

        times = psutil.Process(self.process.pid).cpu_times()
        return times.user + times.system

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(kind: str = "daphne", *, core: int = 0) -> Server:
    """Start one ASGI worker (daphne or uvicorn) on a free port, pinned to `core`."""
    port = free_port()
    if kind == "daphne":
        cmd = [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "messenger.asgi:application",
        ]
    elif kind == "uvicorn":
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--ws-max-size",
            "1048576",
            "--ws",
            os.environ.get("BENCH_UVICORN_WS", "websockets-sansio"),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            # Compressing each socket's copy of a fanned-out frame costs more than the bytes
            # saved on a LAN; docs/deployment.md runs uvicorn the same way.
            "--ws-per-message-deflate",
            "false",
            "messenger.asgi:application",
        ]
    else:
        raise ValueError(kind)
    if (os.cpu_count() or 1) >= 2 and Path("/usr/bin/taskset").exists():
        cmd = ["taskset", "-c", str(core), *cmd]
    log = open(ROOT / "var" / f"bench-server-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(cmd, cwd=ROOT, env=bench_env(), stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return Server(kind, port, process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{kind} did not start; see var/bench-server-{port}.log")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "mean": statistics.fmean(values) if values else float("nan"),
    }


def machine_facts() -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    layer = "Redis" if os.environ.get("REDIS_URL") else "in-memory"
    cpu = platform.processor() or platform.machine()
    return (
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · commit {commit or '?'} · "
        f"{os.cpu_count()} cores {cpu} · Python {platform.python_version()} · {db} · {layer} layer"
    )


def record(title: str, lines: list[str]) -> None:
    """Print the figures and append them to bench/RESULTS.md under a dated heading."""
    block = [f"### {title}", f"_{machine_facts()}_", "", *lines, ""]
    text = "\n".join(block)
    print(text)
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nAppended by `make bench`; newest last.\n\n")
    with RESULTS.open("a") as out:
        out.write(text + "\n")
