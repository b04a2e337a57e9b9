"""Analytics for creators (their own videos only) and operators (admins only), read from the rollups.

A creator asking for someone else's video, or a non-admin asking for the operator numbers, gets the
same 404 as for something that does not exist. Numbers are as fresh as the last rollup run (every few
minutes); the retention curve is read from the events themselves (one video, one period).
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kilas.accounts.models import User
from kilas.accounts.provinces import GENDERS
from kilas.analytics.models import Dimension, EngagementBreakdown, EngagementRollup, Grain, Scope
from kilas.analytics.periods import DAY, HOUR, day_start, hour_start, local_day
from kilas.analytics.rollups import AGE_BRACKETS, read_watermark
from kilas.analytics.schemas import (
    ActivePoint,
    Audience,
    CreatorAnalyticsOut,
    CreatorRank,
    DayCount,
    DayMetrics,
    HashtagRank,
    HourViews,
    Metrics,
    MonthViews,
    Period,
    PlatformAnalyticsOut,
    PlatformTotals,
    ProvinceRow,
    RetentionPoint,
    Slice,
    VideoAnalyticsOut,
    VideoSummary,
)
from kilas.db import utcnow
from kilas.errors import InvalidInput, NotFound
from kilas.events.models import EngagementEvent, EventType, TrafficSource
from kilas.videos.models import Hashtag, Video, VideoHashtag
from kilas.web.i18n import gettext

PERIODS = (7, 28, 90)
DEFAULT_DAYS = 28
MAX_VIDEOS = 200
TOP = 10
HOURLY_WINDOW = 48
MS_PER_HOUR = 3_600_000
SUMMED = ("views", "plays", "watch_ms", "plays_duration_ms", "completions", "likes", "shares", "follows")
SUMMED_WITH_FOLLOWERS = (*SUMMED, "new_followers", "uploads")


def source_labels() -> dict[str, str]:
    return {
        TrafficSource.foryou: gettext("For You"),
        TrafficSource.following: gettext("Following"),
        TrafficSource.profile: gettext("Profile"),
        TrafficSource.search: gettext("Search"),
        TrafficSource.hashtag: gettext("Hashtag"),
        TrafficSource.share: gettext("Shared link"),
        TrafficSource.other: gettext("Other"),
    }


def gender_labels() -> dict[str, str]:
    return {"female": gettext("Female"), "male": gettext("Male")}


@dataclass(frozen=True)
class Window:
    """The chosen days (ending today, WIB) and the same number of days just before them."""

    days: int
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return day_start(self.first_day)

    @property
    def end(self) -> datetime:
        return day_start(self.last_day) + DAY

    @property
    def previous_start(self) -> datetime:
        return self.start - self.days * DAY

    def each_day(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.days)]


def check_days(days: int) -> int:
    if days not in PERIODS:
        raise InvalidInput("Choose a period of 7, 28 or 90 days.", field="days")
    return days


def window_for(days: int, now: datetime | None = None) -> Window:
    last = local_day(now or utcnow())
    return Window(check_days(days), last - timedelta(days=days - 1), last)


async def _period(db: AsyncSession, window: Window) -> Period:
    return Period(
        days=window.days,
        first_day=window.first_day,
        last_day=window.last_day,
        updated_at=await read_watermark(db),
    )


# ---------------------------------------------------------------------------------------------------
# Numbers from rollup rows


def _sum(rows: Iterable[Any], names: Iterable[str] = SUMMED_WITH_FOLLOWERS) -> dict[str, int]:
    totals = dict.fromkeys(names, 0)
    for row in rows:
        for name in totals:
            totals[name] += getattr(row, name) or 0
    return totals


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def metrics_of(totals: dict[str, int]) -> Metrics:
    return Metrics(
        views=totals["views"],
        watch_ms=totals["watch_ms"],
        watch_hours=round(totals["watch_ms"] / MS_PER_HOUR, 2),
        avg_watch_percent=_percent(totals["watch_ms"], totals["plays_duration_ms"]),
        completion_rate=_percent(totals["completions"], totals["plays"]),
        plays=totals["plays"],
        likes=totals["likes"],
        shares=totals["shares"],
        follows=totals["follows"],
        new_followers=totals.get("new_followers", 0),
    )


async def _rollups(
    db: AsyncSession, scope: Scope, scope_id: int, grain: Grain, start: datetime, end: datetime
) -> list[EngagementRollup]:
    return list(
        await db.scalars(
            select(EngagementRollup)
            .where(
                EngagementRollup.scope == scope,
                EngagementRollup.scope_id == scope_id,
                EngagementRollup.grain == grain,
                EngagementRollup.bucket_start >= start,
                EngagementRollup.bucket_start < end,
            )
            .order_by(EngagementRollup.bucket_start)
        )
    )


def _daily(rows: list[EngagementRollup], window: Window) -> list[DayMetrics]:
    by_day = {local_day(row.bucket_start): row for row in rows}
    series = []
    for day in window.each_day():
        row = by_day.get(day)
        totals = _sum([row] if row else [])
        series.append(
            DayMetrics(
                day=day, unique_viewers=row.unique_viewers if row else 0, **metrics_of(totals).model_dump()
            )
        )
    return series


def _split(rows: list[EngagementRollup], window: Window) -> tuple[Metrics, Metrics, list[DayMetrics]]:
    current = [row for row in rows if row.bucket_start >= window.start]
    previous = [row for row in rows if row.bucket_start < window.start]
    return metrics_of(_sum(current)), metrics_of(_sum(previous)), _daily(current, window)


async def _breakdown(
    db: AsyncSession, scope: Scope, scope_id: int, window: Window
) -> dict[Dimension, dict[str, int]]:
    rows = await db.execute(
        select(EngagementBreakdown.dimension, EngagementBreakdown.value, func.sum(EngagementBreakdown.views))
        .where(
            EngagementBreakdown.scope == scope,
            EngagementBreakdown.scope_id == scope_id,
            EngagementBreakdown.day >= window.start,
            EngagementBreakdown.day < window.end,
        )
        .group_by(EngagementBreakdown.dimension, EngagementBreakdown.value)
    )
    found: dict[Dimension, dict[str, int]] = defaultdict(dict)
    for dimension, value, views in rows.all():
        found[Dimension(dimension)][value] = int(views or 0)
    return found


def _slices(
    counts: dict[str, int], order: Iterable[str], labels: dict[str, str] | None = None, *, keep_empty: bool
) -> list[Slice]:
    total = sum(counts.values())
    slices = [
        Slice(
            key=key,
            label=(labels or {}).get(key, key),
            views=counts.get(key, 0),
            percent=_percent(counts.get(key, 0), total) or 0.0,
        )
        for key in order
        if keep_empty or counts.get(key)
    ]
    return slices


def _sources_and_audience(breakdown: dict[Dimension, dict[str, int]]) -> tuple[list[Slice], Audience]:
    sources = _slices(
        breakdown.get(Dimension.source, {}), list(TrafficSource), source_labels(), keep_empty=True
    )
    ages = breakdown.get(Dimension.age, {})
    provinces = breakdown.get(Dimension.province, {})
    by_views = sorted(provinces, key=lambda name: (-provinces[name], name))
    audience = Audience(
        signed_in_views=sum(ages.values()),
        age=_slices(ages, AGE_BRACKETS, {b: b.replace("-", "–") for b in AGE_BRACKETS}, keep_empty=True),
        gender=_slices(breakdown.get(Dimension.gender, {}), GENDERS, gender_labels(), keep_empty=True),
        province=_slices(provinces, by_views, keep_empty=False),
    )
    return sources, audience


# ---------------------------------------------------------------------------------------------------
# Creators


def _summary(video: Video, period: Metrics) -> VideoSummary:
    return VideoSummary(
        id=video.id,
        caption=video.caption,
        url=f"/v/{video.id}",
        studio_url=f"/studio/v/{video.id}",
        poster_url=f"/media/v/{video.id}/poster.jpg" if video.poster_key else None,
        status=video.status,
        visibility=video.visibility,
        created_at=video.created_at,
        duration_s=video.duration_s,
        lifetime_views=video.views_count,
        period=period,
    )


async def _video_period_metrics(db: AsyncSession, video_ids: list[int], window: Window) -> dict[int, Metrics]:
    if not video_ids:
        return {}
    columns = [func.sum(getattr(EngagementRollup, name)).label(name) for name in SUMMED]
    rows = await db.execute(
        select(EngagementRollup.scope_id, *columns)
        .where(
            EngagementRollup.scope == Scope.video,
            EngagementRollup.scope_id.in_(video_ids),
            EngagementRollup.grain == Grain.day,
            EngagementRollup.bucket_start >= window.start,
            EngagementRollup.bucket_start < window.end,
        )
        .group_by(EngagementRollup.scope_id)
    )
    return {row.scope_id: metrics_of({name: int(getattr(row, name) or 0) for name in SUMMED}) for row in rows}


async def creator_analytics(
    db: AsyncSession, *, user: User, days: int = DEFAULT_DAYS, now: datetime | None = None
) -> CreatorAnalyticsOut:
    """The signed-in creator's own numbers: totals, daily series, sources, audience, their videos."""
    now = now or utcnow()
    window = window_for(days, now)
    rows = await _rollups(db, Scope.creator, user.id, Grain.day, window.previous_start, window.end)
    totals, previous, daily = _split(rows, window)
    first_hour = hour_start(now) - (HOURLY_WINDOW - 1) * HOUR
    hours = {
        row.bucket_start: row
        for row in await _rollups(
            db, Scope.creator, user.id, Grain.hour, first_hour, first_hour + HOURLY_WINDOW * HOUR
        )
    }
    hourly = []
    for n in range(HOURLY_WINDOW):
        hour = first_hour + n * HOUR
        row = hours.get(hour)
        hourly.append(HourViews(hour=hour, views=row.views if row else 0, plays=row.plays if row else 0))
    sources, audience = _sources_and_audience(await _breakdown(db, Scope.creator, user.id, window))
    videos = list(
        await db.scalars(
            select(Video).where(Video.owner_id == user.id).order_by(Video.created_at.desc()).limit(MAX_VIDEOS)
        )
    )
    per_video = await _video_period_metrics(db, [video.id for video in videos], window)
    empty = metrics_of(_sum([]))
    return CreatorAnalyticsOut(
        period=await _period(db, window),
        followers_count=user.followers_count,
        totals=totals,
        previous=previous,
        daily=daily,
        hourly=hourly,
        sources=sources,
        audience=audience,
        videos=[_summary(video, per_video.get(video.id, empty)) for video in videos],
    )


async def own_video(db: AsyncSession, *, user: User, video_id: int) -> Video:
    """The creator's own video; anyone else's is a 404, exactly like a missing one."""
    video = await db.get(Video, video_id)
    if video is None or video.owner_id != user.id:
        raise NotFound(
            "We couldn't find that video. It may have been deleted or made private.", code="video_not_found"
        )
    return video


async def retention_curve(
    db: AsyncSession, video: Video, start: datetime, end: datetime
) -> tuple[list[RetentionPoint], int]:
    """For each second of the video, the share of plays still watching: a play reached the furthest
    position its progress events reported (the end, when it completed), capped at the duration."""
    if not video.duration_s:
        return [], 0
    duration_ms = round(video.duration_s * 1000)
    E = EngagementEvent
    reached_rows = await db.execute(
        select(
            func.max(E.position_ms),
            func.max(case((E.type == EventType.complete, 1), else_=0)),
        )
        .where(
            E.video_id == video.id,
            E.flag.is_(None),
            E.play_id.is_not(None),
            E.type.in_([EventType.play, EventType.progress, EventType.complete]),
            E.occurred_at >= start,
            E.occurred_at < end,
        )
        .group_by(E.play_id)
    )
    reached = sorted(
        duration_ms if completed else min(position or 0, duration_ms)
        for position, completed in reached_rows.all()
    )
    plays = len(reached)
    if not plays:
        return [], 0
    seconds = int(duration_ms // 1000)
    points = []
    for second in range(seconds + 1):
        still = plays - bisect_left(reached, min(second * 1000, duration_ms))
        points.append(RetentionPoint(second=second, percent=round(100 * still / plays, 1)))
    return points, plays


async def video_analytics(
    db: AsyncSession, *, user: User, video_id: int, days: int = DEFAULT_DAYS, now: datetime | None = None
) -> VideoAnalyticsOut:
    video = await own_video(db, user=user, video_id=video_id)
    window = window_for(days, now)
    rows = await _rollups(db, Scope.video, video.id, Grain.day, window.previous_start, window.end)
    totals, previous, daily = _split(rows, window)
    sources, audience = _sources_and_audience(await _breakdown(db, Scope.video, video.id, window))
    retention, retention_plays = await retention_curve(db, video, window.start, window.end)
    return VideoAnalyticsOut(
        period=await _period(db, window),
        video=_summary(video, totals),
        totals=totals,
        previous=previous,
        daily=daily,
        sources=sources,
        audience=audience,
        retention=retention,
        retention_plays=retention_plays,
    )


# ---------------------------------------------------------------------------------------------------
# Operators


def require_admin(user: User | None) -> User:
    """Operators only; to anyone else the page does not exist."""
    if user is None or not user.is_admin:
        raise NotFound("We couldn't find that page.", code="not_found")
    return user


def _platform_totals(rows: list[EngagementRollup], last_day: date) -> PlatformTotals:
    totals = _sum(rows)
    last = next((row for row in rows if local_day(row.bucket_start) == last_day), None)
    return PlatformTotals(
        views=totals["views"],
        watch_ms=totals["watch_ms"],
        watch_hours=round(totals["watch_ms"] / MS_PER_HOUR, 2),
        uploads=totals["uploads"],
        new_followers=totals["new_followers"],
        daily_active=last.active_viewers if last else 0,
        monthly_active=last.active_viewers_30d if last else 0,
    )


async def _top_creators(db: AsyncSession, window: Window) -> list[CreatorRank]:
    R = EngagementRollup
    views = func.sum(R.views).label("views")
    rows = (
        await db.execute(
            select(
                R.scope_id,
                views,
                func.sum(R.watch_ms).label("watch_ms"),
                func.sum(R.new_followers).label("new_followers"),
                func.sum(R.uploads).label("uploads"),
            )
            .where(R.grain == Grain.day, R.bucket_start >= window.start, R.bucket_start < window.end)
            .where(R.scope == Scope.creator)
            .group_by(R.scope_id)
            .having(func.sum(R.views) > 0)
            .order_by(views.desc(), R.scope_id)
            .limit(TOP)
        )
    ).all()
    users = {
        user.id: user
        for user in await db.scalars(select(User).where(User.id.in_([row.scope_id for row in rows])))
    }
    return [
        CreatorRank(
            username=users[row.scope_id].username,
            display_name=users[row.scope_id].display_name,
            url=f"/@{users[row.scope_id].username}",
            province=users[row.scope_id].province,
            views=int(row.views or 0),
            watch_ms=int(row.watch_ms or 0),
            watch_hours=round(int(row.watch_ms or 0) / MS_PER_HOUR, 2),
            new_followers=int(row.new_followers or 0),
            uploads=int(row.uploads or 0),
        )
        for row in rows
        if row.scope_id in users
    ]


async def _hashtags(db: AsyncSession, window: Window) -> tuple[list[HashtagRank], list[HashtagRank]]:
    """Hashtags by the views of their videos in the period, and by how much those grew since the
    period before."""
    R = EngagementRollup
    current = func.sum(case((R.bucket_start >= window.start, R.views), else_=0))
    previous = func.sum(case((R.bucket_start < window.start, R.views), else_=0))
    base = (
        select(Hashtag.name, Hashtag.display, current.label("views_now"), previous.label("views_before"))
        .select_from(R)
        .join(VideoHashtag, VideoHashtag.video_id == R.scope_id)
        .join(Hashtag, Hashtag.id == VideoHashtag.hashtag_id)
        .where(
            R.scope == Scope.video,
            R.grain == Grain.day,
            R.bucket_start >= window.previous_start,
            R.bucket_start < window.end,
        )
        .group_by(Hashtag.id, Hashtag.name, Hashtag.display)
    )

    def rank(row: Any) -> HashtagRank:
        now_views, before = int(row.views_now or 0), int(row.views_before or 0)
        return HashtagRank(
            name=row.name,
            display=row.display,
            url=f"/tag/{row.name}",
            views=now_views,
            previous_views=before,
            growth=now_views - before,
            growth_percent=_percent(now_views - before, before),
        )

    top = (await db.execute(base.having(current > 0).order_by(current.desc(), Hashtag.name).limit(TOP))).all()
    growth = current - previous
    rising = (
        await db.execute(base.having(growth > 0).order_by(growth.desc(), Hashtag.name).limit(TOP))
    ).all()
    return [rank(row) for row in top], [rank(row) for row in rising]


async def _provinces(db: AsyncSession, window: Window) -> list[ProvinceRow]:
    B = EngagementBreakdown
    rows = (
        await db.execute(
            select(B.value, func.sum(B.views), func.sum(B.viewers), func.sum(B.uploads))
            .where(
                B.scope == Scope.platform,
                B.dimension == Dimension.province,
                B.day >= window.start,
                B.day < window.end,
            )
            .group_by(B.value)
        )
    ).all()
    provinces = [
        ProvinceRow(
            province=value,
            views=int(views or 0),
            active_per_day=round(int(viewers or 0) / window.days, 1),
            uploads=int(uploads or 0),
        )
        for value, views, viewers, uploads in rows
    ]
    return sorted(provinces, key=lambda row: (-row.views, -row.uploads, row.province))


def _months(last_day: date, count: int = 12) -> list[str]:
    year, month = last_day.year, last_day.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


async def platform_analytics(
    db: AsyncSession, *, user: User | None, days: int = DEFAULT_DAYS, now: datetime | None = None
) -> PlatformAnalyticsOut:
    require_admin(user)
    window = window_for(days, now)
    months = _months(window.last_day)
    first_month = date(int(months[0][:4]), int(months[0][5:]), 1)
    year_start = min(day_start(first_month), window.previous_start)
    rows = await _rollups(db, Scope.platform, 0, Grain.day, year_start, window.end)
    current = [row for row in rows if row.bucket_start >= window.start]
    previous = [row for row in rows if window.previous_start <= row.bucket_start < window.start]
    by_day = {local_day(row.bucket_start): row for row in current}
    monthly: dict[str, int] = dict.fromkeys(months, 0)
    for row in rows:
        month = local_day(row.bucket_start).strftime("%Y-%m")
        if month in monthly:
            monthly[month] += row.views
    top, rising = await _hashtags(db, window)
    return PlatformAnalyticsOut(
        period=await _period(db, window),
        totals=_platform_totals(current, window.last_day),
        previous=_platform_totals(previous, window.first_day - timedelta(days=1)),
        uploads=[
            DayCount(day=day, count=by_day[day].uploads if day in by_day else 0) for day in window.each_day()
        ],
        views_by_month=[MonthViews(month=month, views=views) for month, views in monthly.items()],
        active=[
            ActivePoint(
                day=day,
                daily=by_day[day].active_viewers if day in by_day else 0,
                monthly=by_day[day].active_viewers_30d if day in by_day else 0,
            )
            for day in window.each_day()
        ],
        top_creators=await _top_creators(db, window),
        top_hashtags=top,
        rising_hashtags=rising,
        provinces=await _provinces(db, window),
    )
