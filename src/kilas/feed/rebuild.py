"""The periodic job behind the For You feed: everything a request should not compute.

Each round (every few minutes, and on demand with `kilas feed-rebuild`):
- topic pools: per topic and hashtag, the best recent videos (completion and likes, fading with age);
- trending: per province and for everyone, completion-weighted plays of the last 24 hours (a fast
  skip counts against a video); the pool for everyone mixes the provinces so no region crowds out
  the others;
- co-engagement neighbours (viewers who finished this also finished...) and content neighbours
  (captions, topics and hashtags), per video;
- exploration: new videos advance through their waves or stop (kilas.feed.engine.exploration), and
  the `explore` pool lists those that still need an audience, the most in need first;
- popular: the most watched videos of the last three months, for pages the other sources leave thin;
- the ranking model is retrained on the newest outcomes (kilas.feed.engine.model);
- on SQLite, the query planner's statistics are refreshed every hour (PostgreSQL's autovacuum does it
  there): without them, a million listed videos make it choose a scan over an index.
Pools are replaced whole: a round writes its pools, then deletes what an earlier round wrote.
"""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import orjson
from sqlalchemy import case, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kilas.accounts.models import User
from kilas.db import dialect_insert, utcnow
from kilas.enums import VideoStatus, Visibility
from kilas.events.models import EngagementEvent, EventType
from kilas.feed.catalog import STATS_COLUMNS, item_stats, most_watched, video_tags
from kilas.feed.engine import exploration
from kilas.feed.engine.model import MIN_SAMPLES, TARGETS, ItemStats, RankingModel
from kilas.feed.engine.neighbours import co_engagement, content_similarity
from kilas.feed.models import FeedExploration, FeedModel, FeedPool, FeedSample
from kilas.feed.pools import current_model, encode_entries, forget_cached
from kilas.videos.models import Hashtag, Video, VideoHashtag

log = logging.getLogger(__name__)
CATALOG_DAYS = 30
TOPIC_POOL = 60
TRENDING_HOURS = 24
TRENDING_POOL = 60
CO_DAYS = 7
CO_FINISHES = 300_000
SIMILAR_NEWEST = 20_000
EXPLORE_POOL = 300
EXPLORATION_KEPT = timedelta(seconds=exploration.MAX_AGE_SECONDS)
PEERS = 50
MAX_SAMPLES = 200_000
KEEP_MODELS = 5
STATISTICS_EVERY_S = 3600
WRITE_CHUNK = 2_000


@dataclass
class Round:
    pools: dict[str, list[tuple[int, float]]]
    explored: int = 0
    trained_on: int = 0

    def summary(self) -> str:
        kinds: dict[str, int] = defaultdict(int)
        for name in self.pools:
            kinds[name.split(":", 1)[0]] += 1
        parts = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
        return (
            f"pools: {parts or 'none'}; exploring {self.explored} videos; model trained on {self.trained_on}"
        )


@dataclass(frozen=True)
class CatalogRow:
    video_id: int
    topic: str | None
    published: datetime
    stats: ItemStats


async def rebuild_feed(db: AsyncSession, *, now: datetime | None = None) -> Round:
    """One round, in the caller's transaction: everything is computed first (reads only), then
    written in one short burst, so the round holds SQLite's write lock for a moment, not a minute."""
    now = now or utcnow()
    with db.no_autoflush:
        catalog = await _catalog(db, now)
        hashtags = await _hashtags(db, now)
        tags = {row.video_id: video_tags(row.topic, hashtags.get(row.video_id, ())) for row in catalog}
        pools: dict[str, list[tuple[int, float]]] = {}
        pools |= _topic_pools(catalog, tags, now)
        pools |= await _trending_pools(db, now)
        pools["popular"] = await most_watched(db, now)
        pools |= {f"co:{v}": list(n.items()) for v, n in (await _co_engagement(db, now)).items()}
        pools |= {f"similar:{v}": list(n.items()) for v, n in (await _similar(db, catalog, tags)).items()}
        pools["explore"] = await _explore(db, catalog, now)
        model = await _train(db)
    await db.flush()  # the exploration waves that moved
    # A state untouched for longer than exploration lasts belongs to a video past it.
    await db.execute(delete(FeedExploration).where(FeedExploration.reviewed_at < now - EXPLORATION_KEPT))
    if model is not None:
        await _store_model(db, model, now)
    await _write_pools(db, pools, now)
    trained_on = model.trained_on if model is not None else (await current_model(db)).trained_on
    return Round(pools, explored=len(pools["explore"]), trained_on=trained_on)


async def _catalog(db: AsyncSession, now: datetime) -> list[CatalogRow]:
    query = select(Video.id, Video.topic, Video.published_at, *STATS_COLUMNS).where(
        Video.status == VideoStatus.ready,
        Video.visibility == Visibility.public,
        Video.published_at > now - timedelta(days=CATALOG_DAYS),
    )
    return [
        CatalogRow(
            row.id,
            row.topic,
            row.published_at,
            item_stats(row),
        )
        for row in await db.execute(query)
    ]


async def _hashtags(db: AsyncSession, now: datetime) -> dict[int, list[str]]:
    query = (
        select(VideoHashtag.video_id, Hashtag.name)
        .join(Hashtag, Hashtag.id == VideoHashtag.hashtag_id)
        .join(Video, Video.id == VideoHashtag.video_id)
        .where(
            Video.status == VideoStatus.ready,
            Video.visibility == Visibility.public,
            Video.published_at > now - timedelta(days=CATALOG_DAYS),
        )
        .order_by(VideoHashtag.video_id, Hashtag.name)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for video_id, name in await db.execute(query):
        found[video_id].append(name)
    return found


def _topic_pools(
    catalog: list[CatalogRow], tags: dict[int, tuple[str, ...]], now: datetime
) -> dict[str, list[tuple[int, float]]]:
    by_tag: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for row in catalog:
        age_days = max((now - row.published).total_seconds(), 0.0) / 86400
        score = exploration.quality(row.stats.completion, row.stats.like_rate) / (1 + age_days / 7)
        for tag in tags[row.video_id]:
            by_tag[tag].append((score, row.video_id))
    pools = {}
    for tag, scored in by_tag.items():
        best = sorted(scored, reverse=True)[:TOPIC_POOL]
        top = best[0][0] or 1.0
        pools[f"t:{tag}"] = [(video_id, score / top) for score, video_id in best]
    return pools


async def _trending_pools(db: AsyncSession, now: datetime) -> dict[str, list[tuple[int, float]]]:
    events = EngagementEvent
    value = case(
        (events.type == EventType.complete, 1.0),
        (events.type == EventType.replay, 0.5),
        (events.type == EventType.share, 1.0),
        (events.type == EventType.skip, -0.5),
        else_=0.0,
    )
    query = (
        select(events.video_id, User.province, func.sum(value))
        .outerjoin(User, User.id == events.user_id)
        .where(
            events.occurred_at > now - timedelta(hours=TRENDING_HOURS),
            events.flag.is_(None),
            events.type.in_([EventType.complete, EventType.replay, EventType.share, EventType.skip]),
        )
        .group_by(events.video_id, User.province)
    )
    per_province: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    everyone: dict[int, float] = defaultdict(float)
    for video_id, province, score in await db.execute(query):
        everyone[video_id] += float(score)
        if province:
            per_province[province][video_id] += float(score)
    pools = {f"trending:{province}": _best(scores) for province, scores in per_province.items()}
    pools["trending:"] = _regional_mix(_best(everyone), [pools[name] for name in sorted(pools)])
    return pools


def _best(scores: dict[int, float]) -> list[tuple[int, float]]:
    top = sorted(((v, s) for v, s in scores.items() if s > 0), key=lambda kv: -kv[1])[:TRENDING_POOL]
    best = top[0][1] if top else 1.0
    return [(video_id, score / best) for video_id, score in top]


def _regional_mix(
    everyone: list[tuple[int, float]], regions: list[list[tuple[int, float]]]
) -> list[tuple[int, float]]:
    """Take in turn from the national list and from each province's, so every region shows."""
    mixed: dict[int, float] = {}
    lists = [everyone, *regions]
    for rank in range(TRENDING_POOL):
        for entries in lists:
            if rank < len(entries) and entries[rank][0] not in mixed:
                mixed[entries[rank][0]] = entries[rank][1]
        if len(mixed) >= TRENDING_POOL:
            break
    return list(mixed.items())[:TRENDING_POOL]


async def _co_engagement(db: AsyncSession, now: datetime) -> dict[int, dict[int, float]]:
    events = EngagementEvent
    query = (
        select(events.user_id, events.video_id)
        .where(
            events.user_id.is_not(None),
            events.flag.is_(None),
            events.type == EventType.complete,
            events.occurred_at > now - timedelta(days=CO_DAYS),
        )
        .order_by(events.occurred_at.desc())
        .limit(CO_FINISHES)
    )
    return co_engagement((user_id, video_id) for user_id, video_id in await db.execute(query) if user_id)


async def _similar(
    db: AsyncSession, catalog: list[CatalogRow], tags: dict[int, tuple[str, ...]]
) -> dict[int, dict[int, float]]:
    newest = sorted(catalog, key=lambda row: row.published, reverse=True)[:SIMILAR_NEWEST]
    captions = dict(
        (
            await db.execute(
                select(Video.id, Video.caption).where(Video.id.in_([r.video_id for r in newest]))
            )
        ).all()
    )
    documents = [
        (row.video_id, " ".join([captions.get(row.video_id, ""), *tags[row.video_id]])) for row in newest
    ]
    return content_similarity(documents)


async def _explore(db: AsyncSession, catalog: list[CatalogRow], now: datetime) -> list[tuple[int, float]]:
    """Advance or stop each young video's wave; the explore pool is the young videos still exploring,
    those on schedule before late ones, the one that needs impressions fastest first."""
    young = [row for row in catalog if (now - row.published).total_seconds() < exploration.MAX_AGE_SECONDS]
    if not young:
        return []
    # Read by a join, not a list of ids: a day's uploads at scale outnumber a query's parameters.
    cutoff = now - timedelta(seconds=exploration.MAX_AGE_SECONDS)
    states = {
        state.video_id: state
        for state in await db.scalars(
            select(FeedExploration)
            .join(Video, Video.id == FeedExploration.video_id)
            .where(Video.published_at > cutoff)
        )
    }
    peers: dict[str, list[float]] = defaultdict(list)
    for row in sorted(catalog, key=lambda r: r.published, reverse=True):
        if row.stats.impressions >= exploration.WAVES[0] and len(peers[row.topic or ""]) < PEERS:
            peers[row.topic or ""].append(exploration.quality(row.stats.completion, row.stats.like_rate))
    ahead: list[tuple[bool, float, int]] = []  # on schedule before late, the fastest needed first
    for row in young:
        state = states.get(row.video_id)
        if state is None:
            state = FeedExploration(video_id=row.video_id, wave=0, active=True, reviewed_at=now)
            db.add(state)
        wave = exploration.review(
            exploration.Wave(state.wave, state.active),
            impressions=row.stats.impressions,
            own_quality=exploration.quality(row.stats.completion, row.stats.like_rate),
            peer_qualities=peers[row.topic or ""],
        )
        if (wave.wave, wave.active) != (state.wave, state.active):
            state.wave, state.active, state.reviewed_at = wave.wave, wave.active, now
        if wave.active:
            age = (now - row.published).total_seconds()
            ahead.append(
                (
                    exploration.late(wave, age),
                    -exploration.pace(wave, row.stats.impressions, age),
                    row.video_id,
                )
            )
    ahead.sort()
    best = ahead[:EXPLORE_POOL]
    return [(video_id, 1.0 - rank / len(best)) for rank, (_, _, video_id) in enumerate(best)]


async def _train(db: AsyncSession) -> RankingModel | None:
    """A model trained on the newest samples (None: too few yet)."""
    previous = await current_model(db)
    rows = (
        await db.execute(
            select(FeedSample.features, FeedSample.labels).order_by(FeedSample.id.desc()).limit(MAX_SAMPLES)
        )
    ).all()
    if len(rows) < MIN_SAMPLES:
        return None
    features = np.array([orjson.loads(f) for f, _ in rows], dtype=np.float64)
    labels = np.array([[bool(bits >> i & 1) for i in range(len(TARGETS))] for _, bits in rows], dtype=bool)
    return RankingModel.train(features, labels, previous=previous)


async def _store_model(db: AsyncSession, model: RankingModel, now: datetime) -> None:
    """The new model, the last few kept; samples beyond the newest `MAX_SAMPLES` go."""
    await db.execute(
        insert(FeedModel).values(weights=model.to_json(), trained_on=model.trained_on, created_at=now)
    )
    newest_models = select(FeedModel.id).order_by(FeedModel.id.desc()).limit(KEEP_MODELS).scalar_subquery()
    await db.execute(delete(FeedModel).where(FeedModel.id.not_in(newest_models)))
    oldest_kept = await db.scalar(
        select(FeedSample.id).order_by(FeedSample.id.desc()).offset(MAX_SAMPLES - 1).limit(1)
    )
    if oldest_kept is not None:
        await db.execute(delete(FeedSample).where(FeedSample.id < oldest_kept))


async def _write_pools(db: AsyncSession, pools: dict[str, list[tuple[int, float]]], now: datetime) -> None:
    insert_ = dialect_insert(db)
    rows = [
        {"name": name, "entries": encode_entries(entries), "built_at": now} for name, entries in pools.items()
    ]
    for start in range(0, len(rows), WRITE_CHUNK):
        statement = insert_(FeedPool)
        statement = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"entries": statement.excluded.entries, "built_at": statement.excluded.built_at},
        )
        await db.execute(statement, rows[start : start + WRITE_CHUNK])
    await db.execute(delete(FeedPool).where(FeedPool.built_at < now))


async def rebuild_now(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime | None = None
) -> Round:
    """A round in its own transaction; this process reads the new pools at once."""
    async with sessionmaker() as db:
        result = await rebuild_feed(db, now=now)
        await db.commit()
        await _refresh_statistics(db)
    forget_cached()
    log.info("For You feed rebuilt: %s", result.summary())
    return result


_analyzed_at = 0.0


async def _refresh_statistics(db: AsyncSession) -> None:
    global _analyzed_at
    if db.get_bind().dialect.name != "sqlite" or time.monotonic() - _analyzed_at < STATISTICS_EVERY_S:
        return
    await db.execute(text("ANALYZE"))
    await db.commit()
    _analyzed_at = time.monotonic()
