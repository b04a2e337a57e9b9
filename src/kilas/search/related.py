"""Lihat juga: videos related to the one being watched. The next part of its series comes first; the
others are scored by what they share with it: text (the search index), hashtags, topic, creator."""

from collections import Counter, defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.learning.series import place_of
from kilas.search.index import vocabulary
from kilas.search.service import SAFE_TERM, _is_broad, _match_query
from kilas.search.text import caption_terms
from kilas.videos.models import Video, VideoHashtag
from kilas.videos.service import listable_by

SOURCE_LIMIT = 40
TEXT_WEIGHT = 3.0
HASHTAG_WEIGHT = 2.0
TOPIC_WEIGHT = 1.5
CREATOR_WEIGHT = 1.0


async def related_videos(
    *, db: AsyncSession, video: Video, viewer: User | None, limit: int = 12
) -> list[Video]:
    listable = listable_by(viewer)
    scores: defaultdict[int, float] = defaultdict(float)
    first: list[int] = []
    place = await place_of(db=db, video=video, viewer=viewer)
    if place is not None and place.next is not None:
        first.append(place.next.id)

    vocab = await vocabulary(db)
    # Words in a large share of all videos say little about this one, and would cost a scan.
    terms = [
        term
        for term, _ in Counter(caption_terms(video.caption)).most_common(12)
        if SAFE_TERM.match(term) and not _is_broad([term], vocab)
    ][:8]
    if terms:
        rows = (
            await db.execute(
                _match_query(db, [[term] for term in terms], False)
                .where(*listable, Video.id != video.id)
                .limit(SOURCE_LIMIT)
            )
        ).all()
        best = max((float(row.relevance) for row in rows), default=0.0)
        for row in rows:
            scores[row.id] += TEXT_WEIGHT * (float(row.relevance) / best if best > 0 else 0)

    tags = select(VideoHashtag.hashtag_id).where(VideoHashtag.video_id == video.id)
    for video_id in await db.scalars(
        select(VideoHashtag.video_id)
        .join(Video, Video.id == VideoHashtag.video_id)
        .where(VideoHashtag.hashtag_id.in_(tags), Video.id != video.id, *listable)
        .order_by(Video.id.desc())
        .limit(SOURCE_LIMIT * 3)
    ):
        scores[video_id] += HASHTAG_WEIGHT

    if video.topic:
        for video_id in await db.scalars(
            select(Video.id)
            .where(Video.topic == video.topic, Video.id != video.id, *listable)
            .order_by(Video.likes_count.desc(), Video.id.desc())
            .limit(SOURCE_LIMIT)
        ):
            scores[video_id] += TOPIC_WEIGHT

    for video_id in await db.scalars(
        select(Video.id)
        .where(Video.owner_id == video.owner_id, Video.id != video.id, *listable)
        .order_by(Video.id.desc())
        .limit(SOURCE_LIMIT // 2)
    ):
        scores[video_id] += CREATOR_WEIGHT

    ordered = first + [
        vid for vid, _ in sorted(scores.items(), key=lambda kv: (-kv[1], -kv[0])) if vid not in first
    ]
    chosen = ordered[:limit]
    rows_by_id = {v.id: v for v in await db.scalars(select(Video).where(Video.id.in_(chosen)))}
    return [rows_by_id[vid] for vid in chosen if vid in rows_by_id]
