"""Engagement made through the real events API at chosen times, and the aggregates the rollups must
equal, computed the plain way: every stored event read back and counted in Python."""

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.analytics.models import EngagementRollup, Grain, Scope
from kilas.analytics.periods import day_start, hour_start, local_day
from kilas.analytics.rollups import run_rollup
from kilas.events.models import EngagementEvent
from kilas.social.models import Follow
from kilas.videos.models import Video

METRICS = (
    "views",
    "unique_viewers",
    "active_viewers",
    "plays",
    "watch_ms",
    "plays_duration_ms",
    "completions",
    "likes",
    "shares",
    "follows",
    "new_followers",
    "uploads",
)


def play_at(
    video_id: int,
    when: datetime,
    *,
    watched_ms: int = 3000,
    position_ms: int | None = None,
    complete: bool = False,
    source: str = "foryou",
    extra: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """One play that started at `when`: impression, play, a view after a second, watch time (and a
    completion, likes, shares or follows when asked)."""
    started = when.astimezone(UTC)
    at = started + timedelta(milliseconds=watched_ms)
    common = {"play_id": uuid.uuid4().hex, "play_started_at": started.isoformat(), "source": source}

    def event(kind: str, moment: datetime, **fields: Any) -> dict[str, Any]:
        return {
            "event_id": uuid.uuid4().hex,
            "type": kind,
            "video_id": video_id,
            "occurred_at": moment.isoformat(),
            **fields,
        }

    events = [
        event("impression", started, source=source),
        event("play", started, **common),
        event("view", started + timedelta(milliseconds=1200), watched_ms=1200, **common),
        event(
            "progress",
            at,
            watched_ms=watched_ms,
            position_ms=watched_ms if position_ms is None else position_ms,
            **common,
        ),
    ]
    if complete:
        events.append(event("complete", at, **common))
    events += [event(kind, at, source=source) for kind in extra]
    return events


async def send(client: httpx.AsyncClient, headers: dict[str, str], events: list[dict[str, Any]]) -> dict:
    response = await client.post("/api/v1/events", headers=headers, json={"events": events})
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body["rejected"], body
    return body  # type: ignore[no-any-return]


async def rollup(app: Any, **options: Any) -> Any:
    return await run_rollup(app.state.sessionmaker, **options)


Buckets = dict[tuple[Grain, datetime, Scope, int], dict[str, int]]


async def direct_aggregates(db: AsyncSession) -> Buckets:
    """What every rollup row should say, counted in Python from the raw rows."""
    events = list(await db.scalars(select(EngagementEvent)))
    videos = {video.id: video for video in await db.scalars(select(Video))}
    follows = list(await db.scalars(select(Follow)))
    sums: Buckets = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    distinct: dict[tuple[Grain, datetime, Scope, int], dict[str, set[str]]] = defaultdict(
        lambda: {"unique_viewers": set(), "active_viewers": set()}
    )

    def buckets(moment: datetime) -> list[tuple[Grain, datetime]]:
        return [(Grain.hour, hour_start(moment)), (Grain.day, day_start(local_day(moment)))]

    for event in events:
        if event.flag is not None:
            continue
        duration_ms = round((videos[event.video_id].duration_s or 0) * 1000)
        for grain, start in buckets(event.occurred_at):
            for scope, scope_id in (
                (Scope.video, event.video_id),
                (Scope.creator, event.creator_id),
                (Scope.platform, 0),
            ):
                row = sums[(grain, start, scope, scope_id)]
                seen = distinct[(grain, start, scope, scope_id)]
                seen["active_viewers"].add(event.viewer_key)
                if event.counted_view:
                    row["views"] += 1
                    seen["unique_viewers"].add(event.viewer_key)
                kind = event.type.value
                if kind == "play":
                    row["plays"] += 1
                    row["plays_duration_ms"] += duration_ms
                elif kind == "progress":
                    row["watch_ms"] += event.watched_ms
                elif kind == "complete":
                    row["completions"] += 1
                elif kind in ("like", "share", "follow"):
                    row[f"{kind}s"] += 1
    for follow in follows:
        for grain, start in buckets(follow.created_at):
            sums[(grain, start, Scope.creator, follow.followee_id)]["new_followers"] += 1
            sums[(grain, start, Scope.platform, 0)]["new_followers"] += 1
    for video in videos.values():
        for grain, start in buckets(video.created_at):
            sums[(grain, start, Scope.creator, video.owner_id)]["uploads"] += 1
            sums[(grain, start, Scope.platform, 0)]["uploads"] += 1
    for key, seen in distinct.items():
        for name, keys in seen.items():
            sums[key][name] = len(keys)
    return {key: row for key, row in sums.items() if any(row.values())}


async def stored_rollups(db: AsyncSession) -> Buckets:
    rows = await db.scalars(select(EngagementRollup))
    return {
        (row.grain, row.bucket_start, row.scope, row.scope_id): {name: getattr(row, name) for name in METRICS}
        for row in rows
        if any(getattr(row, name) for name in METRICS)
    }
