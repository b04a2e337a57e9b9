from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from kilas.db import commit, utcnow
from kilas.deps import Cache, DbSession, EventWriter, Limiter, OptionalUser, Settings, viewer_key
from kilas.events import service
from kilas.events.models import EventType, TrafficSource
from kilas.events.schemas import EventBatchIn, EventBatchOut
from kilas.videos.service import access_video

router = APIRouter(tags=["events"])


@router.post("/events")
async def ingest_events(
    body: EventBatchIn,
    request: Request,
    db: DbSession,
    viewer: OptionalUser,
    cache: Cache,
    writer: EventWriter,
    settings: Settings,
    limiter: Limiter,
) -> EventBatchOut:
    """Engagement events from players, in batches of up to 500. Each event carries a client-made
    `event_id`: a retried batch is counted once. Malformed events are rejected one by one, with a
    reason, and the rest are stored. The answer comes after the events are durably stored."""
    who = service.Viewer(viewer_key(request, viewer), viewer)
    limiter.hit(settings.events_rate, "events", who.key)
    now = utcnow()
    events, rejected = service.validate_events(body.events, now=now)
    rows, unknown = await service.build_rows(
        db=db,
        cache=cache,
        facts=request.app.state.video_facts,
        events=events,
        viewer=who,
        now=now,
        max_views_per_minute=settings.max_views_per_minute,
    )
    # The writer stores the rows on its own connection: end this request's transaction first, so it
    # holds no lock the writer would wait for (SQLite has one writer at a time).
    await commit(db)
    result = await writer.write(rows)
    return EventBatchOut(
        accepted=result.accepted,
        duplicates=result.duplicates,
        rejected=sorted(rejected + unknown, key=lambda r: r.index),
    )


class ShareIn(BaseModel):
    channel: Literal["copy_link", "whatsapp", "native", "other"] = "other"
    source: TrafficSource = TrafficSource.other


@router.post("/videos/{video_id}/share", status_code=204)
async def record_share(
    video_id: int,
    body: ShareIn,
    request: Request,
    db: DbSession,
    viewer: OptionalUser,
    cache: Cache,
    writer: EventWriter,
    settings: Settings,
    limiter: Limiter,
) -> None:
    """The share sheet's button: recorded as a share event."""
    who = service.Viewer(viewer_key(request, viewer), viewer)
    limiter.hit("60/hour", "share", who.key)
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    event = service.server_event(type=EventType.share, video=video, viewer=who, source=body.source)
    rows, _ = await service.build_rows(
        db=db,
        cache=cache,
        facts=request.app.state.video_facts,
        events=[(0, event)],
        viewer=who,
        now=utcnow(),
        max_views_per_minute=settings.max_views_per_minute,
    )
    await commit(db)  # as in ingest_events
    await writer.write(rows)
