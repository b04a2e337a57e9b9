"""Series: a creator's videos in order ("Bagian N dari M"), followed by viewers who are told when a
new part arrives; the For You feed asks `next_series_parts` for the next unwatched part of each
series the viewer follows.

Viewers see the parts they may list (`listable_by`), numbered in order among those; the creator sees
every part.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.db import insert_ignore, utcnow
from kilas.errors import InvalidInput, NotFound, PermissionDenied
from kilas.events.service import seen_among
from kilas.learning.models import Series, SeriesFollow, SeriesPart, SeriesUpdate
from kilas.social.service import is_blocked_between
from kilas.videos.models import Video
from kilas.videos.service import listable_by

MAX_TITLE_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 500
MAX_PARTS = 200
SERIES_NOT_FOUND = "We couldn't find that series."


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("Give the series a title.", field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput("Series titles can be at most 100 characters.", field="title")
    return title


def check_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput("Descriptions can be at most 500 characters.", field="description")
    return description


def visible_to(viewer: User | None) -> list[ColumnElement[bool]]:
    """Conditions on `Video` for the parts of a series that `viewer` sees."""
    listable = listable_by(viewer)
    if viewer is None:
        return listable
    from sqlalchemy import and_

    return [or_(Video.owner_id == viewer.id, and_(*listable))]


async def create_series(*, db: AsyncSession, actor: User, title: str, description: str = "") -> Series:
    series = Series(owner_id=actor.id, title=check_title(title), description=check_description(description))
    db.add(series)
    await db.flush()
    return series


async def access_series(*, db: AsyncSession, series_id: int, viewer: User | None) -> Series:
    series = await db.get(Series, series_id)
    if series is None or (
        viewer is not None
        and viewer.id != series.owner_id
        and await is_blocked_between(db, viewer.id, series.owner_id)
    ):
        raise NotFound(SERIES_NOT_FOUND, code="series_not_found")
    return series


async def access_own_series(*, db: AsyncSession, series_id: int, actor: User) -> Series:
    series = await db.get(Series, series_id)
    if series is None:
        raise NotFound(SERIES_NOT_FOUND, code="series_not_found")
    if series.owner_id != actor.id:
        raise PermissionDenied("Only the creator can change this series.")
    return series


async def update_series(
    *, db: AsyncSession, series: Series, title: str | None = None, description: str | None = None
) -> Series:
    if title is not None:
        series.title = check_title(title)
    if description is not None:
        series.description = check_description(description)
    await db.flush()
    return series


async def delete_series(*, db: AsyncSession, series: Series) -> None:
    await db.delete(series)
    await db.flush()


async def parts(*, db: AsyncSession, series: Series, viewer: User | None) -> list[Video]:
    """The parts `viewer` sees, in order."""
    return list(
        await db.scalars(
            select(Video)
            .join(SeriesPart, SeriesPart.video_id == Video.id)
            .where(SeriesPart.series_id == series.id, *visible_to(viewer))
            .order_by(SeriesPart.position, SeriesPart.video_id)
        )
    )


async def add_part(
    *, db: AsyncSession, actor: User, series: Series, video: Video, position: int | None = None
) -> SeriesPart:
    """Put one of the creator's videos into the series (at the end, or before part `position`, counted
    from 1); a video in another series moves. Followers are told once the part may be watched."""
    if series.owner_id != actor.id or video.owner_id != actor.id:
        raise PermissionDenied("You can only add your own videos to your own series.")
    current = await db.get(SeriesPart, video.id)
    if current is not None:
        await db.delete(current)
        await db.flush()
    ordered = list(
        await db.scalars(
            select(SeriesPart)
            .where(SeriesPart.series_id == series.id)
            .order_by(SeriesPart.position, SeriesPart.video_id)
        )
    )
    if len(ordered) >= MAX_PARTS:
        raise InvalidInput("A series can have at most 200 parts.", field="video_id")
    index = len(ordered) if position is None else max(0, min(position - 1, len(ordered)))
    part = SeriesPart(video_id=video.id, series_id=series.id, position=0)
    ordered.insert(index, part)
    db.add(part)
    for number, item in enumerate(ordered, start=1):
        item.position = number
    series.updated_at = utcnow()
    await db.flush()
    if current is None or current.series_id != series.id:
        followers = list(
            await db.scalars(select(SeriesFollow.user_id).where(SeriesFollow.series_id == series.id))
        )
        for user_id in followers:
            await insert_ignore(
                db, SeriesUpdate, user_id=user_id, series_id=series.id, video_id=video.id, created_at=utcnow()
            )
    return part


async def remove_part(*, db: AsyncSession, actor: User, series: Series, video_id: int) -> None:
    if series.owner_id != actor.id:
        raise PermissionDenied("Only the creator can change this series.")
    part = await db.get(SeriesPart, video_id)
    if part is None or part.series_id != series.id:
        raise NotFound("That video is not in this series.", code="part_not_found")
    await db.delete(part)
    await db.execute(delete(SeriesUpdate).where(SeriesUpdate.video_id == video_id))
    await db.flush()
    remaining = await db.scalars(
        select(SeriesPart)
        .where(SeriesPart.series_id == series.id)
        .order_by(SeriesPart.position, SeriesPart.video_id)
    )
    for number, item in enumerate(remaining, start=1):
        item.position = number
    await db.flush()


async def reorder_parts(*, db: AsyncSession, actor: User, series: Series, video_ids: list[int]) -> None:
    """Set the order of every part at once (`video_ids` must list exactly the series' videos)."""
    if series.owner_id != actor.id:
        raise PermissionDenied("Only the creator can change this series.")
    current = {
        p.video_id: p for p in await db.scalars(select(SeriesPart).where(SeriesPart.series_id == series.id))
    }
    if sorted(current) != sorted(video_ids) or len(set(video_ids)) != len(video_ids):
        raise InvalidInput("List every video of the series exactly once.", field="video_ids")
    for number, video_id in enumerate(video_ids, start=1):
        current[video_id].position = number
    await db.flush()


@dataclass(frozen=True)
class SeriesPlace:
    """Where a video sits in its series, as the viewer sees the series."""

    series: Series
    number: int
    total: int
    previous: Video | None
    next: Video | None
    following: bool


async def place_of(*, db: AsyncSession, video: Video, viewer: User | None) -> SeriesPlace | None:
    part = await db.get(SeriesPart, video.id)
    if part is None:
        return None
    series = await db.get(Series, part.series_id)
    assert series is not None
    shown = await parts(db=db, series=series, viewer=viewer)
    ids = [v.id for v in shown]
    if video.id not in ids:
        shown.append(video)  # a viewer allowed to watch a followers-only part still sees where it is
        shown.sort(key=lambda v: ids.index(v.id) if v.id in ids else part.position - 1)
        ids = [v.id for v in shown]
    index = ids.index(video.id)
    following = viewer is not None and await db.get(SeriesFollow, (viewer.id, series.id)) is not None
    return SeriesPlace(
        series,
        index + 1,
        len(shown),
        shown[index - 1] if index > 0 else None,
        shown[index + 1] if index + 1 < len(shown) else None,
        following,
    )


async def follow_series(*, db: AsyncSession, actor: User, series: Series) -> bool:
    created = await insert_ignore(
        db, SeriesFollow, user_id=actor.id, series_id=series.id, created_at=utcnow()
    )
    if created:
        await db.execute(
            update(Series).where(Series.id == series.id).values(followers_count=Series.followers_count + 1)
        )
        await db.refresh(series)
    return created


async def unfollow_series(*, db: AsyncSession, actor: User, series: Series) -> bool:
    result = await db.execute(
        delete(SeriesFollow).where(SeriesFollow.user_id == actor.id, SeriesFollow.series_id == series.id)
    )
    removed = bool(result.rowcount)  # type: ignore[attr-defined]
    if removed:
        await db.execute(
            update(Series)
            .where(Series.id == series.id, Series.followers_count > 0)
            .values(followers_count=Series.followers_count - 1)
        )
        await db.execute(
            delete(SeriesUpdate).where(SeriesUpdate.user_id == actor.id, SeriesUpdate.series_id == series.id)
        )
        await db.refresh(series)
    return removed


@dataclass(frozen=True)
class NewPart:
    id: int
    series: Series
    video: Video
    unread: bool


async def new_parts(*, db: AsyncSession, viewer: User, limit: int = 30) -> list[NewPart]:
    """ "A new part arrived" notices for the viewer, newest first; only parts the viewer may list
    (a part still processing shows up once it is ready)."""
    rows = (
        await db.execute(
            select(SeriesUpdate, Series, Video)
            .join(Series, Series.id == SeriesUpdate.series_id)
            .join(Video, Video.id == SeriesUpdate.video_id)
            .where(SeriesUpdate.user_id == viewer.id, *listable_by(viewer))
            .order_by(SeriesUpdate.id.desc())
            .limit(limit)
        )
    ).all()
    return [
        NewPart(update_row.id, series, video, update_row.read_at is None)
        for update_row, series, video in rows
    ]


async def unread_new_parts(*, db: AsyncSession, viewer: User) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(SeriesUpdate)
            .join(Video, Video.id == SeriesUpdate.video_id)
            .where(SeriesUpdate.user_id == viewer.id, SeriesUpdate.read_at.is_(None), *listable_by(viewer))
        )
        or 0
    )


async def mark_new_parts_read(*, db: AsyncSession, viewer: User) -> None:
    await db.execute(
        update(SeriesUpdate)
        .where(SeriesUpdate.user_id == viewer.id, SeriesUpdate.read_at.is_(None))
        .values(read_at=utcnow())
    )


async def next_series_parts(*, db: AsyncSession, viewer: User | None, limit: int) -> list[Video]:
    """For each series the viewer follows (most recently updated first): the first part, in order,
    that the viewer has not watched yet and may list. For the For You feed to put first."""
    if viewer is None or limit <= 0:
        return []
    rows = (
        await db.execute(
            select(SeriesPart.series_id, SeriesPart.video_id)
            .join(SeriesFollow, SeriesFollow.series_id == SeriesPart.series_id)
            .join(Series, Series.id == SeriesPart.series_id)
            .join(Video, Video.id == SeriesPart.video_id)
            .where(SeriesFollow.user_id == viewer.id, Video.owner_id != viewer.id, *listable_by(viewer))
            .order_by(Series.updated_at.desc(), SeriesPart.series_id, SeriesPart.position)
            .limit(MAX_PARTS * 5)
        )
    ).all()
    if not rows:
        return []
    seen = await seen_among(db, f"u:{viewer.id}", [row.video_id for row in rows])
    chosen: dict[int, int] = {}
    for row in rows:
        if row.series_id not in chosen and row.video_id not in seen:
            chosen[row.series_id] = row.video_id
            if len(chosen) >= limit:
                break
    if not chosen:
        return []
    videos = {v.id: v for v in await db.scalars(select(Video).where(Video.id.in_(chosen.values())))}
    return [videos[video_id] for video_id in chosen.values() if video_id in videos]


@dataclass(frozen=True)
class SeriesCard:
    id: int
    title: str
    owner_username: str
    parts_count: int
    followers_count: int

    @property
    def url(self) -> str:
        return f"/seri/{self.id}"


async def featured_series(*, db: AsyncSession, viewer: User | None, limit: int = 8) -> list[SeriesCard]:
    """Series with at least two listable parts, the most followed (then most recently updated) first."""
    count = func.count(SeriesPart.video_id)
    rows = await db.execute(
        select(Series.id, Series.title, User.username, count.label("parts"), Series.followers_count)
        .join(SeriesPart, SeriesPart.series_id == Series.id)
        .join(Video, Video.id == SeriesPart.video_id)
        .join(User, User.id == Series.owner_id)
        .where(*listable_by(viewer))
        .group_by(Series.id, Series.title, User.username, Series.followers_count, Series.updated_at)
        .having(count >= 2)
        .order_by(Series.followers_count.desc(), Series.updated_at.desc())
        .limit(limit)
    )
    return [SeriesCard(row.id, row.title, row.username, int(row.parts), row.followers_count) for row in rows]


async def list_own_series(*, db: AsyncSession, owner: User) -> list[Series]:
    return list(await db.scalars(select(Series).where(Series.owner_id == owner.id).order_by(Series.title)))
