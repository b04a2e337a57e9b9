"""The two feeds.

Untukmu (For You), for now: fresh and engaging public videos the viewer has not watched, ranked by
engagement per hour of age (a "gravity" score), never two from the same creator in a row. When the
viewer has watched everything, already-seen videos follow so the feed never runs dry.

Mengikuti (Following): the newest videos of the creators the viewer follows, newest first.
"""

import base64
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import utcnow
from kilas.enums import VideoStatus, Visibility
from kilas.errors import InvalidInput
from kilas.events.service import seen_among
from kilas.learning.series import next_series_parts
from kilas.social.models import Follow
from kilas.videos.models import Video
from kilas.videos.service import is_adult, listable_by

CANDIDATE_POOL = 400
R = TypeVar("R", bound=Any)
FRESH_DAYS = 90
MAX_CURSOR_IDS = 400
CURSOR_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class FeedPage:
    videos: list[Video]
    next_cursor: str | None


RANKING_COLUMNS = (
    Video.id,
    Video.owner_id,
    Video.published_at,
    Video.created_at,
    Video.likes_count,
    Video.comments_count,
    Video.shares_count,
    Video.views_count,
)


class Rankable(Protocol):
    id: int
    owner_id: int
    published_at: datetime | None
    created_at: datetime
    likes_count: int
    comments_count: int
    shares_count: int
    views_count: int


def engagement_score(video: Rankable, now: datetime) -> float:
    age_hours = max((now - (video.published_at or video.created_at)).total_seconds() / 3600, 0)
    engagement = (
        1
        + video.likes_count * 2
        + video.comments_count * 3
        + video.shares_count * 4
        + video.views_count * 0.2
    )
    return math.log1p(engagement) / (age_hours + 2) ** 0.8


def spread_creators(videos: Sequence[R]) -> list[R]:
    """Keep the ranking, but never let one creator's videos stand next to each other if avoidable."""
    remaining = list(videos)
    ordered: list[R] = []
    while remaining:
        previous = ordered[-1].owner_id if ordered else None
        index = next((i for i, v in enumerate(remaining) if v.owner_id != previous), 0)
        ordered.append(remaining.pop(index))
    return ordered


def encode_served(ids: list[int]) -> str:
    text = ".".join(_to_base36(i) for i in ids[-MAX_CURSOR_IDS:])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_served(cursor: str | None) -> list[int]:
    if not cursor:
        return []
    if not CURSOR_PATTERN.match(cursor):
        raise InvalidInput("The page cursor is not valid.", field="cursor")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return [int(part, 36) for part in text.split(".") if part][-MAX_CURSOR_IDS:]
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput("The page cursor is not valid.", field="cursor") from error


def _to_base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


async def for_you(
    *, db: AsyncSession, viewer: User | None, viewer_key: str, cursor: str | None, limit: int = 10
) -> FeedPage:
    served = decode_served(cursor)
    now = utcnow()
    # Rank on a few columns of the pool, then load whole rows (with renditions) only for the page.
    query = select(*RANKING_COLUMNS).where(
        *listable_by(viewer), Video.published_at > now - timedelta(days=FRESH_DAYS)
    )
    if served:
        query = query.where(Video.id.not_in(served))
    if viewer is not None:
        query = query.where(Video.owner_id != viewer.id)
    candidates = (await db.execute(query.order_by(Video.published_at.desc()).limit(CANDIDATE_POOL))).all()
    seen = await seen_among(db, viewer_key, [c.id for c in candidates])
    # The next unwatched part of each series the viewer follows comes first.
    parts = [v.id for v in await next_series_parts(db=db, viewer=viewer, limit=2) if v.id not in served]
    ranked = sorted(
        (c for c in candidates if c.id not in parts), key=lambda v: (v.id in seen, -engagement_score(v, now))
    )
    chosen = parts + [row.id for row in spread_creators(ranked[: limit * 3])[: limit - len(parts)]]
    rows = {video.id: video for video in await db.scalars(select(Video).where(Video.id.in_(chosen)))}
    page = [rows[video_id] for video_id in chosen if video_id in rows]
    next_cursor = encode_served(served + chosen) if len(candidates) > len(page) else None
    return FeedPage(page, next_cursor)


def encode_keyset(video: Video) -> str:
    assert video.published_at is not None
    return f"{int(video.published_at.timestamp() * 1_000_000)}_{video.id}"


def decode_keyset(cursor: str) -> tuple[datetime, int]:
    try:
        micros, video_id = cursor.split("_")
        return datetime.fromtimestamp(int(micros) / 1_000_000, UTC), int(video_id)
    except ValueError as error:
        raise InvalidInput("The page cursor is not valid.", field="cursor") from error


async def following(*, db: AsyncSession, viewer: User, cursor: str | None, limit: int = 10) -> FeedPage:
    followees = select(Follow.followee_id).where(Follow.follower_id == viewer.id)
    query = select(Video).where(
        Video.owner_id.in_(followees),
        Video.status == VideoStatus.ready,
        Video.visibility.in_([Visibility.public, Visibility.followers]),
    )
    if not is_adult(viewer):
        query = query.where(Video.adults_only == false())
    if cursor:
        published_at, video_id = decode_keyset(cursor)
        query = query.where(
            or_(
                Video.published_at < published_at,
                and_(Video.published_at == published_at, Video.id < video_id),
            )
        )
    videos = list(
        await db.scalars(query.order_by(Video.published_at.desc(), Video.id.desc()).limit(limit + 1))
    )
    next_cursor = encode_keyset(videos[limit - 1]) if len(videos) > limit else None
    return FeedPage(videos[:limit], next_cursor)
