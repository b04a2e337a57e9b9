"""Candidate sources of the For You feed, merged per request.

Precomputed pools (kilas.feed.rebuild) give most candidates: the viewer's top topics and hashtags,
co-engagement and content neighbours of what they recently finished, trending in their province and
everywhere, and new videos being explored. Cheap queries add the newest videos of followed
creators, the next part of followed series and videos published since the last rebuild; when all
of that is thin (a new platform, a viewer who has seen everything), the most watched recent videos
fill in. Every candidate then passes the listing rules in one query
(kilas.feed.catalog.load_candidates).
"""

import random
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import utcnow
from kilas.enums import VideoStatus, Visibility
from kilas.events.service import seen_among
from kilas.feed.catalog import checked_on_each_row, load_candidates, most_watched
from kilas.feed.engine.profile import Profile
from kilas.feed.engine.ranking import Candidate
from kilas.feed.pools import read_pools
from kilas.learning.series import next_series_parts
from kilas.social.models import Follow
from kilas.videos.models import Video

TOP_TOPICS = 4
PER_TOPIC = 30
SEEDS = 5
TRENDING = 40
EXPLORE_OFFERED = 20
EXPLORE_DRAWN_FROM = 100
# Videos published since the last rebuild are not in the explore pool yet: a few of the newest are
# offered straight away, so a new video meets its first viewers within seconds.
JUST_PUBLISHED_MINUTES = 5
JUST_PUBLISHED_OFFERED = 4
JUST_PUBLISHED_DRAWN_FROM = 100
FOLLOWING = 30
FOLLOWING_DAYS = 7  # older ones are on the Mengikuti tab
SERIES_PARTS = 2

Offer = tuple[str, float, str]  # source, score in [0, 1], what the reason names


async def gather_candidates(
    *, db: AsyncSession, viewer: User | None, viewer_key: str, profile: Profile, limit: int
) -> list[Candidate]:
    offers: dict[int, list[Offer]] = defaultdict(list)

    def offer(entries: list[tuple[int, float]], source: str, detail: str = "") -> None:
        for video_id, score in entries:
            if video_id not in profile.seen:
                offers[video_id].append((source, min(max(score, 0.0), 1.0), detail))

    topics = profile.top_topics(TOP_TOPICS)
    seeds = profile.recent[-SEEDS:]
    province = viewer.province if viewer is not None else None
    names = [f"t:{topic}" for topic in topics]
    names += [f"{kind}:{seed}" for seed in seeds for kind in ("co", "similar")]
    names += [f"trending:{province}" if province else "trending:", "trending:", "explore", "popular"]
    pools = await read_pools(db, names)

    for topic in topics:
        affinity = profile.topic_affinity((topic,))
        offer([(v, affinity) for v, _ in pools[f"t:{topic}"][:PER_TOPIC]], "topic", topic)
    for seed in seeds:
        offer(pools[f"co:{seed}"], "co_engagement")
        offer(pools[f"similar:{seed}"], "similar")
    if province:
        offer(pools[f"trending:{province}"][:TRENDING], "trending", province)
    offer(pools["trending:"][:TRENDING], "trending")
    exploring = pools["explore"][:EXPLORE_DRAWN_FROM]
    # Each viewer gets a different handful of the videos that need an audience most, so a new video
    # reaches many different people quickly.
    offer(random.sample(exploring, min(EXPLORE_OFFERED, len(exploring))), "explore")
    newest = await _just_published(db)
    offer(random.sample(newest, min(JUST_PUBLISHED_OFFERED, len(newest))), "explore")
    if viewer is not None:
        offer([(v, 1.0) for v in await _following(db, viewer)], "following")
        parts = await next_series_parts(db=db, viewer=viewer, limit=SERIES_PARTS)
        offer([(video.id, 1.0) for video in parts], "series")
    if len(offers) < limit * 3:  # before the first rebuild, the pool is read from the videos
        offer(pools["popular"] or await most_watched(db, utcnow()), "popular")

    candidates = await load_candidates(db, offers, viewer=viewer)
    if viewer is None:  # a visitor's seen-set is what they watched on this device
        for video_id in await seen_among(db, viewer_key, list(candidates)):
            del candidates[video_id]
    for video_id, candidate in candidates.items():
        for source, score, detail in offers[video_id]:
            candidate.add_source(source, score, detail)
    return list(candidates.values())


async def _following(db: AsyncSession, viewer: User) -> list[int]:
    followees = select(Follow.followee_id).where(Follow.follower_id == viewer.id)
    since = utcnow() - timedelta(days=FOLLOWING_DAYS)
    query = (
        select(Video.id)
        .where(
            # Each followed creator's recent uploads (`ix_videos_owner_created`; a video is published
            # after it is created), not the whole platform's newest until 30 of theirs turn up.
            Video.owner_id.in_(followees),
            Video.created_at > since,
            checked_on_each_row(
                [
                    Video.status == VideoStatus.ready,
                    Video.visibility == Visibility.public,
                    Video.published_at > since,
                ]
            ),
        )
        .order_by(Video.published_at.desc())
        .limit(FOLLOWING)
    )
    return list(await db.scalars(query))


async def _just_published(db: AsyncSession) -> list[tuple[int, float]]:
    query = (
        select(Video.id)
        .where(
            Video.status == VideoStatus.ready,
            Video.visibility == Visibility.public,
            Video.published_at > utcnow() - timedelta(minutes=JUST_PUBLISHED_MINUTES),
        )
        .order_by(Video.published_at.desc())
        .limit(JUST_PUBLISHED_DRAWN_FROM)
    )
    return [(video_id, 1.0) for video_id in await db.scalars(query)]
