"""Engagement event ingest: acknowledgement throughput and latency through the real HTTP API of one
`kilas serve` process on one core, then the event processor storing and counting what was received.

1. Ingest: one server process pinned to one core (the load generator runs on the other) on a fresh
   database with synthetic videos; many keep-alive connections post batches of 50 events (every
   event a fresh id, 5 % of batches sent twice, as phones retry). Reports acknowledged events/s,
   events per server CPU-second, CPU-seconds per million and ack latency p50/p99. The processor is
   off in that process, so the figure is the ingest tier's own.
2. Processing: an event processor drains the inbox the run filled (store events, count views, move
   counters) and reports events per CPU-second; then the counters are checked against a recount.
3. Baseline, in the same run: the naive way, one transaction per event through the same storage code.

    python -m bench.events_ingest [--seconds 15] [--connections 16] [--postgres postgresql+asyncpg://...]
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import uvloop
from sqlalchemy import func, insert, select, text

from kilas.db import create_engine, make_sessionmaker, unit_of_work
from kilas.events.inbox import WriteTurns
from kilas.events.models import EngagementEvent
from kilas.events.processor import EventProcessor
from kilas.events.store import apply_events
from kilas.migrate import migrate_async
from kilas.settings import Settings

BATCH = 50
VIDEOS = 2000
RETRY_SHARE = 0.05
SERVER_CPU, CLIENT_CPU = 0, 1
ID_WIDTH = 32  # every event id in a request body is exactly this long, so it can be rewritten in place


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def seed(settings: Settings) -> None:
    """Creators and ready public videos, inserted directly (no media needed to receive events)."""
    from kilas.accounts.models import User
    from kilas.videos.models import Video

    await migrate_async(settings)
    engine = create_engine(settings.resolved_database_url)
    now = datetime.now(UTC)
    counters = dict.fromkeys(COUNTERS, 0)
    async with engine.begin() as connection:
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
                    "birth_date": date(1990, 1, 1),
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
                    **counters,
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


def scrolling_events(rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    """50 events of one phone's scrolling: impressions, plays, views, progress, completions."""
    events: list[dict[str, Any]] = []
    started = (now - timedelta(seconds=12)).isoformat()
    while len(events) < BATCH:
        base = {"video_id": rng.randint(1, VIDEOS), "occurred_at": now.isoformat(), "source": "foryou"}
        play = {"play_id": uuid.uuid4().hex, "play_started_at": started}
        for kind, extra in (
            ("impression", {}),
            ("play", play),
            ("view", {**play, "watched_ms": 1200}),
            ("progress", {**play, "watched_ms": 5000, "position_ms": 5000}),
            ("complete", play),
        ):
            events.append({"event_id": "x" * ID_WIDTH, "type": kind, **base, **extra})
    return events[:BATCH]


class Phone:
    """One keep-alive connection sending request bodies built from a template: only the event ids
    change from one request to the next (written in place), so the generator stays cheap."""

    def __init__(self, number: int, port: int, now: datetime) -> None:
        self.number = number
        self.port = port
        body = orjson.dumps({"events": scrolling_events(random.Random(number), now)})
        self.template = bytearray(body)
        placeholder = b'"' + b"x" * ID_WIDTH + b'"'
        self.id_offsets = [i + 1 for i in range(len(body)) if body.startswith(placeholder, i)]
        assert len(self.id_offsets) == BATCH
        self.head = (
            f"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Cookie: kilas_device=bench-phone-{number}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.sent = 0

    def next_request(self) -> bytes:
        self.sent += 1
        prefix = f"{self.number:06x}{self.sent:010x}".encode()
        for index, offset in enumerate(self.id_offsets):
            self.template[offset : offset + ID_WIDTH] = prefix + f"{index:016x}".encode()
        return self.head + bytes(self.template)

    async def run(self, until: float, latencies: list[float], accepted: list[int]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        rng = random.Random(self.number)
        try:
            while time.perf_counter() < until:
                request = self.next_request()
                started = time.perf_counter()
                answer = await self._send(reader, writer, request)
                latencies.append(time.perf_counter() - started)
                accepted.append(orjson.loads(answer)["accepted"])
                if rng.random() < RETRY_SHARE:  # the same ids again: counted once
                    await self._send(reader, writer, request)
        finally:
            writer.close()

    @staticmethod
    async def _send(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> bytes:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = head[9:12]
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await reader.readexactly(length)
        if status != b"200":
            raise RuntimeError(f"the server answered {status.decode()}: {body[:200]!r}")
        return body


async def drive(port: int, seconds: float, connections: int) -> tuple[int, list[float]]:
    now = datetime.now(UTC)
    phones = [Phone(n, port, now) for n in range(connections)]
    latencies: list[float] = []
    accepted: list[int] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(*[phone.run(until, latencies, accepted) for phone in phones])
    return sum(accepted), latencies


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL server process on this machine (the database's share of the work)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(entry.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


async def naive_baseline(settings: Settings, events: int) -> float:
    """The same kind of events, one transaction per event, straight through the storage code."""
    engine = create_engine(settings.resolved_database_url)
    sessionmaker = make_sessionmaker(engine)
    rng = random.Random(7)
    rows = []
    now = datetime.now(UTC)
    while len(rows) < events:
        for event in scrolling_events(rng, now):
            rows.append(
                {
                    "event_id": uuid.uuid4().hex,
                    "type": event["type"],
                    "video_id": event["video_id"],
                    "creator_id": 1,
                    "viewer_key": f"d:naive{len(rows) // 50}",
                    "user_id": None,
                    "source": "foryou",
                    "play_id": event.get("play_id"),
                    "watched_ms": event.get("watched_ms", 0),
                    "position_ms": event.get("position_ms"),
                    "occurred_at": now,
                    "received_at": now,
                    "counted_view": False,
                    "flag": None,
                }
            )
    window = timedelta(minutes=30)
    started = time.perf_counter()
    for row in rows[:events]:
        async with unit_of_work(sessionmaker) as db:
            await apply_events(db, [row], window)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return events / elapsed


async def process_inbox(settings: Settings) -> tuple[int, float, float, float]:
    """Drain the inbox; returns events, wall seconds, this process's CPU seconds, PostgreSQL's."""
    engine = create_engine(settings.resolved_database_url, pool_size=1)
    processor = EventProcessor(
        make_sessionmaker(engine), window=timedelta(minutes=30), turns=WriteTurns(serialize=False)
    )
    postgres_before = postgres_cpu_seconds() if settings.database_url else 0.0
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    events = await processor.drain()
    wall = time.perf_counter() - wall_before
    cpu = time.process_time() - cpu_before
    postgres = postgres_cpu_seconds() - postgres_before if settings.database_url else 0.0
    await engine.dispose()
    return events, wall, cpu, postgres


async def check_counters(settings: Settings) -> None:
    """Counted views on the videos equal the counted view events stored (nothing lost, nothing twice)."""
    from kilas.videos.models import Video

    engine = create_engine(settings.resolved_database_url)
    async with engine.connect() as connection:
        views = await connection.scalar(select(func.sum(Video.views_count)))
        counted = await connection.scalar(
            select(func.count()).select_from(EngagementEvent).where(EngagementEvent.counted_view.is_(True))
        )
        waiting = await connection.scalar(text("SELECT COUNT(*) FROM event_inbox"))
    await engine.dispose()
    if views != counted or waiting:
        raise RuntimeError(
            f"counters differ from the events: {views} views, {counted} counted, {waiting} left"
        )


async def run(seconds: float, postgres: str | None, connections: int = 16) -> None:
    with tempfile.TemporaryDirectory(prefix="kilas-bench-events-") as folder:
        label = "postgresql" if postgres else "sqlite"
        settings = Settings(data_dir=Path(folder), database_url=postgres or "", _env_file=None)  # type: ignore[call-arg]
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
            "KILAS_PROCESS_EVENTS": "false",
        }
        cores = os.cpu_count() or 1
        pinned = cores >= 2
        server = subprocess.Popen(
            [sys.executable, "-m", "kilas.cli", "serve", "--no-worker", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=(lambda: os.sched_setaffinity(0, {SERVER_CPU})) if pinned else None,
        )
        if pinned:
            os.sched_setaffinity(0, {CLIENT_CPU})
        try:
            await wait_until_up(port)
            await drive(port, 2, connections)  # warm up: caches, connections, code paths
            cpu_before = cpu_seconds(server.pid)
            database_before = postgres_cpu_seconds() if postgres else 0.0
            wall_started = time.perf_counter()
            events, latencies = await drive(port, seconds, connections)
            wall = time.perf_counter() - wall_started
            cpu = cpu_seconds(server.pid) - cpu_before
            database_cpu = postgres_cpu_seconds() - database_before if postgres else 0.0
        finally:
            server.terminate()
            server.wait(timeout=30)
        if pinned:
            os.sched_setaffinity(0, set(range(cores)))
        processed, process_wall, process_cpu, postgres_cpu = await process_inbox(settings)
        await check_counters(settings)
        naive = await naive_baseline(settings, 1000)
    rate = events / wall
    per_cpu = events / cpu if cpu else 0.0
    process_per_cpu = processed / (process_cpu + postgres_cpu)
    both_per_cpu = 1 / (1 / per_cpu + 1 / process_per_cpu)
    quantiles = statistics.quantiles(latencies, n=100)
    name = f"events_ingest.{label}"
    print(f"BENCH {name}.ack_events_per_s {rate:.0f} events/s", flush=True)
    print(f"BENCH {name}.ack_events_per_cpu_s {per_cpu:.0f} events/s", flush=True)
    print(f"BENCH {name}.ack_cpu_s_per_million {1_000_000 * cpu / events:.1f} s", flush=True)
    print(f"BENCH {name}.ack_p50 {quantiles[49] * 1000:.1f} ms", flush=True)
    print(f"BENCH {name}.ack_p99 {quantiles[98] * 1000:.1f} ms", flush=True)
    print(f"BENCH {name}.server_cpu_utilisation {cpu / wall:.2f} cores", flush=True)
    if postgres:  # the inbox inserts' cost in the database, beside the web process's
        print(f"BENCH {name}.ack_postgres_cpu_s_per_million {database_cpu / events * 1e6:.1f} s", flush=True)
    print(f"BENCH {name}.process_events_per_s {processed / process_wall:.0f} events/s", flush=True)
    print(f"BENCH {name}.process_events_per_cpu_s {process_per_cpu:.0f} events/s", flush=True)
    if postgres:
        print(f"BENCH {name}.process_postgres_cpu_share {postgres_cpu / (process_cpu + postgres_cpu):.2f}")
    print(f"BENCH {name}.ack_and_process_events_per_cpu_s {both_per_cpu:.0f} events/s", flush=True)
    print(f"BENCH {name}.naive_events_per_s {naive:.0f} events/s", flush=True)
    print(f"BENCH {name}.ratio {rate / naive:.1f} x", flush=True)


async def wait_until_up(port: int) -> None:
    for _ in range(150):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            writer.close()
            if head.startswith(b"HTTP/1.1 200"):
                return
        except OSError:
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
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--postgres", default=None, help="a database URL; the database is recreated")
    arguments = parser.parse_args()
    uvloop.run(run(arguments.seconds, arguments.postgres, arguments.connections))
