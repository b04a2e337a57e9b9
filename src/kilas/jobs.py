"""Background jobs.

A job is an `async def fn(ctx: JobContext, **ids)` registered with `@job(...)`. Jobs carry ids, not
objects, and are idempotent: a retried job reloads its rows and returns early when the work is done.

Two queues behind one interface:
- `HueyQueue`: Huey on SQLite (embedded, consumer threads inside `kilas serve`) or on Redis
  (`KILAS_REDIS_URL`, any number of `kilas worker` processes). Queued work survives a restart.
- `InlineQueue`: runs the job right after the request commits, in the same event loop (tests).
"""

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kilas.cache import RedisCache, create_cache
from kilas.db import create_engine, make_sessionmaker
from kilas.metrics import instrument_queue, start_worker_metrics_server
from kilas.pubsub import PubSub, RedisPubSub, create_pubsub
from kilas.settings import Settings
from kilas.storage import Storage, create_storage

log = logging.getLogger(__name__)
POLL_MAX_DELAY = 0.5


@dataclass
class JobContext:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    storage: Storage
    queue: "JobQueue"
    pubsub: PubSub


JobFunction = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class JobSpec:
    fn: JobFunction
    retries: int
    retry_delay: int
    timeout: int | None
    every_minutes: int | None = None


REGISTRY: dict[str, JobSpec] = {}
# Rounds run every few seconds by one worker at a time (recovering work whose worker died).
WATCHDOGS: list[JobFunction] = []


def watchdog(fn: JobFunction) -> JobFunction:
    WATCHDOGS.append(fn)
    return fn


def job(
    name: str,
    *,
    retries: int = 3,
    retry_delay: int = 20,
    timeout: int | None = None,
    every_minutes: int | None = None,
) -> Callable[[JobFunction], JobFunction]:
    def register(fn: JobFunction) -> JobFunction:
        REGISTRY[name] = JobSpec(fn, retries, retry_delay, timeout, every_minutes)
        return fn

    return register


def load_jobs() -> None:
    """Import every module that registers jobs."""
    import kilas.analytics.tasks
    import kilas.feed.tasks
    import kilas.videos.tasks
    import kilas.videos.uploads  # noqa: F401


class JobQueue(Protocol):
    async def enqueue(self, name: str, **kwargs: Any) -> None: ...


class InlineQueue:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        storage: Storage,
        pubsub: PubSub,
    ):
        load_jobs()
        self.context = JobContext(settings, sessionmaker, storage, self, pubsub)

    async def enqueue(self, name: str, **kwargs: Any) -> None:
        await REGISTRY[name].fn(self.context, **kwargs)


class _WebConsumer(Consumer):
    """Huey's consumer, run as threads inside the web process: the server owns the signals."""

    def _set_signal_handlers(self) -> None:
        pass


class HueyQueue:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.huey = make_huey(settings)
        instrument_queue(self.huey)
        self._tasks: dict[str, Any] = {}
        self._consumer: Consumer | None = None
        self._stopping = threading.Event()
        load_jobs()
        for name, spec in REGISTRY.items():
            self._tasks[name] = self._register(name, spec)

    def _register(self, name: str, spec: JobSpec) -> Any:
        settings = self.settings

        def run(**kwargs: Any) -> None:
            asyncio.run(_run_in_fresh_loop(settings, spec.fn, kwargs))

        if spec.every_minutes:
            return self.huey.periodic_task(crontab(minute=f"*/{spec.every_minutes}"), name=name, retries=0)(
                run
            )
        return self.huey.task(
            retries=spec.retries, retry_delay=spec.retry_delay, timeout=spec.timeout, name=name
        )(run)

    async def enqueue(self, name: str, **kwargs: Any) -> None:
        self._tasks[name](**kwargs)

    def start_watchdog(self) -> None:
        """Every third of the stale time, one worker (whichever takes the shared lock) runs the
        watchdog rounds."""
        interval = max(1.0, self.settings.job_stale_seconds / 3)

        def loop() -> None:
            while not self._stopping.wait(interval):
                try:
                    asyncio.run(_run_in_fresh_loop(self.settings, _watchdog_round, {"interval": interval}))
                except Exception:  # the watchdog must outlive a database hiccup
                    log.exception("watchdog round failed")

        threading.Thread(target=loop, name="kilas-watchdog", daemon=True).start()

    def start_consumer(self, workers: int) -> None:
        # Idle workers poll the SQLite queue at most every half second: a fresh upload should not
        # wait out Huey's default 10 s back-off before its transcode starts.
        self._consumer = _WebConsumer(
            self.huey,
            workers=workers,
            worker_type="thread",
            max_delay=POLL_MAX_DELAY,
            shutdown_timeout=self.settings.worker_shutdown_timeout_seconds,
        )
        self._consumer.start()
        self.start_watchdog()

    def stop_consumer(self) -> None:
        self._stopping.set()
        if self._consumer:
            self._consumer.stop(graceful=True)
            self._consumer = None

    def run_worker(self, workers: int) -> None:
        """Block and work the queue (`kilas worker`).

        SIGTERM stops gracefully: no new job is taken and the running ones may finish for up to
        `worker_shutdown_timeout_seconds`; a second SIGTERM, SIGINT (Ctrl-C) or the timeout stops at
        once. A job cut off that way is recovered by the lease: its heartbeat stops, and once it is
        stale the watchdog of a live worker queues the video again.
        """
        start_worker_metrics_server(self.settings.worker_metrics_port)
        self.start_watchdog()
        consumer = Consumer(
            self.huey,
            workers=workers,
            worker_type="thread",
            max_delay=POLL_MAX_DELAY,
            graceful_signal="TERM",
            shutdown_timeout=self.settings.worker_shutdown_timeout_seconds,
        )
        try:
            consumer.run()
        finally:
            self._stopping.set()


def make_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey("kilas", url=settings.redis_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("kilas", filename=str(settings.data_dir / "jobs.db"))


async def _run_in_fresh_loop(settings: Settings, fn: JobFunction, kwargs: dict[str, Any]) -> None:
    engine = create_engine(settings.resolved_database_url, pooled=False)
    pubsub = create_pubsub(settings.redis_url)  # a Redis client belongs to the loop that made it
    try:
        storage = create_storage(settings)
        context = JobContext(settings, make_sessionmaker(engine), storage, huey_queue(settings), pubsub)
        await fn(context, **kwargs)
    finally:
        await engine.dispose()
        if isinstance(pubsub, RedisPubSub):
            await pubsub.close()


async def _watchdog_round(ctx: JobContext, *, interval: float) -> None:
    cache = create_cache(ctx.settings.redis_url)
    try:
        if await cache.add("watchdog-round", ttl_s=max(1, int(interval))):
            for fn in WATCHDOGS:
                await fn(ctx)
    finally:
        if isinstance(cache, RedisCache):
            await cache.close()


_queues: dict[str, HueyQueue] = {}


def huey_queue(settings: Settings) -> HueyQueue:
    """One Huey queue per process and backend, shared by the web app and the jobs it runs."""
    key = settings.redis_url or str(settings.data_dir.resolve())
    if key not in _queues:
        _queues[key] = HueyQueue(settings)
    return _queues[key]
