from fastapi import APIRouter, Query, Request

from kilas.deps import CurrentUser, DbSession, Limiter, OptionalUser, Settings, Storage, viewer_key
from kilas.feed import profiles, service
from kilas.feed.reasons import explain
from kilas.feed.schemas import NotInterestedIn, NotInterestedOut, RefreshOut
from kilas.videos.presenters import present_page
from kilas.videos.schemas import VideoListOut

router = APIRouter(tags=["feed"])


@router.get("/feed/foryou")
async def for_you(
    request: Request,
    db: DbSession,
    viewer: OptionalUser,
    storage: Storage,
    cursor: str | None = Query(None, max_length=4000),
    limit: int = Query(10, ge=1, le=30),
) -> VideoListOut:
    """Untukmu: personalised, with a reason for each video."""
    page = await service.for_you(
        db=db, viewer=viewer, viewer_key=viewer_key(request, viewer), cursor=cursor, limit=limit
    )
    out = await present_page(db, page, viewer, storage)
    explain(out.videos, page.reasons)
    return out


@router.post("/feed/not-interested")
async def not_interested(
    body: NotInterestedIn, viewer: CurrentUser, db: DbSession, limiter: Limiter, settings: Settings
) -> NotInterestedOut:
    """ "Tidak tertarik": the video's creator and topic stay out of your For You for 30 days."""
    limiter.hit(settings.write_rate, "write", str(viewer.id))
    creator, topic = await profiles.not_interested(db=db, viewer=viewer, video_id=body.video_id)
    return NotInterestedOut(video_id=body.video_id, creator=creator.username, topic=topic)


@router.post("/feed/refresh")
async def refresh(viewer: CurrentUser, db: DbSession, limiter: Limiter, settings: Settings) -> RefreshOut:
    """ "Segarkan": For You forgets what it learned of your tastes (what you watched stays watched)."""
    limiter.hit(settings.write_rate, "write", str(viewer.id))
    await profiles.refresh(db=db, viewer=viewer)
    return RefreshOut()


@router.get("/feed/following")
async def following(
    db: DbSession,
    viewer: CurrentUser,
    storage: Storage,
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(10, ge=1, le=30),
) -> VideoListOut:
    page = await service.following(db=db, viewer=viewer, cursor=cursor, limit=limit)
    return await present_page(db, page, viewer, storage)
