"""Finding learning content without typing: topic feeds (Belajar), trending hashtags, related videos."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import utcnow
from kilas.errors import NotFound
from kilas.feed.service import (
    RANKING_COLUMNS,
    FeedPage,
    decode_served,
    encode_served,
    engagement_score,
    spread_creators,
)
from kilas.search.topics import BY_SLUG, LEARNING_SLUGS, Topic, check_topic
from kilas.videos.models import Hashtag, Video, VideoHashtag
from kilas.videos.service import listable_by

TOPIC_POOL = 400
TOPIC_FRESH_DAYS = 365
TRENDING_DAYS = 7


def access_topic(slug: str) -> Topic:
    topic = BY_SLUG.get(slug)
    if topic is None:
        raise NotFound("There is no such topic.", code="topic_not_found")
    return topic


async def topic_feed(
    *, db: AsyncSession, viewer: User | None, slugs: list[str], cursor: str | None, limit: int = 10
) -> FeedPage:
    """Engaging, fresh listable videos of these topics, never two of one creator in a row; pages by
    the ids already served (as the For You feed does)."""
    for slug in slugs:
        access_topic(slug)
    served = decode_served(cursor)
    now = utcnow()
    query = select(*RANKING_COLUMNS).where(
        *listable_by(viewer),
        Video.topic.in_(slugs),
        Video.published_at > now - timedelta(days=TOPIC_FRESH_DAYS),
    )
    if served:
        query = query.where(Video.id.not_in(served))
    candidates = (await db.execute(query.order_by(Video.published_at.desc()).limit(TOPIC_POOL))).all()
    ranked = sorted(candidates, key=lambda v: -engagement_score(v, now))
    chosen = [row.id for row in spread_creators(ranked[: limit * 3])[:limit]]
    rows = {video.id: video for video in await db.scalars(select(Video).where(Video.id.in_(chosen)))}
    page = [rows[video_id] for video_id in chosen if video_id in rows]
    next_cursor = encode_served(served + chosen) if len(candidates) > len(page) else None
    return FeedPage(page, next_cursor)


async def belajar_feed(
    *, db: AsyncSession, viewer: User | None, cursor: str | None, limit: int = 10
) -> FeedPage:
    return await topic_feed(db=db, viewer=viewer, slugs=sorted(LEARNING_SLUGS), cursor=cursor, limit=limit)


async def set_topic(*, db: AsyncSession, video: Video, actor: User, topic: str | None) -> Video:
    from kilas.errors import PermissionDenied

    if video.owner_id != actor.id:
        raise PermissionDenied("Only the creator can change this video.")
    video.topic = check_topic(topic)
    await db.flush()
    return video


@dataclass(frozen=True)
class TrendingHashtag:
    name: str
    display: str
    recent: int
    before: int

    @property
    def growth(self) -> float:
        return (self.recent + 1) / (self.before + 1)


async def trending_hashtags(
    *, db: AsyncSession, viewer: User | None, limit: int = 10
) -> list[TrendingHashtag]:
    """Hashtags by growth: videos published with them in the last 7 days against the 7 days before
    (smoothed, so a tag with one new video doesn't outrank one with fifty), not by total size."""
    now = utcnow()
    recent_start = now - timedelta(days=TRENDING_DAYS)
    before_start = now - timedelta(days=2 * TRENDING_DAYS)
    is_recent = func.sum(case((Video.published_at >= recent_start, 1), else_=0))
    rows = await db.execute(
        select(Hashtag.name, Hashtag.display, is_recent.label("recent"), func.count(Video.id).label("total"))
        .join(VideoHashtag, VideoHashtag.hashtag_id == Hashtag.id)
        .join(Video, Video.id == VideoHashtag.video_id)
        .where(*listable_by(viewer), Video.published_at >= before_start)
        .group_by(Hashtag.id, Hashtag.name, Hashtag.display)
    )
    tags = [
        TrendingHashtag(row.name, row.display, int(row.recent or 0), int(row.total) - int(row.recent or 0))
        for row in rows
    ]
    tags = [tag for tag in tags if tag.recent > 0]
    # Growth matters, and so does having some size: rank by growth weighted by the recent count.
    tags.sort(key=lambda tag: (-(tag.growth * (tag.recent**0.5)), -tag.recent, tag.name))
    return tags[:limit]
