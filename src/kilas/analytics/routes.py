"""The analytics API: a creator's own numbers, one of their videos, and the operators' dashboard."""

from typing import Annotated

from fastapi import APIRouter, Query

from kilas.analytics import service
from kilas.analytics.schemas import CreatorAnalyticsOut, PlatformAnalyticsOut, VideoAnalyticsOut
from kilas.deps import CurrentUser, DbSession, OptionalUser

router = APIRouter(tags=["analytics"])
Days = Annotated[int, Query(description="The period: 7, 28 or 90 days ending today (WIB)")]


@router.get("/analytics/creator")
async def creator_analytics(
    user: CurrentUser, db: DbSession, days: Days = service.DEFAULT_DAYS
) -> CreatorAnalyticsOut:
    """The signed-in creator's numbers for the period: totals (and the period before), a daily series,
    the last 48 hours, traffic sources, audience and every video. Updated every few minutes."""
    return await service.creator_analytics(db, user=user, days=days)


@router.get("/analytics/videos/{video_id}")
async def video_analytics(
    video_id: int, user: CurrentUser, db: DbSession, days: Days = service.DEFAULT_DAYS
) -> VideoAnalyticsOut:
    """One of the signed-in creator's videos: its numbers, daily series, sources, audience and the
    retention curve (share of plays still watching at each second). Another creator's video is a 404."""
    return await service.video_analytics(db, user=user, video_id=video_id, days=days)


@router.get("/analytics/platform")
async def platform_analytics(
    viewer: OptionalUser, db: DbSession, days: Days = service.DEFAULT_DAYS
) -> PlatformAnalyticsOut:
    """Operators only (a 404 for everyone else): uploads a day, views a month, daily and monthly active
    viewers, top creators and hashtags, and provinces."""
    return await service.platform_analytics(db, user=viewer, days=days)
