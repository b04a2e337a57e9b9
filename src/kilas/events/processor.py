"""The event processor: from the inbox to stored, counted events.

It takes the oldest acknowledged batches (several at once), stores their events, decides the counted
views and moves the counters (events/store.py), and deletes the batches, all in ONE transaction: a
batch is counted exactly once even if the processor dies half-way. Any number of processors may run
(web nodes and workers): on PostgreSQL each takes batches nobody else holds (SKIP LOCKED); on SQLite
the database lets one write at a time.

A processor in the process that acknowledged the batch is woken at once, so counters move within
milliseconds; others look at the inbox every `idle_s` seconds.
"""

import asyncio
import logging
import threading
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kilas.accounts.models import User
from kilas.db import create_engine, make_sessionmaker, utcnow
from kilas.events.inbox import WriteTurns, decode_rows
from kilas.events.models import InboxBatch
from kilas.events.store import apply_events
from kilas.feed.learning import learn_from_events
from kilas.settings import Settings
from kilas.videos.models import Video

log = logging.getLogger(__name__)
INBOX: Table = InboxBatch.__table__  # type: ignore[assignment]
# Errors that come from the data of a batch, not from the database being away: that batch is set
# aside so the others go on.
BAD_BATCH_ERRORS = (IntegrityError, DataError, ValueError, TypeError, KeyError)


class EventProcessor:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        window: timedelta,
        turns: WriteTurns,
        max_batches: int = 100,
        idle_s: float = 0.5,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.window = window
        self.turns = turns
        self.max_batches = max_batches
        self.idle_s = idle_s
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._one_by_one = 0  # after a chunk failed: take its batches one at a time to find the bad one

    def start(self) -> None:
        """Run in the background of the current event loop (idempotent)."""
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="kilas-event-processor")

    def wake(self) -> None:
        """New batches are in the inbox (called by this process's inbox after each commit)."""
        self.start()
        if self._wake is not None:
            self._wake.set()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def drain(self) -> int:
        """Process until the inbox is empty; returns the number of events stored or found stored."""
        total = 0
        while (events := await self.process_once()) is not None:
            total += events
        return total

    async def run_forever(self) -> None:
        self.start()
        assert self._task is not None
        await self._task

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            try:
                await self.drain()
            except Exception:  # e.g. the database is away: try again shortly, nothing is lost
                log.exception("processing engagement events failed; retrying")
                await asyncio.sleep(self.idle_s)
            self._wake.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.idle_s)

    async def process_once(self) -> int | None:
        """One transaction over the oldest batches. Returns their number of events, None when the
        inbox had nothing to take."""
        limit = 1 if self._one_by_one else self.max_batches
        try:
            return await self._process(limit)
        except BAD_BATCH_ERRORS as error:
            if limit > 1:
                log.warning("a chunk of event batches failed (%s); taking them one by one", error)
                self._one_by_one = self.max_batches
                return 0
            await self._set_aside_oldest(error)
            return 0

    async def _process(self, limit: int) -> int | None:
        async with self.turns.turn(), self.sessionmaker() as db:
            batches = (await db.execute(_claim(db, limit))).all()
            if not batches:
                await db.rollback()
                return None
            rows: list[dict[str, Any]] = []
            for batch in sorted(batches, key=lambda b: b.id):
                rows.extend(
                    decode_rows(
                        events=batch.events,
                        received_at=batch.received_at,
                        viewer_key=batch.viewer_key,
                        user_id=batch.user_id,
                    )
                )
            rows = await _without_vanished(db, rows)
            new_rows = await apply_events(db, rows, self.window)
            await _learn(db, new_rows)
            await db.commit()
        if self._one_by_one:
            self._one_by_one -= 1
        return len(rows)

    async def _set_aside_oldest(self, error: Exception) -> None:
        async with self.turns.turn(), self.sessionmaker() as db:
            oldest = await db.scalar(select(func.min(INBOX.c.id)).where(INBOX.c.failed_at.is_(None)))
            if oldest is None:
                return
            log.error("event batch %s cannot be stored and is set aside: %s", oldest, error)
            await db.execute(
                update(INBOX)
                .where(INBOX.c.id == oldest)
                .values(failed_at=utcnow(), failure=f"{type(error).__name__}: {error}"[:200])
            )
            await db.commit()


def _claim(db: AsyncSession, limit: int) -> Any:
    """Delete the oldest batches nobody else holds and return them (the delete commits with their
    effects, or rolls back and leaves them for the next try)."""
    oldest = select(INBOX.c.id).where(INBOX.c.failed_at.is_(None)).order_by(INBOX.c.id).limit(limit)
    if db.get_bind().dialect.name == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    return (
        delete(INBOX)
        .where(INBOX.c.id.in_(oldest.scalar_subquery()))
        .returning(INBOX.c.id, INBOX.c.received_at, INBOX.c.viewer_key, INBOX.c.user_id, INBOX.c.events)
    )


async def _without_vanished(db: AsyncSession, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Between acknowledgement and now a video may have been deleted (its events go with it) or an
    account deleted (its events stay, anonymous)."""
    video_ids = {row["video_id"] for row in rows}
    existing = set(await db.scalars(select(Video.id).where(Video.id.in_(video_ids))))
    user_ids = {row["user_id"] for row in rows if row["user_id"] is not None}
    users = set(await db.scalars(select(User.id).where(User.id.in_(user_ids)))) if user_ids else set()
    kept = []
    for row in rows:
        if row["video_id"] not in existing:
            continue
        if row["user_id"] is not None and row["user_id"] not in users:
            row["user_id"] = None
        kept.append(row)
    return kept


async def _learn(db: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """The For You feed learns from the new events in the same transaction. Counting comes first: if
    learning fails, the counts still commit and the failure is logged."""
    try:
        async with db.begin_nested():
            await learn_from_events(db, rows, now=utcnow())
    except BAD_BATCH_ERRORS:
        log.exception("the For You feed could not learn from a group of events")


async def oldest_pending(db: AsyncSession) -> datetime | None:
    """When the oldest batch still waiting in the inbox arrived (None: nothing waits)."""
    return await db.scalar(select(func.min(INBOX.c.received_at)).where(INBOX.c.failed_at.is_(None)))


def start_processor_thread(settings: Settings) -> threading.Thread:
    """Process events beside the job consumer of `kilas worker` (a thread with its own event loop)."""

    async def serve() -> None:
        engine = create_engine(settings.resolved_database_url, pool_size=1)
        processor = EventProcessor(
            make_sessionmaker(engine),
            window=timedelta(minutes=settings.view_window_minutes),
            turns=WriteTurns(serialize=False),  # the only writer of this process
        )
        try:
            await processor.run_forever()
        finally:
            await engine.dispose()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="kilas-event-processor", daemon=True)
    thread.start()
    return thread
