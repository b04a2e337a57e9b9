from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from kilas.events.models import EventType, TrafficSource

MAX_BATCH = 500
ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=8, max_length=64, pattern=ID_PATTERN)
    type: EventType
    video_id: int = Field(gt=0, lt=2**62)
    occurred_at: AwareDatetime
    source: TrafficSource = TrafficSource.other
    play_id: str | None = Field(default=None, min_length=4, max_length=64, pattern=ID_PATTERN)
    play_started_at: AwareDatetime | None = None
    watched_ms: int = Field(default=0, ge=0, le=3_600_000)
    position_ms: int | None = Field(default=None, ge=0, le=86_400_000)


class EventBatchIn(BaseModel):
    # Items are validated one by one, so one bad event does not reject the good ones.
    events: list[Any] = Field(max_length=MAX_BATCH)


class RejectedEvent(BaseModel):
    index: int
    event_id: str | None
    reason: str


class EventBatchOut(BaseModel):
    # Events kept for counting (an event whose id was already received is counted once all the same).
    accepted: int
    rejected: list[RejectedEvent]
