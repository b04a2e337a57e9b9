"""Shapes of the event API. The ingest path decodes and validates with msgspec (one pass in C, the
hottest path of the platform); the answer and the OpenAPI schema come from the same definitions."""

from datetime import datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from kilas.events.models import EventType, TrafficSource

MAX_BATCH = 500
# A client-made id: opaque, unique per event (retries send the same one).
EventId = Annotated[str, Meta(min_length=8, max_length=64)]
PlayId = Annotated[str, Meta(min_length=4, max_length=64)]
Moment = Annotated[datetime, Meta(tz=True)]


class EventIn(msgspec.Struct, forbid_unknown_fields=True):
    event_id: EventId
    type: EventType
    video_id: Annotated[int, Meta(gt=0, lt=2**62)]
    occurred_at: Moment
    source: TrafficSource = TrafficSource.other
    play_id: PlayId | None = None
    play_started_at: Moment | None = None
    watched_ms: Annotated[int, Meta(ge=0, le=3_600_000)] = 0
    position_ms: Annotated[int, Meta(ge=0, le=86_400_000)] | None = None


class EventBatchIn(msgspec.Struct):
    events: Annotated[list[EventIn], Meta(max_length=MAX_BATCH)]


class RejectedEvent(msgspec.Struct):
    index: int
    event_id: str | None
    reason: str


class EventBatchOut(msgspec.Struct):
    # Events kept for counting (an event whose id was already received is counted once all the same).
    accepted: int
    rejected: list[RejectedEvent]


def ingest_openapi(path: str, description: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ingest operation for /openapi.json, and the component schemas it refers to."""
    (body, answer), components = msgspec.json.schema_components(
        [EventBatchIn, EventBatchOut], ref_template="#/components/schemas/{name}"
    )
    json = "application/json"
    error = {"description": "Not a batch of events, too large, or too many batches"}
    operation = {
        "tags": ["events"],
        "summary": "Ingest Events",
        "description": description,
        "operationId": "ingest_events",
        "requestBody": {"required": True, "content": {json: {"schema": body}}},
        "responses": {
            "200": {"description": "Stored in the inbox", "content": {json: {"schema": answer}}},
            "401": {"description": "The access token is invalid or expired"},
            "413": error,
            "422": error,
            "429": error,
        },
    }
    return {path: {"post": operation}}, components
