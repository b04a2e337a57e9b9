import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx


def event(kind: str, video_id: int, **fields: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "event_id": uuid.uuid4().hex,
        "type": kind,
        "video_id": video_id,
        "occurred_at": now.isoformat(),
        **fields,
    }


def play(
    video_id: int, *, watched_ms: int = 3000, complete: bool = False, source: str = "foryou"
) -> list[dict[str, Any]]:
    """The events a player sends for one honest play: seen, started, a view after a second, watch time."""
    started = datetime.now(UTC) - timedelta(milliseconds=watched_ms + 500)
    common = {"play_id": uuid.uuid4().hex, "play_started_at": started.isoformat(), "source": source}
    events = [
        event("impression", video_id, source=source),
        event("play", video_id, **common),
        event("view", video_id, watched_ms=min(watched_ms, 1500), **common),
        event("progress", video_id, watched_ms=watched_ms, position_ms=watched_ms, **common),
    ]
    if complete:
        events.append(event("complete", video_id, **common))
    return events


async def watch(
    client: httpx.AsyncClient, headers: dict[str, str], video_id: int, **options: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/events", headers=headers, json={"events": play(video_id, **options)}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]
