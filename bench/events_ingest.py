"""Engagement event ingest throughput, through the real HTTP API of one `kilas serve` process.

One server process (one core) on a fresh database with synthetic videos; this process drives it with
many concurrent clients posting batches of 50 events (every event a fresh id; 5 % of batches are
retried, as phones do), measures acknowledgement latency, and reads the server's CPU time from /proc.
The baseline in the same run is the naive way: the same events stored one transaction per event.

    python -m bench.events_ingest [--seconds 15] [--postgres postgresql+asyncpg://...]
"""

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from kilas.db import create_engine, make_sessionmaker
from kilas.events.writer import EventWriter
from kilas.migrate import migrate_async
from kilas.settings import Settings

BATCH = 50
VIDEOS = 2000
CLIENTS = 48


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def seed(settings: Settings) -> None:
    """Creators and ready public videos, inserted directly (no media needed to receive events)."""
    await migrate_async(settings)
    engine = create_engine(settings.resolved_database_url)
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        from sqlalchemy import insert

        from kilas.accounts.models import User
        from kilas.videos.models import Video

        await connection.execute(
            insert(User),
            [
                {
                    "id": i,
                    "username": f"kreator{i}",
                    "email": f"k{i}@contoh.id",
                    "password_hash": "x",
                    "display_name": f"Kreator {i}",
                    "bio": "",
                    "birth_date": datetime(1990, 1, 1).date(),
                    "created_at": now,
                    "account_type": "creator",
                    "is_private": False,
                    "is_admin": False,
                    "locale": "id",
                    "followers_count": 0,
                    "following_count": 0,
                    "likes_received_count": 0,
                }
                for i in range(1, 101)
            ],
        )
        await connection.execute(
            insert(Video),
            [
                {
                    "id": i,
                    "owner_id": 1 + i % 100,
                    "caption": "",
                    "visibility": "public",
                    "status": "ready",
                    "media_prefix": f"videos/bench{i}",
                    "source_key": f"videos/bench{i}/original.mp4",
                    "duration_s": 30.0,
                    "created_at": now,
                    "updated_at": now,
                    "published_at": now,
                    **dict.fromkeys(COUNTERS, 0),
                }
                for i in range(1, VIDEOS + 1)
            ],
        )
    await engine.dispose()


COUNTERS = (
    "likes_count",
    "comments_count",
    "views_count",
    "unique_viewers_count",
    "plays_count",
    "watch_ms_total",
    "completions_count",
    "impressions_count",
    "skips_count",
    "replays_count",
    "shares_count",
    "processing_attempts",
)


def make_batch(rng: random.Random) -> list[dict[str, Any]]:
    """50 events of one phone's scrolling: impressions, plays, views, progress, completions."""
    now = datetime.now(UTC)
    events = []
    while len(events) < BATCH:
        video = rng.randint(1, VIDEOS)
        play = uuid.uuid4().hex
        started = (now - timedelta(seconds=12)).isoformat()
        base = {"video_id": video, "occurred_at": now.isoformat(), "source": "foryou"}
        for kind, extra in (
            ("impression", {}),
            ("play", {"play_id": play, "play_started_at": started}),
            ("view", {"play_id": play, "play_started_at": started, "watched_ms": 1200}),
            (
                "progress",
                {"play_id": play, "play_started_at": started, "watched_ms": 5000, "position_ms": 5000},
            ),
            ("complete", {"play_id": play, "play_started_at": started}),
        ):
            events.append({"event_id": uuid.uuid4().hex, "type": kind, **base, **extra})
    return events[:BATCH]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(base_url: str, seconds: float) -> tuple[int, list[float]]:
    latencies: list[float] = []
    events = 0
    deadline = time.perf_counter() + seconds

    async def client(number: int) -> None:
        nonlocal events
        rng = random.Random(number)
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            # Each client is one phone: its own device cookie and rate-limit bucket.
            await http.get("/livez")
            while time.perf_counter() < deadline:
                batch = make_batch(rng)
                started = time.perf_counter()
                response = await http.post("/api/v1/events", json={"events": batch})
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()
                events += response.json()["accepted"]
                if rng.random() < 0.05:  # a retry: same ids, counted once
                    await http.post("/api/v1/events", json={"events": batch})

    await asyncio.gather(*[client(n) for n in range(CLIENTS)])
    return events, latencies


async def naive_baseline(settings: Settings, events: int) -> float:
    """The same kind of events, one transaction per event, straight through the storage code."""
    engine = create_engine(settings.resolved_database_url)
    writer = EventWriter(make_sessionmaker(engine), window=timedelta(minutes=30))
    rng = random.Random(7)
    rows = []
    while len(rows) < events:
        for event in make_batch(rng):
            rows.append(
                {
                    "event_id": event["event_id"],
                    "type": event["type"],
                    "video_id": event["video_id"],
                    "creator_id": 1,
                    "viewer_key": f"d:naive{len(rows) // 50}",
                    "user_id": None,
                    "source": "foryou",
                    "play_id": event.get("play_id"),
                    "watched_ms": event.get("watched_ms", 0),
                    "position_ms": event.get("position_ms"),
                    "occurred_at": datetime.now(UTC),
                    "received_at": datetime.now(UTC),
                    "counted_view": False,
                    "flag": None,
                }
            )
    started = time.perf_counter()
    for row in rows[:events]:
        await writer._commit([[row]])  # one event, one transaction
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return events / elapsed


async def run(seconds: float, postgres: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="kilas-bench-events-") as folder:
        label = "postgresql" if postgres else "sqlite"
        settings = Settings(
            data_dir=Path(folder),
            database_url=postgres or "",
            events_rate="1000000/minute",
            max_views_per_minute=1_000_000,
            _env_file=None,
        )  # type: ignore[call-arg]
        if postgres:
            await reset_postgres(postgres)
        await seed(settings)
        port = free_port()
        env = {
            **os.environ,
            "KILAS_DATA_DIR": folder,
            "KILAS_DATABASE_URL": settings.database_url,
            "KILAS_EVENTS_RATE": "1000000/minute",
            "KILAS_MAX_VIEWS_PER_MINUTE": "1000000",
            "KILAS_SECRET_KEY": "bench",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "kilas.cli", "serve", "--no-worker", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            await wait_until_up(base_url)
            await drive(base_url, 2)  # warm up
            cpu_before = cpu_seconds(server.pid)
            wall_started = time.perf_counter()
            events, latencies = await drive(base_url, seconds)
            wall = time.perf_counter() - wall_started
            cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=30)
        rate = events / wall
        per_core = events / cpu if cpu else 0.0
        quantiles = statistics.quantiles(latencies, n=100)
        naive = await naive_baseline(settings, 2000)
    print(f"BENCH events_ingest.{label}.events_per_s {rate:.0f} events/s", flush=True)
    print(f"BENCH events_ingest.{label}.events_per_cpu_s {per_core:.0f} events/s", flush=True)
    print(f"BENCH events_ingest.{label}.cpu_s_per_million {1_000_000 * cpu / events:.1f} s", flush=True)
    print(f"BENCH events_ingest.{label}.ack_p50 {quantiles[49] * 1000:.1f} ms", flush=True)
    print(f"BENCH events_ingest.{label}.ack_p99 {quantiles[98] * 1000:.1f} ms", flush=True)
    print(f"BENCH events_ingest.{label}.naive_events_per_s {naive:.0f} events/s", flush=True)
    print(f"BENCH events_ingest.{label}.ratio {rate / naive:.1f} x", flush=True)


async def wait_until_up(base_url: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(150):
            try:
                if (await http.get(f"{base_url}/livez", timeout=1)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the server did not start")


async def reset_postgres(url: str) -> None:
    import asyncpg

    target = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(
        url.replace("postgresql+asyncpg", "postgresql").rsplit("/", 1)[0] + "/postgres"
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{target}"')
    finally:
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--postgres", default=None, help="a database URL; the database is recreated")
    arguments = parser.parse_args()
    asyncio.run(run(arguments.seconds, arguments.postgres))
