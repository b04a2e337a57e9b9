"""Views and shares. A view counts once per viewer per video per window (30 minutes), and only after
at least one second of playback."""

from datetime import timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.cache import Cache
from kilas.db import utcnow
from kilas.events.models import View
from kilas.videos.models import Video

MIN_WATCHED_MS = 1000


async def record_view(
    *, db: AsyncSession, cache: Cache, video: Video, viewer_key: str, watched_ms: int, window_minutes: int
) -> bool:
    """Count a view if it qualifies; True when it was counted.

    The cache's atomic add settles races between simultaneous requests (on any web node); the
    stored views keep the window across restarts of an in-process cache.
    """
    if watched_ms < MIN_WATCHED_MS:
        return False
    if not await cache.add(f"view:{video.id}:{viewer_key}", ttl_s=window_minutes * 60):
        return False
    now = utcnow()
    recent = await db.scalar(
        select(
            exists().where(
                View.viewer_key == viewer_key,
                View.video_id == video.id,
                View.counted_at > now - timedelta(minutes=window_minutes),
            )
        )
    )
    if recent:
        return False
    db.add(View(video_id=video.id, viewer_key=viewer_key, counted_at=now))
    await db.execute(update(Video).where(Video.id == video.id).values(views_count=Video.views_count + 1))
    return True


async def record_share(*, db: AsyncSession, video: Video) -> None:
    await db.execute(update(Video).where(Video.id == video.id).values(shares_count=Video.shares_count + 1))


async def seen_among(db: AsyncSession, viewer_key: str, video_ids: list[int]) -> set[int]:
    """Which of `video_ids` this viewer has watched (a counted view, any time)."""
    if not video_ids:
        return set()
    rows = await db.scalars(
        select(View.video_id).where(View.viewer_key == viewer_key, View.video_id.in_(video_ids))
    )
    return set(rows)
