from typing import Literal

import msgspec
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from kilas.db import commit, utcnow
from kilas.deps import (
    Cache,
    DbSession,
    EventInbox,
    Limiter,
    OptionalUser,
    Settings,
    identify_event_viewer,
    viewer_key,
)
from kilas.errors import InvalidInput, TooLarge
from kilas.events import service
from kilas.events.models import EventType, TrafficSource
from kilas.events.schemas import EventBatchOut, ingest_openapi
from kilas.videos.service import access_video

router = APIRouter(tags=["events"])
MAX_BODY_BYTES = 512 * 1024


async def ingest_events(request: Request) -> Response:
    """Engagement events from players, in batches of up to 500. Each event carries a client-made
    `event_id`: a retried batch is counted once. Malformed events are rejected one by one, with a
    reason, and the rest are kept. The answer comes once the batch is durably stored; the events
    show in the counters a moment later."""
    state = request.app.state
    settings = state.settings
    viewer = await identify_event_viewer(request)
    state.limiter.hit(settings.events_rate, "events", viewer.key)
    body = await read_body(request)
    now = utcnow()
    events, rejected = service.parse_batch(body, now=now)
    batch, unknown = await service.build_batch(
        sessionmaker=state.sessionmaker,
        cache=state.cache,
        facts=state.video_facts,
        events=events,
        viewer=viewer,
        now=now,
        max_views_per_minute=settings.max_views_per_minute,
    )
    await state.event_inbox.append(batch)
    answer = EventBatchOut(
        accepted=len(batch.events), rejected=sorted(rejected + unknown, key=lambda r: r.index)
    )
    return Response(msgspec.json.encode(answer), media_type="application/json")


# The platform's busiest endpoint is a plain Starlette route: no dependency solving or response
# model per request (the batch is validated by msgspec in service.parse_batch). Errors still go
# through the app's handlers; the operation is documented in /openapi.json by hand.
router.add_route("/events", ingest_events, methods=["POST"], include_in_schema=False)
OPENAPI_PATHS, OPENAPI_COMPONENTS = ingest_openapi("/api/v1/events", ingest_events.__doc__ or "")


async def read_body(request: Request) -> bytes:
    """The body, refused as soon as it grows past what 500 events can take."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise TooLarge("Send at most {limit} events at a time.", limit=500)
    chunks = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise TooLarge("Send at most {limit} events at a time.", limit=500)
            chunks.append(chunk)
    except ClientDisconnect as error:  # the page closed mid-send: nothing is stored, the ids come again
        raise InvalidInput("The events did not arrive whole. Send them again.") from error
    return b"".join(chunks)


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
    inbox: EventInbox,
    settings: Settings,
    limiter: Limiter,
) -> None:
    """The share sheet's button: recorded as a share event."""
    who = service.Viewer(viewer_key(request, viewer), viewer.id if viewer else None)
    limiter.hit("60/hour", "share", who.key)
    video = await access_video(db=db, video_id=video_id, viewer=viewer)
    event = service.server_event(type=EventType.share, video=video, viewer=who, source=body.source)
    await commit(db)  # end this request's transaction before the inbox writes (SQLite: one writer)
    batch, _ = await service.build_batch(
        sessionmaker=request.app.state.sessionmaker,
        cache=cache,
        facts=request.app.state.video_facts,
        events=[(0, event)],
        viewer=who,
        now=utcnow(),
        max_views_per_minute=settings.max_views_per_minute,
    )
    await inbox.append(batch)
