"""Rollups of the engagement events, recomputed from the events themselves.

Idempotent: a bucket is never incremented. Each run computes every bucket it touches completely from
the stored events (flagged ones left out), deletes the bucket's old rows and writes the new ones in one
transaction, so running twice, or two workers racing, ends with the same rows.

Catches up after downtime: the `rollup_state` row keeps a watermark (the start of the last run, or the
end of the last day a long catch-up finished). A run recomputes every hour from the watermark minus one
hour up to now, the days that hold those hours, and also the hours of events that arrived late (a
phone that was offline sends events hours old: found by `received_at` since the watermark minus one
hour). A first run, with no watermark, starts from the oldest event, follow or upload. Days are
processed oldest first and the watermark moves after each, so an interrupted catch-up resumes where
it stopped.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, distinct, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kilas.accounts.models import User
from kilas.analytics.models import (
    ActiveViewerDay,
    Dimension,
    EngagementBreakdown,
    EngagementRollup,
    Grain,
    RollupState,
    Scope,
)
from kilas.analytics.periods import DAY, HOUR, day_start, hour_start, hours_between, local_day, years_before
from kilas.db import UTCDateTime, dialect_insert, unit_of_work, utcnow
from kilas.events.models import EngagementEvent, EventType
from kilas.events.processor import oldest_pending
from kilas.social.models import Follow
from kilas.videos.models import Video

log = logging.getLogger(__name__)
STATE_NAME = "engagement"
CHUNK = 500
ACTIVE_WINDOW_DAYS = 30

# Summed from events video by video, then added up for the creator and the platform.
EVENT_SUMS = ("views", "plays", "watch_ms", "plays_duration_ms", "completions", "likes", "shares", "follows")
DISTINCT = ("unique_viewers", "active_viewers")
METRICS = (*EVENT_SUMS, *DISTINCT, "new_followers", "uploads")
AGE_BRACKETS = ("13-17", "18-24", "25-34", "35-44", "45+")

Key = tuple[Scope, int]
Metrics = dict[str, int]
BreakdownKey = tuple[Scope, int, Dimension, str]

E = EngagementEvent


@dataclass
class RollupReport:
    hours: int
    days: int
    watermark: datetime


def _unflagged_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(E.flag.is_(None), E.occurred_at >= start, E.occurred_at < end)


def _count_of(event_type: EventType) -> Any:
    return func.sum(case((E.type == event_type, 1), else_=0))


def _views() -> Any:
    return func.sum(case((E.counted_view.is_(True), 1), else_=0))


def _unique_viewers() -> Any:
    return func.count(distinct(case((E.counted_view.is_(True), E.viewer_key))))


def _active_viewers() -> Any:
    return func.count(distinct(E.viewer_key))


def _empty() -> Metrics:
    return dict.fromkeys(METRICS, 0)


async def compute_bucket(db: AsyncSession, start: datetime, end: datetime) -> dict[Key, Metrics]:
    """Every metric of every video, creator and the platform for events in [start, end)."""
    rows: dict[Key, Metrics] = defaultdict(_empty)
    platform = rows[(Scope.platform, 0)]
    where = _unflagged_between(start, end)
    per_video = (
        await db.execute(
            select(
                E.video_id,
                E.creator_id,
                _views().label("views"),
                _unique_viewers().label("unique_viewers"),
                _active_viewers().label("active_viewers"),
                _count_of(EventType.play).label("plays"),
                func.sum(case((E.type == EventType.progress, E.watched_ms), else_=0)).label("watch_ms"),
                _count_of(EventType.complete).label("completions"),
                _count_of(EventType.like).label("likes"),
                _count_of(EventType.share).label("shares"),
                _count_of(EventType.follow).label("follows"),
            )
            .where(where)
            .group_by(E.video_id, E.creator_id)
        )
    ).all()
    durations = await _durations_ms(db, {row.video_id for row in per_video})
    for row in per_video:
        video = rows[(Scope.video, row.video_id)]
        for name in (*EVENT_SUMS, *DISTINCT):
            if name != "plays_duration_ms":
                video[name] = int(getattr(row, name) or 0)
        video["plays_duration_ms"] = video["plays"] * durations.get(row.video_id, 0)
        creator = rows[(Scope.creator, row.creator_id)]
        for name in EVENT_SUMS:
            creator[name] += video[name]
            platform[name] += video[name]
    # Distinct viewers do not add up: counted per creator and for the platform.
    for row in (
        await db.execute(
            select(E.creator_id, _unique_viewers(), _active_viewers()).where(where).group_by(E.creator_id)
        )
    ).all():
        creator = rows[(Scope.creator, row[0])]
        creator["unique_viewers"], creator["active_viewers"] = int(row[1]), int(row[2])
    unique, active = (await db.execute(select(_unique_viewers(), _active_viewers()).where(where))).one()
    platform["unique_viewers"], platform["active_viewers"] = int(unique or 0), int(active or 0)
    for followee_id, count in (
        await db.execute(
            select(Follow.followee_id, func.count())
            .where(Follow.created_at >= start, Follow.created_at < end)
            .group_by(Follow.followee_id)
        )
    ).all():
        rows[(Scope.creator, followee_id)]["new_followers"] = int(count)
        platform["new_followers"] += int(count)
    for owner_id, count in (
        await db.execute(
            select(Video.owner_id, func.count())
            .where(Video.created_at >= start, Video.created_at < end)
            .group_by(Video.owner_id)
        )
    ).all():
        rows[(Scope.creator, owner_id)]["uploads"] = int(count)
        platform["uploads"] += int(count)
    return {key: metrics for key, metrics in rows.items() if any(metrics.values())}


async def _durations_ms(db: AsyncSession, video_ids: set[int]) -> dict[int, int]:
    durations: dict[int, int] = {}
    ids = sorted(video_ids)
    for index in range(0, len(ids), CHUNK):
        chunk = ids[index : index + CHUNK]
        for video_id, seconds in (
            await db.execute(select(Video.id, Video.duration_s).where(Video.id.in_(chunk)))
        ).all():
            durations[video_id] = round((seconds or 0) * 1000)
    return durations


def age_bracket(birth_date: Any, day: date) -> Any:
    """The viewer's age bracket on `day`, as an SQL expression over `birth_date`."""
    return case(
        (birth_date > years_before(day, 18), AGE_BRACKETS[0]),
        (birth_date > years_before(day, 25), AGE_BRACKETS[1]),
        (birth_date > years_before(day, 35), AGE_BRACKETS[2]),
        (birth_date > years_before(day, 45), AGE_BRACKETS[3]),
        else_=AGE_BRACKETS[4],
    )


async def compute_breakdowns(
    db: AsyncSession, day: date, start: datetime, end: datetime
) -> dict[BreakdownKey, Metrics]:
    """One day's views and viewers per traffic source, and per age bracket, gender and province of
    signed-in viewers; platform-wide, also the uploads per province of their creators."""
    rows: dict[BreakdownKey, Metrics] = defaultdict(lambda: {"views": 0, "viewers": 0, "uploads": 0})
    where = _unflagged_between(start, end)
    dimensions: dict[Dimension, Any] = {
        Dimension.source: None,
        Dimension.age: age_bracket(User.birth_date, day),
        Dimension.gender: User.gender,
        Dimension.province: User.province,
    }
    for dimension, expression in dimensions.items():
        if expression is None:
            query = select(E.video_id, E.creator_id, E.viewer_key, E.counted_view, E.source.label("value"))
            query = query.where(where)
        else:
            query = (
                select(E.video_id, E.creator_id, E.viewer_key, E.counted_view, expression.label("value"))
                .join(User, User.id == E.user_id)
                .where(where, expression.is_not(None))
            )
        events = query.subquery()
        views = func.sum(case((events.c.counted_view.is_(True), 1), else_=0))
        viewers = func.count(distinct(events.c.viewer_key))
        for scope, keys in (
            (Scope.video, [events.c.video_id]),
            (Scope.creator, [events.c.creator_id]),
            (Scope.platform, []),
        ):
            statement = select(*keys, events.c.value, views, viewers).group_by(*keys, events.c.value)
            for row in (await db.execute(statement)).all():
                scope_id = int(row[0]) if keys else 0
                value, n_views, n_viewers = row[-3], row[-2], row[-1]
                metrics = rows[(scope, scope_id, dimension, str(value))]
                metrics["views"], metrics["viewers"] = int(n_views or 0), int(n_viewers or 0)
    for province, count in (
        await db.execute(
            select(User.province, func.count(Video.id))
            .select_from(Video)
            .join(User, User.id == Video.owner_id)
            .where(Video.created_at >= start, Video.created_at < end, User.province.is_not(None))
            .group_by(User.province)
        )
    ).all():
        rows[(Scope.platform, 0, Dimension.province, str(province))]["uploads"] = int(count)
    return dict(rows)


async def _upsert(db: AsyncSession, model: Any, values: list[dict[str, Any]], keys: list[str]) -> None:
    insert_ = dialect_insert(db)
    for index in range(0, len(values), CHUNK):
        statement = insert_(model).values(values[index : index + CHUNK])
        updated = {name: statement.excluded[name] for name in values[0] if name not in keys}
        await db.execute(statement.on_conflict_do_update(index_elements=keys, set_=updated))


ROLLUP_KEYS = ["scope", "scope_id", "grain", "bucket_start"]
BREAKDOWN_KEYS = ["scope", "scope_id", "day", "dimension", "value"]


async def write_bucket(
    db: AsyncSession, grain: Grain, start: datetime, rows: dict[Key, Metrics], computed_at: datetime
) -> None:
    """Replace every row of the bucket (rows that no longer exist go too)."""
    await db.execute(
        delete(EngagementRollup).where(
            EngagementRollup.grain == grain, EngagementRollup.bucket_start == start
        )
    )
    values = [
        {
            "scope": scope,
            "scope_id": scope_id,
            "grain": grain,
            "bucket_start": start,
            **metrics,
            "active_viewers_30d": metrics.get("active_viewers_30d", 0),
            "computed_at": computed_at,
        }
        for (scope, scope_id), metrics in rows.items()
    ]
    if values:
        # An upsert rather than an insert: a second worker racing on the same bucket writes the same.
        await _upsert(db, EngagementRollup, values, ROLLUP_KEYS)


async def write_breakdowns(db: AsyncSession, start: datetime, rows: dict[BreakdownKey, Metrics]) -> None:
    await db.execute(delete(EngagementBreakdown).where(EngagementBreakdown.day == start))
    values = [
        {"scope": s, "scope_id": i, "day": start, "dimension": d, "value": v, **metrics}
        for (s, i, d, v), metrics in rows.items()
    ]
    if values:
        await _upsert(db, EngagementBreakdown, values, BREAKDOWN_KEYS)


async def write_active_viewers(db: AsyncSession, start: datetime, end: datetime) -> None:
    """Replace the day's active viewers, straight from the events, inside the database."""
    await db.execute(delete(ActiveViewerDay).where(ActiveViewerDay.day == start))
    await db.execute(
        insert(ActiveViewerDay).from_select(
            ["day", "viewer_key"],
            select(literal(start, UTCDateTime()), E.viewer_key)
            .where(_unflagged_between(start, end))
            .distinct(),
        )
    )


async def active_in_window(db: AsyncSession, start: datetime) -> int:
    """Distinct viewers active in the 30 days ending with the day that begins at `start`."""
    count = await db.scalar(
        select(func.count(distinct(ActiveViewerDay.viewer_key))).where(
            ActiveViewerDay.day > start - ACTIVE_WINDOW_DAYS * DAY, ActiveViewerDay.day <= start
        )
    )
    return int(count or 0)


async def _set_active_window(db: AsyncSession, start: datetime, computed_at: datetime) -> None:
    """Refresh the platform's 30-day active viewers of one day whose own rows did not change."""
    value = {
        "scope": Scope.platform,
        "scope_id": 0,
        "grain": Grain.day,
        "bucket_start": start,
        **_empty(),
        "active_viewers_30d": await active_in_window(db, start),
        "computed_at": computed_at,
    }
    insert_ = dialect_insert(db)
    statement = insert_(EngagementRollup).values([value])
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=ROLLUP_KEYS,
            set_={"active_viewers_30d": statement.excluded.active_viewers_30d},
        )
    )


async def rollup_hour(sessionmaker: async_sessionmaker[AsyncSession], start: datetime) -> None:
    async with sessionmaker() as db:
        rows = await compute_bucket(db, start, start + HOUR)
    async with unit_of_work(sessionmaker) as db:
        await write_bucket(db, Grain.hour, start, rows, utcnow())


async def rollup_day(
    sessionmaker: async_sessionmaker[AsyncSession], day: date, *, watermark: datetime | None = None
) -> None:
    """Recompute a whole day: its rollups, breakdowns, active viewers and 30-day active viewers; moves
    the watermark in the same transaction when given."""
    start = day_start(day)
    end = start + DAY
    async with sessionmaker() as db:
        rows = await compute_bucket(db, start, end)
        breakdowns = await compute_breakdowns(db, day, start, end)
    async with unit_of_work(sessionmaker) as db:
        await write_active_viewers(db, start, end)
        active_30d = await active_in_window(db, start)
        if active_30d:
            rows.setdefault((Scope.platform, 0), _empty())["active_viewers_30d"] = active_30d
        await write_bucket(db, Grain.day, start, rows, utcnow())
        await write_breakdowns(db, start, breakdowns)
        if watermark is not None:
            await _save_watermark(db, watermark)


async def _save_watermark(db: AsyncSession, watermark: datetime) -> None:
    insert_ = dialect_insert(db)
    statement = insert_(RollupState).values(name=STATE_NAME, watermark=watermark, updated_at=utcnow())
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"watermark": statement.excluded.watermark, "updated_at": statement.excluded.updated_at},
        )
    )


async def read_watermark(db: AsyncSession) -> datetime | None:
    state = await db.get(RollupState, STATE_NAME)
    return state.watermark if state else None


async def _oldest_activity(db: AsyncSession) -> datetime | None:
    candidates = [
        await db.scalar(select(func.min(E.occurred_at))),
        await db.scalar(select(func.min(Follow.created_at))),
        await db.scalar(select(func.min(Video.created_at))),
    ]
    found = [moment for moment in candidates if moment is not None]
    return min(found) if found else None


async def hours_to_recompute(
    db: AsyncSession, now: datetime, *, full: bool = False
) -> tuple[list[datetime], datetime | None]:
    """The hours this run recomputes, oldest first, and the start of the main range (None: nothing)."""
    watermark = None if full else await read_watermark(db)
    if watermark is None:
        oldest = await _oldest_activity(db)
        if oldest is None:
            return [], None
        range_start = hour_start(oldest)
        late: set[datetime] = set()
    else:
        range_start = hour_start(watermark - HOUR)
        arrived_late = await db.scalars(
            select(E.occurred_at)
            .where(E.received_at >= watermark - HOUR, E.occurred_at < range_start)
            .distinct()
        )
        late = {hour_start(moment) for moment in arrived_late}
    return sorted(late | set(hours_between(range_start, now))), range_start


async def run_rollup(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime | None = None, full: bool = False
) -> RollupReport:
    """Bring every rollup up to date (`full`: rebuild from the oldest activity, ignoring the watermark)."""
    now = now or utcnow()
    async with sessionmaker() as db:
        hours, range_start = await hours_to_recompute(db, now, full=full)
        # Events still waiting in the inbox were received before they are stored: the watermark stays
        # before them, so the next run finds them among the late arrivals.
        pending = await oldest_pending(db)
    settled = min(now, pending) if pending is not None else now
    if range_start is None or not hours:
        async with unit_of_work(sessionmaker) as db:
            await _save_watermark(db, settled)
        return RollupReport(0, 0, now)
    by_day: dict[date, list[datetime]] = defaultdict(list)
    for hour in hours:
        by_day[local_day(hour)].append(hour)
    first_main_day = local_day(range_start)
    for day in sorted(by_day):
        for hour in by_day[day]:
            await rollup_hour(sessionmaker, hour)
        # The watermark moves with the days of the main range only (a late hour is older than it).
        moved = min(settled, day_start(day) + DAY) if day >= first_main_day else None
        await rollup_day(sessionmaker, day, watermark=moved)
    # A late day changed who was active then: later days' 30-day counts change with it.
    today = local_day(now)
    untouched = [day for day in _days_from(min(by_day), today) if day not in by_day]
    if untouched:
        async with unit_of_work(sessionmaker) as db:
            computed_at = utcnow()
            for day in untouched:
                await _set_active_window(db, day_start(day), computed_at)
    async with unit_of_work(sessionmaker) as db:
        await _save_watermark(db, settled)
    log.info("rollups: %s hours and %s days recomputed", len(hours), len(by_day))
    return RollupReport(len(hours), len(by_day), now)


def _days_from(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += DAY
