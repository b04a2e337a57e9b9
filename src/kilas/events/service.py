"""Engagement events: validate a batch event by event, mark what cannot be honest, and hand the batch
to the inbox (events/inbox.py); the event processor (events/processor.py) stores the events and moves
the counters a moment later.

Honest counts:
- a view counts once per viewer per video per window (30 minutes, by the server's clock), and only
  with at least one second of playback behind it;
- impossible events are kept but flagged and left out of every count: more watch time than wall-clock
  time since the play started, or a device sending more views a minute than a person can watch.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kilas.cache import Cache
from kilas.db import utcnow
from kilas.enums import VideoStatus, Visibility
from kilas.errors import InvalidInput
from kilas.events.inbox import Batch
from kilas.events.models import EventType, TrafficSource, ViewWindow
from kilas.events.schemas import MAX_BATCH, EventBatchIn, EventIn, RejectedEvent
from kilas.social.models import Follow
from kilas.videos.models import Video

MIN_VIEW_MS = 1000
CLOCK_SKEW = timedelta(minutes=5)
MAX_EVENT_AGE = timedelta(days=7)
WATCH_TOLERANCE_MS = 1500
_batch_decoder = msgspec.json.Decoder(EventBatchIn)
_any_decoder = msgspec.json.Decoder()


@dataclass(frozen=True)
class Viewer:
    key: str  # "u:<id>" or "d:<device>"
    user_id: int | None


def parse_batch(body: bytes, *, now: datetime) -> tuple[list[tuple[int, EventIn]], list[RejectedEvent]]:
    """The events of a request body, each checked on its own. A well-formed batch (the usual case) is
    validated in one pass; otherwise event by event, so one bad event does not cost the good ones."""
    try:
        parsed = _batch_decoder.decode(body).events
    except msgspec.ValidationError:
        return validate_events(_event_list(body), now=now)
    except msgspec.DecodeError as error:
        raise InvalidInput("The request body is not valid JSON.", field="events") from error
    return check_times(list(enumerate(parsed)), now=now)


def _event_list(body: bytes) -> list[Any]:
    try:
        document = _any_decoder.decode(body)
    except msgspec.DecodeError as error:
        raise InvalidInput("The request body is not valid JSON.", field="events") from error
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise InvalidInput('Send the events as a list under "events".', field="events")
    if len(document["events"]) > MAX_BATCH:
        raise InvalidInput("Send at most {limit} events at a time.", field="events", limit=MAX_BATCH)
    return document["events"]


def check_times(
    events: list[tuple[int, EventIn]], *, now: datetime
) -> tuple[list[tuple[int, EventIn]], list[RejectedEvent]]:
    good: list[tuple[int, EventIn]] = []
    rejected: list[RejectedEvent] = []
    earliest, latest = now - MAX_EVENT_AGE, now + CLOCK_SKEW
    for index, event in events:
        if event.occurred_at > latest:
            rejected.append(
                RejectedEvent(index=index, event_id=event.event_id, reason="occurred_at is in the future")
            )
        elif event.occurred_at < earliest:
            rejected.append(
                RejectedEvent(index=index, event_id=event.event_id, reason="occurred_at is too old")
            )
        else:
            good.append((index, event))
    return good, rejected


def validate_events(
    raw: list[Any], *, now: datetime
) -> tuple[list[tuple[int, EventIn]], list[RejectedEvent]]:
    """Parse each event on its own; a malformed one is rejected with a reason, the rest go on."""
    parsed: list[tuple[int, EventIn]] = []
    rejected: list[RejectedEvent] = []
    for index, item in enumerate(raw):
        event_id = item.get("event_id") if isinstance(item, dict) else None
        event_id = event_id if isinstance(event_id, str) else None
        try:
            parsed.append((index, msgspec.convert(item, EventIn)))
        except msgspec.ValidationError as error:
            rejected.append(RejectedEvent(index=index, event_id=event_id, reason=_reason(error)))
    good, too_early_or_late = check_times(parsed, now=now)
    return good, sorted(rejected + too_early_or_late, key=lambda r: r.index)


def _reason(error: msgspec.ValidationError) -> str:
    """msgspec's "Expected `int`, got `str` - at `$.video_id`" as "video_id: Expected `int`, got `str`"."""
    message, _, where = str(error).partition(" - at `$")
    where = where.rstrip("`").lstrip(".")
    return f"{where}: {message}" if where else message


@dataclass(frozen=True)
class _VideoFacts:
    id: int
    owner_id: int
    visibility: Visibility
    status: VideoStatus


class VideoFactsCache:
    """Who may send events about a video changes rarely, and players send events about the same
    videos thousands of times a second: the facts are kept a few seconds (one cache per app)."""

    def __init__(self, ttl_s: float = 5.0, max_entries: int = 200_000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[int, tuple[float, _VideoFacts]] = {}

    async def get(
        self, sessionmaker: async_sessionmaker[AsyncSession], video_ids: set[int]
    ) -> list[_VideoFacts]:
        now = time.monotonic()
        known: dict[int, _VideoFacts] = {}
        for video_id in video_ids:
            entry = self._entries.get(video_id)
            if entry is not None and entry[0] > now:
                known[video_id] = entry[1]
        missing = video_ids - known.keys()
        if missing:
            async with sessionmaker() as db:
                rows = (
                    await db.execute(
                        select(Video.id, Video.owner_id, Video.visibility, Video.status).where(
                            Video.id.in_(missing)
                        )
                    )
                ).all()
            if len(self._entries) > self.max_entries:
                self._entries.clear()
            for row in rows:
                facts = _VideoFacts(row.id, row.owner_id, row.visibility, row.status)
                self._entries[row.id] = (now + self.ttl_s, facts)
                known[row.id] = facts
        return list(known.values())


async def visible_videos(
    sessionmaker: async_sessionmaker[AsyncSession],
    video_ids: set[int],
    viewer: Viewer,
    facts: VideoFactsCache,
) -> dict[int, int]:
    """Of `video_ids`, those the viewer may watch, mapped to their creator's id. The database is
    asked only about videos not in the facts cache, and about follows for followers-only videos."""
    if not video_ids:
        return {}
    rows = await facts.get(sessionmaker, video_ids)
    user_id = viewer.user_id
    followed: set[int] = set()
    if user_id is not None and any(r.visibility == Visibility.followers for r in rows):
        async with sessionmaker() as db:
            followed = set(
                await db.scalars(
                    select(Follow.followee_id).where(
                        Follow.follower_id == user_id, Follow.followee_id.in_({r.owner_id for r in rows})
                    )
                )
            )
    allowed = {}
    for row in rows:
        own = row.owner_id == user_id
        ready = row.status == VideoStatus.ready
        if (
            own
            or (ready and row.visibility == Visibility.public)
            or (ready and row.visibility == Visibility.followers and row.owner_id in followed)
        ):
            allowed[row.id] = row.owner_id
    return allowed


def impossible_watch_time(event: EventIn) -> bool:
    if event.type not in (EventType.view, EventType.progress) or event.play_started_at is None:
        return False
    wall_ms = (event.occurred_at - event.play_started_at).total_seconds() * 1000
    return event.watched_ms > wall_ms + WATCH_TOLERANCE_MS


async def build_batch(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: Cache,
    facts: VideoFactsCache,
    events: list[tuple[int, EventIn]],
    viewer: Viewer,
    now: datetime,
    max_views_per_minute: int,
) -> tuple[Batch, list[RejectedEvent]]:
    """The batch for the inbox, each event with its flag; events about videos the viewer can't see
    are rejected."""
    creators = await visible_videos(sessionmaker, {event.video_id for _, event in events}, viewer, facts)
    rejected = [
        RejectedEvent(index=index, event_id=event.event_id, reason="unknown video")
        for index, event in events
        if event.video_id not in creators
    ]
    kept = [event for _, event in events if event.video_id in creators]
    views = sum(1 for event in kept if event.type == EventType.view)
    too_many_views = False
    if views:
        minute = now.strftime("%Y%m%d%H%M")
        too_many_views = await cache.incr(
            f"views-a-minute:{viewer.key}:{minute}", ttl_s=120, amount=views
        ) > (max_views_per_minute)
    values = []
    for event in kept:
        flag = None
        if impossible_watch_time(event):
            flag = "impossible_watch_time"
        elif event.type == EventType.view and event.watched_ms < MIN_VIEW_MS:
            flag = "too_short"
        elif event.type == EventType.view and too_many_views:
            flag = "too_many_views"
        values.append(
            (
                event.event_id,
                event.type,
                event.video_id,
                creators[event.video_id],
                event.source,
                event.play_id,
                event.watched_ms,
                event.position_ms,
                event.occurred_at,
                flag,
            )
        )
    return Batch(received_at=now, viewer_key=viewer.key, user_id=viewer.user_id, events=values), rejected


def server_event(*, type: EventType, video: Video, viewer: Viewer, source: TrafficSource) -> EventIn:
    """An event the server records on the client's behalf (e.g. the share button's request)."""
    return EventIn(
        event_id=f"srv-{uuid.uuid4().hex}", type=type, video_id=video.id, occurred_at=utcnow(), source=source
    )


async def seen_among(db: AsyncSession, viewer_key: str, video_ids: list[int]) -> set[int]:
    """Which of `video_ids` this viewer has watched (a counted view, any time)."""
    if not video_ids:
        return set()
    rows = await db.scalars(
        select(ViewWindow.video_id).where(
            and_(ViewWindow.viewer_key == viewer_key, ViewWindow.video_id.in_(video_ids))
        )
    )
    return set(rows)
