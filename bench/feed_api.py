"""Feed API throughput and latency of one web process (one core), against a trivial endpoint.

A real `kilas serve --no-worker` (one uvicorn process) runs on a temporary SQLite database (and, with
`--postgres`, again on a fresh PostgreSQL database) seeded with synthetic rows: 200 creators, 20,000
ready public videos with three renditions each, 1,000 viewers with follows, likes and seen videos (and
a 1 KB stand-in for each video's 360p file). This process drives it with httpx, 64 requests in flight,
one phase per endpoint:

    livez       GET /livez (the in-run baseline: what one process answers when a request does nothing)
    foryou      GET /api/v1/feed/foryou, anonymous, following `next_cursor` for up to 5 pages
    foryou_auth the same with a bearer token (one viewer per connection: seen videos, likes, follows)
    video       GET /api/v1/videos/{id} for random ids
    media       GET /media/v/{id}/360.mp4: the authorised media request every play makes (a 1 KB file
                on local disk here; with object storage the same check ends in a 302 to the CDN)

Latencies are measured at the client under that saturating load, so they include queueing (about
in-flight / throughput); `foryou.unloaded_*` is one request at a time. The server's CPU use during each
phase is printed too (`server_cpu`; near 100 % means the web process, not this load generator, was the
limit), and the server CPU time per answered request (`cpu_per_request`): what one core can do is
1000 / that, whatever limited the run. `foryou.ratio` compares For You with `/livez` on that measure
(the For You throughput of one core as a fraction of its trivial-request throughput): this process
cannot saturate the server with trivial requests, so a ratio of wall-clock rates would flatter the feed.

    python -m bench.feed_api [--seconds 7] [--concurrency 64] [--postgres postgresql://user@host/db]

`--postgres` takes an admin URL: a database `kilas_bench_<random>` is made there and dropped after.
"""

import argparse
import asyncio
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import insert, select

from kilas.accounts.models import User
from kilas.accounts.service import create_api_token
from kilas.db import UTCDateTime, create_engine, make_sessionmaker, unit_of_work, utcnow
from kilas.enums import AccountType, VideoStatus, Visibility
from kilas.events.models import ViewWindow
from kilas.migrate import migrate_async
from kilas.settings import Settings
from kilas.social.models import Follow, VideoLike
from kilas.videos.models import Rendition, Video

CREATORS = 200
VIDEOS = 20_000
VIEWERS = 1_000
FOLLOWS_PER_VIEWER = 20
LIKES_PER_VIEWER = 30
SEEN_PER_VIEWER = 50
PAGES_PER_SESSION = 5
RENDITIONS = ((360, 360, 640, 900_000), (480, 480, 854, 1_600_000), (720, 720, 1280, 3_200_000))
BATCH = 2_000
MEDIA_BYTES = b"\0" * 1024


# (loop number, the loop's own state) -> (method, URL, headers) of the loop's next request
RequestFor = Callable[[int, dict[str, object]], tuple[str, str, dict[str, str]]]


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    server_cpu_s: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    @property
    def server_cpu_share(self) -> float:
        """How busy the server's one core was (1.0: fully)."""
        return self.server_cpu_s / self.elapsed if self.elapsed else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU time per answered request: what a core can do, whatever limited this run."""
        return self.server_cpu_s * 1000 / len(self.latencies) if self.latencies else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else 0.0


async def seed(settings: Settings, tokens_needed: int) -> tuple[list[int], list[str]]:
    """Insert the synthetic rows; returns the video ids and `tokens_needed` viewers' API tokens."""
    rng = random.Random(7)
    engine = create_engine(settings.resolved_database_url)
    now = utcnow()
    try:
        async with engine.begin() as connection:

            async def insert_rows(model: type, rows: list[dict[str, object]]) -> None:
                for start in range(0, len(rows), BATCH):
                    await connection.execute(insert(model), rows[start : start + BATCH])

            def person(index: int, kind: str, account_type: AccountType) -> dict[str, object]:
                return {
                    "username": f"{kind}{index}",
                    "email": f"{kind}{index}@bench.kilas.id",
                    "password_hash": "!",  # nobody logs in with a password
                    "display_name": f"{kind.title()} {index}",
                    "birth_date": date(1990, 1, 1),
                    "account_type": account_type,
                    "created_at": now,
                }

            await insert_rows(User, [person(i, "kreator", AccountType.creator) for i in range(CREATORS)])
            await insert_rows(User, [person(i, "penonton", AccountType.personal) for i in range(VIEWERS)])
            creators = list(await connection.scalars(select(User.id).where(User.username.like("kreator%"))))
            viewers = list(await connection.scalars(select(User.id).where(User.username.like("penonton%"))))

            videos = []
            for i in range(VIDEOS):
                published = now - timedelta(minutes=rng.uniform(1, 60 * 24 * 60))
                prefix = f"videos/bench{i:06d}"
                videos.append(
                    {
                        "owner_id": rng.choice(creators),
                        "caption": f"Belajar bareng #{i % 50}",
                        "visibility": Visibility.public,
                        "status": VideoStatus.ready,
                        "media_prefix": prefix,
                        "source_key": f"{prefix}/original.mp4",
                        "poster_key": f"{prefix}/poster.jpg",
                        "preview_key": f"{prefix}/preview.webp",
                        "duration_s": 30.0,
                        "width": 1080,
                        "height": 1920,
                        "likes_count": int(rng.paretovariate(1.2)),
                        "comments_count": int(rng.paretovariate(1.5)),
                        "views_count": int(rng.paretovariate(1.0) * 10),
                        "shares_count": int(rng.paretovariate(2.0)) - 1,
                        "processing_attempts": 1,
                        "created_at": published,
                        "updated_at": published,
                        "published_at": published,
                    }
                )
            await insert_rows(Video, videos)
            rows = await connection.execute(select(Video.id, Video.media_prefix))
            prefixes = {video_id: prefix for video_id, prefix in rows}
            video_ids = list(prefixes)
            await insert_rows(
                Rendition,
                [
                    {
                        "video_id": video_id,
                        "short_edge": edge,
                        "width": width,
                        "height": height,
                        "key": f"{prefixes[video_id]}/{edge}.mp4",
                        "size_bytes": size,
                        "created_at": now,
                    }
                    for video_id in video_ids
                    for edge, width, height, size in RENDITIONS
                ],
            )
            follows, likes, seen = [], [], []
            # A counted view of each seen video, just now (every timestamp of the row).
            seen_times = {
                column.name: now
                for column in ViewWindow.__table__.columns
                if isinstance(column.type, UTCDateTime) and not column.primary_key
            }
            for viewer in viewers:
                follows += [
                    {"follower_id": viewer, "followee_id": creator, "created_at": now}
                    for creator in rng.sample(creators, FOLLOWS_PER_VIEWER)
                ]
                likes += [
                    {"user_id": viewer, "video_id": video, "created_at": now}
                    for video in rng.sample(video_ids, LIKES_PER_VIEWER)
                ]
                seen += [
                    {"video_id": video, "viewer_key": f"u:{viewer}", **seen_times}
                    for video in rng.sample(video_ids, SEEN_PER_VIEWER)
                ]
            await insert_rows(Follow, follows)
            await insert_rows(VideoLike, likes)
            await insert_rows(ViewWindow, seen)

        async with unit_of_work(make_sessionmaker(engine)) as db:
            users = list(await db.scalars(select(User).where(User.id.in_(viewers[:tokens_needed]))))
            tokens = [await create_api_token(db=db, user=user, name="bench") for user in users]
    finally:
        await engine.dispose()
    for prefix in prefixes.values():  # what the media phase serves
        folder = settings.media_dir / prefix
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "360.mp4").write_bytes(MEDIA_BYTES)
    return video_ids, tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(
    base_url: str, phase: Phase, *, seconds: float, concurrency: int, pid: int, request_for: RequestFor
) -> Phase:
    """`concurrency` loops, each with its own client and connection (one shared pool is what slows a
    Python load generator down most), sending its next request as soon as the previous one answered.
    The clients are made before the clock starts: making one costs more than a cheap request."""
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, timeout=30))
            for _ in range(concurrency)
        ]
        deadline = time.perf_counter() + seconds

        async def loop(number: int, client: httpx.AsyncClient) -> None:
            state: dict[str, object] = {}
            while time.perf_counter() < deadline:
                method, url, headers = request_for(number, state)
                started = time.perf_counter()
                try:
                    response = await client.request(method, url, headers=headers)
                except httpx.HTTPError:
                    phase.errors += 1
                    continue
                if response.status_code != 200:
                    phase.errors += 1
                    continue
                phase.latencies.append(time.perf_counter() - started)
                if url.startswith("/api/v1/feed/"):  # scroll on, then start a new session
                    cursor = response.json().get("next_cursor")
                    pages = int(str(state.get("pages", 0))) + 1
                    more = bool(cursor) and pages < PAGES_PER_SESSION
                    state.update(cursor=cursor if more else None, pages=pages if more else 0)

        cpu_before, started = cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(loop(number, client) for number, client in enumerate(clients)))
        phase.elapsed = time.perf_counter() - started
        phase.server_cpu_s = cpu_seconds(pid) - cpu_before
    return phase


def feed_request(tokens: list[str] | None) -> RequestFor:
    def request_for(number: int, state: dict[str, object]) -> tuple[str, str, dict[str, str]]:
        cursor = state.get("cursor")
        url = "/api/v1/feed/foryou" + (f"?cursor={cursor}" if cursor else "")
        headers = {"Authorization": f"Bearer {tokens[number % len(tokens)]}"} if tokens else {}
        return "GET", url, headers

    return request_for


def video_request(video_ids: list[int]) -> RequestFor:
    rng = random.Random(11)

    def request_for(number: int, state: dict[str, object]) -> tuple[str, str, dict[str, str]]:
        return "GET", f"/api/v1/videos/{rng.choice(video_ids)}", {}

    return request_for


def media_request(video_ids: list[int]) -> RequestFor:
    rng = random.Random(13)

    def request_for(number: int, state: dict[str, object]) -> tuple[str, str, dict[str, str]]:
        return "GET", f"/media/v/{rng.choice(video_ids)}/360.mp4", {}

    return request_for


def livez_request(number: int, state: dict[str, object]) -> tuple[str, str, dict[str, str]]:
    return "GET", "/livez", {}


async def wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"kilas serve exited:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                if (await client.get("/livez")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("kilas serve did not start within 60 s")


async def run_backend(label: str, settings: Settings, *, seconds: float, concurrency: int) -> None:
    started = time.perf_counter()
    await migrate_async(settings)
    video_ids, tokens = await seed(settings, tokens_needed=concurrency)
    print(f"# {label}: seeded in {time.perf_counter() - started:.1f} s", flush=True)
    port = free_port()
    env = {
        **os.environ,
        "KILAS_DATA_DIR": str(settings.data_dir),
        "KILAS_DATABASE_URL": settings.database_url,
        "KILAS_REDIS_URL": "",
        "KILAS_STORAGE_URL": "",
        "KILAS_SECRET_KEY": "bench-secret",
    }
    log = settings.data_dir / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "kilas.cli", "serve", "--no-worker", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_up(base_url, server, log)
        pid = server.pid

        async def phase(
            name: str, request_for: RequestFor, *, length: float = seconds, clients: int = concurrency
        ) -> Phase:
            return await drive(
                base_url, Phase(name), seconds=length, concurrency=clients, pid=pid, request_for=request_for
            )

        await phase("warmup", feed_request(None), length=2)
        unloaded = await phase("foryou_unloaded", feed_request(None), length=3, clients=1)
        phases = [
            await phase("livez", livez_request),
            await phase("foryou", feed_request(None)),
            await phase("foryou_auth", feed_request(tokens)),
            await phase("video", video_request(video_ids)),
            await phase("media", media_request(video_ids)),
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()

    prefix = "feed_api" if label == "sqlite" else f"feed_api.{label}"

    def bench(name: str, value: float, unit: str) -> None:
        print(f"BENCH {prefix}.{name} {value:.{3 if unit == 'x' else 1}f} {unit}", flush=True)

    for result in phases:
        bench(f"{result.name}.rps", result.rps, "req/s")
        bench(f"{result.name}.p50", result.percentile(0.50), "ms")
        bench(f"{result.name}.p99", result.percentile(0.99), "ms")
        bench(f"{result.name}.server_cpu", result.server_cpu_share * 100, "%")
        bench(f"{result.name}.cpu_per_request", result.cpu_ms_per_request, "ms")
        if result.errors:
            print(f"# {label} {result.name}: {result.errors} failed requests", flush=True)
    bench("foryou.unloaded_p50", unloaded.percentile(0.50), "ms")
    bench("foryou.unloaded_p99", unloaded.percentile(0.99), "ms")
    # Against the baseline in server CPU per request, which holds even when the load generator (this
    # process, on the same machine) cannot saturate the server with trivial requests.
    livez, foryou = phases[0], phases[1]
    ratio = livez.cpu_ms_per_request / foryou.cpu_ms_per_request if foryou.cpu_ms_per_request else 0.0
    bench("foryou.ratio", ratio, "x")


async def run(*, seconds: float = 7, concurrency: int = 64, postgres: str = "") -> None:
    with tempfile.TemporaryDirectory(prefix="kilas-bench-feed-") as folder:
        settings = Settings(data_dir=Path(folder), _env_file=None)  # type: ignore[call-arg]
        await run_backend("sqlite", settings, seconds=seconds, concurrency=concurrency)
    if postgres:
        await run_on_postgres(postgres, seconds=seconds, concurrency=concurrency)


async def run_on_postgres(admin_url: str, *, seconds: float, concurrency: int) -> None:
    import asyncpg

    parts = urlsplit(admin_url)
    plain = urlunsplit(("postgresql", *parts[1:]))
    name = f"kilas_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(plain)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        with tempfile.TemporaryDirectory(prefix="kilas-bench-feed-") as folder:
            url = urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{name}", "", ""))
            settings = Settings(data_dir=Path(folder), database_url=url, _env_file=None)  # type: ignore[call-arg]
            await run_backend("postgres", settings, seconds=seconds, concurrency=concurrency)
    finally:
        admin = await asyncpg.connect(plain)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=7, help="length of each measured phase")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight")
    parser.add_argument("--postgres", default="", help="admin URL of a PostgreSQL server to run on too")
    arguments = parser.parse_args()
    asyncio.run(
        run(seconds=arguments.seconds, concurrency=arguments.concurrency, postgres=arguments.postgres)
    )
