"""The way in for engagement events: acknowledged batches, appended with group commit.

A request hands its batch to the process's one inbox writer and waits. The writer takes every batch
that is waiting and appends them as rows of `event_inbox` in ONE transaction, then answers all those
requests at once: an acknowledged batch is durable, and concurrent batches share one commit. Storing
the events one by one, deciding the counted views and moving the counters is the event processor's
work (events/processor.py), a moment later and in bulk, so acknowledging costs little.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from kilas.events.models import InboxBatch

log = logging.getLogger(__name__)

# One event in the inbox, in this order (the viewer and the arrival time are the batch's).
FIELDS = (
    "event_id",
    "type",
    "video_id",
    "creator_id",
    "source",
    "play_id",
    "watched_ms",
    "position_ms",
    "occurred_at",
    "flag",
)


@dataclass
class Batch:
    received_at: datetime
    viewer_key: str
    user_id: int | None
    events: list[tuple[Any, ...]]  # values in FIELDS order


def encode_events(events: list[tuple[Any, ...]]) -> bytes:
    return orjson.dumps(events)


def decode_rows(
    *, events: bytes, received_at: datetime, viewer_key: str, user_id: int | None
) -> list[dict[str, Any]]:
    """The stored batch as rows of `engagement_events`."""
    rows = []
    for values in orjson.loads(events):
        row = dict(zip(FIELDS, values, strict=True))
        row["occurred_at"] = datetime.fromisoformat(row["occurred_at"])
        row["viewer_key"] = viewer_key
        row["user_id"] = user_id
        row["received_at"] = received_at
        row["counted_view"] = False
        rows.append(row)
    return rows


class WriteTurns:
    """SQLite lets one connection write at a time. The inbox writer and the event processor of one
    process take turns here instead of waiting on each other's lock inside SQLite (whose busy wait
    sleeps in steps of up to 100 ms). On PostgreSQL they write side by side."""

    def __init__(self, serialize: bool) -> None:
        self.serialize = serialize
        self._lock: asyncio.Lock | None = None

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if not self.serialize:
            yield
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            yield


class EventInbox:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        turns: WriteTurns,
        on_stored: Callable[[], None] | None = None,
        settle: Callable[[], Awaitable[object]] | None = None,
        max_group: int = 400,
    ) -> None:
        self.engine = engine
        self.turns = turns
        self.on_stored = on_stored
        self.settle = settle
        self.max_group = max_group
        self._queue: asyncio.Queue[tuple[Batch, asyncio.Future[None]]] | None = None
        self._task: asyncio.Task[None] | None = None

    async def append(self, batch: Batch) -> None:
        """Returns once `batch` is committed (with `settle`, once it is also processed)."""
        if not batch.events:
            return
        if self._queue is None or self._task is None or self._task.done():
            self._queue = asyncio.Queue()
            self._task = asyncio.create_task(self._run(self._queue), name="kilas-event-inbox")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((batch, future))
        await future
        if self.settle is not None:
            await self.settle()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self, queue: asyncio.Queue[tuple[Batch, asyncio.Future[None]]]) -> None:
        while True:
            group = [await queue.get()]
            while len(group) < self.max_group and not queue.empty():
                group.append(queue.get_nowait())
            try:
                await self._commit([batch for batch, _ in group])
            except Exception as error:  # every waiting request learns its batch was not stored
                log.exception("appending %s event batches failed", len(group))
                for _, future in group:
                    if not future.done():
                        future.set_exception(error)
                continue
            for _, future in group:
                if not future.done():
                    future.set_result(None)
            if self.on_stored is not None:
                self.on_stored()

    async def _commit(self, batches: list[Batch]) -> None:
        table: Table = InboxBatch.__table__  # type: ignore[assignment]
        values = [
            {
                "received_at": batch.received_at,
                "viewer_key": batch.viewer_key,
                "user_id": batch.user_id,
                "event_count": len(batch.events),
                "events": encode_events(batch.events),
            }
            for batch in batches
        ]
        # A plain connection, not an ORM session: this runs thousands of times a second.
        async with self.turns.turn(), self.engine.begin() as connection:
            await connection.execute(insert(table), values)
