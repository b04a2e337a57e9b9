"""Videos as the ranking engine sees them: who made them, their topic and hashtags, how they have done
so far (from the counters the event processor keeps), and whether they are still being explored.

`load_candidates` is also the gate of every For You page: only videos the viewer may list (ready,
public, not from a blocked account, 18+ only for adults) come back from it. That check is made on
every request; what the engine knows of a video (its tags and counters) is kept by each process for
`DESCRIBED_TTL_S` seconds, since most candidates come from pools many viewers share.
"""

import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from cachetools import TTLCache
from sqlalchemy import ColumnElement, and_, case, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.enums import VideoStatus, Visibility
from kilas.feed.engine.model import ItemStats
from kilas.feed.engine.ranking import Candidate
from kilas.videos.models import Hashtag, Video, VideoHashtag
from kilas.videos.service import listable_by

DESCRIBED_TTL_S = 20
_described: TTLCache[int, Candidate] = TTLCache(maxsize=100_000, ttl=DESCRIBED_TTL_S)
_lock = threading.Lock()  # the web loop and the event processor's thread share the cache

# The counters the engine's figures of a video are made from (`item_stats`).
STATS_COLUMNS = (
    Video.duration_s,
    Video.impressions_count,
    Video.plays_count,
    Video.watch_ms_total,
    Video.likes_count,
)
CANDIDATE_COLUMNS = (
    Video.id,
    Video.owner_id,
    Video.topic,
    Video.published_at,
    Video.created_at,
    Video.adults_only,
    *STATS_COLUMNS,
)
MOST_WATCHED = 300
MOST_WATCHED_DAYS = 90


def checked_on_each_row(criteria: Iterable[ColumnElement[bool]]) -> ColumnElement[bool]:
    """The criteria as one test of each row that the other conditions found, never a way to find rows.

    Without table statistics (SQLite before the rebuild's first ANALYZE), the planner takes `status = ?
    AND visibility = ?` for selective and walks the listing index, `ix_videos_feed`: every listed video,
    a million of them, to keep a few hundred ids or one viewer's followed creators. Inside a CASE they
    cannot lead."""
    return case((and_(*criteria), true()), else_=false())


def item_stats(row: Any) -> ItemStats:
    """The engine's per-video figures from a row with `STATS_COLUMNS`: watched share summed over
    plays (a replay counts, but no play counts more than once)."""
    plays = row.plays_count
    watched = row.watch_ms_total / (row.duration_s * 1000) if row.duration_s else 0.4 * plays
    return ItemStats(
        impressions=row.impressions_count,
        plays=plays,
        completion_sum=min(watched, float(plays)),
        likes=row.likes_count,
    )


async def most_watched(db: AsyncSession, now: datetime) -> list[tuple[int, float]]:
    """The most watched public videos of the last months, the top one scoring 1: what fills a page
    when the other sources run thin."""
    query = (
        select(Video.id, Video.views_count)
        .where(
            Video.status == VideoStatus.ready,
            Video.visibility == Visibility.public,
            Video.published_at > now - timedelta(days=MOST_WATCHED_DAYS),
        )
        .order_by(Video.views_count.desc(), Video.published_at.desc())
        .limit(MOST_WATCHED)
    )
    rows = (await db.execute(query)).all()
    best = max((views for _, views in rows), default=0) or 1
    return [(video_id, views / best) for video_id, views in rows]


def video_tags(topic: str | None, hashtags: Iterable[str]) -> tuple[str, ...]:
    """The topic first (the one "variety" and "not interested" act on), then the hashtags as `#name`."""
    return ((topic,) if topic else ()) + tuple(f"#{name}" for name in hashtags)


async def tags_of(db: AsyncSession, video_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    ids = set(video_ids)
    if not ids:
        return {}
    topics = (await db.execute(select(Video.id, Video.topic).where(Video.id.in_(ids)))).all()
    hashtags = await _hashtags(db, [video_id for video_id, _ in topics])
    return {video_id: video_tags(topic, hashtags.get(video_id, [])) for video_id, topic in topics}


async def _hashtags(db: AsyncSession, video_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not video_ids:
        return found
    rows = await db.execute(
        select(VideoHashtag.video_id, Hashtag.name)
        .join(Hashtag, Hashtag.id == VideoHashtag.hashtag_id)
        .where(VideoHashtag.video_id.in_(video_ids))
        .order_by(VideoHashtag.video_id, Hashtag.name)
    )
    for video_id, name in rows:
        found.setdefault(video_id, []).append(name)
    return found


async def describe(db: AsyncSession, video_ids: Iterable[int]) -> dict[int, Candidate]:
    """The videos as the engine sees them, whoever may watch them (for learning, not for showing)."""
    return await _candidates(db, [Video.id.in_(set(video_ids))])


async def load_candidates(
    db: AsyncSession, video_ids: Iterable[int], *, viewer: User | None
) -> dict[int, Candidate]:
    """The listed videos among `video_ids` that `viewer` may see in a feed (never their own)."""
    ids = set(video_ids)
    if not ids:
        return {}
    criteria = [Video.id.in_(ids), checked_on_each_row(listable_by(viewer))]  # by primary key
    if viewer is not None:
        criteria.append(Video.owner_id != viewer.id)
    listed = set(await db.scalars(select(Video.id).where(*criteria)))
    with _lock:
        found = {video_id: _described[video_id] for video_id in listed if video_id in _described}
    missing = listed - found.keys()
    if missing:
        loaded = await _candidates(db, [Video.id.in_(missing)])
        with _lock:
            _described.update(loaded)
        found |= loaded
    # Each request ranks its own copies: sources are added to them.
    return {
        video_id: Candidate(t.item_id, t.creator_id, t.tags, t.published_ts, t.stats, t.adults_only)
        for video_id, t in found.items()
    }


def forget_described() -> None:
    with _lock:
        _described.clear()


async def _candidates(db: AsyncSession, criteria: list[ColumnElement[bool]]) -> dict[int, Candidate]:
    rows = (await db.execute(select(*CANDIDATE_COLUMNS).where(*criteria))).all()
    hashtags = await _hashtags(db, [row.id for row in rows])
    return {
        row.id: Candidate(
            row.id,
            row.owner_id,
            video_tags(row.topic, hashtags.get(row.id, [])),
            (row.published_at or row.created_at).timestamp(),
            item_stats(row),
            row.adults_only,
        )
        for row in rows
    }
