"""The two feeds.

Untukmu (For You): personalised by the ranking engine (kilas.feed.engine) over candidates from many
sources, learning from every swipe (kilas.feed.learning); see docs/recommendations.md.

Mengikuti (Following): the newest videos of the creators the viewer follows, newest first.

The popularity "gravity" score here also orders lists that are not personalised (Discover).
"""

import base64
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import utcnow
from kilas.enums import VideoStatus, Visibility
from kilas.errors import InvalidInput
from kilas.feed.engine.profile import Profile
from kilas.feed.engine.ranking import Reason, choose_page
from kilas.feed.pools import current_model
from kilas.feed.profiles import load_profile
from kilas.feed.sources import gather_candidates
from kilas.social.models import Follow
from kilas.social.service import followed_ids
from kilas.videos.models import Video
from kilas.videos.service import is_adult

R = TypeVar("R", bound=Any)
MAX_CURSOR_IDS = 400
CURSOR_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class FeedPage:
    videos: list[Video]
    next_cursor: str | None
    reasons: dict[int, Reason] = field(default_factory=dict)  # For You: why each video is there


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
    """A page of Untukmu for this viewer: candidates from every source (kilas.feed.sources), ranked by
    predicted engagement and arranged under the page rules (kilas.feed.engine.ranking). The cursor
    carries what this session was already served."""
    served = decode_served(cursor)
    now = utcnow()
    profile = await load_profile(db, viewer.id) if viewer is not None else Profile()
    profile.mark_served(served)
    found = await gather_candidates(db=db, viewer=viewer, viewer_key=viewer_key, profile=profile, limit=limit)
    followed = await followed_ids(db, viewer.id, {c.creator_id for c in found}) if viewer else set()
    picks = choose_page(
        found,
        profile=profile,
        model=await current_model(db),
        now=now.timestamp(),
        limit=limit,
        viewer_id=viewer.id if viewer else None,
        adult=is_adult(viewer),
        followed=frozenset(followed),
    )
    chosen = [pick.item_id for pick in picks]
    rows = {video.id: video for video in await db.scalars(select(Video).where(Video.id.in_(chosen)))}
    page = [rows[video_id] for video_id in chosen if video_id in rows]
    reasons = {pick.item_id: pick.reason for pick in picks}
    next_cursor = encode_served(served + chosen) if len(page) == limit else None
    return FeedPage(page, next_cursor, reasons)


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
